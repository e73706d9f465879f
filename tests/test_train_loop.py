"""Tests for seisfill.train.loop: learning, run folder, exact resume, schedule, CLI."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from segy_factory import DATA_DIR

torch = pytest.importorskip("torch")
pytest.importorskip("seisfill.nn.registry")

from seisfill.train import load_config, main, train  # noqa: E402
from seisfill.train.loop import linear_baseline, lr_factor, state_hash  # noqa: E402


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _losses(path: Path) -> list[tuple[int, str]]:
    return [(int(r["step"]), r["loss"]) for r in _rows(path) if r["loss"]]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One tiny training run (60 steps, validation at 0, 30 and 60) shared by several tests."""
    out = tmp_path_factory.mktemp("tiny_run")
    cfg = load_config("tiny", ["train.threads=2"])
    result = train(cfg, out)
    return out, result


def test_tiny_run_folder(tiny_run):
    out, result = tiny_run
    for name in ("config.yaml", "metrics.csv", "model.pt", "model_last.pt", "checkpoint.pt"):
        assert (out / name).is_file(), name
    saved = load_config(out / "config.yaml")  # the resolved config loads back (resolved section ignored)
    assert saved["train"]["steps"] == 60
    text = (out / "config.yaml").read_text()
    assert "resolved:" in text and "data_split:" in text and "synthetic_seeds" in text
    weights = torch.load(out / "model.pt", map_location="cpu", weights_only=False)
    from seisfill.nn.registry import make_model

    model = make_model(weights["config"])
    model.load_state_dict(weights["state_dict"])
    assert all(v.dtype == torch.float32 for v in weights["state_dict"].values())
    assert weights["normalize"]["gain"] == "agc"
    assert result.step == 60 and result.best["step"] in (30, 60)


def test_tiny_loss_decreases(tiny_run):
    out, _ = tiny_run
    losses = [float(v) for _, v in _losses(out / "metrics.csv")]
    assert len(losses) == 60 and all(math.isfinite(v) for v in losses)
    assert np.mean(losses[-10:]) < 0.6 * np.mean(losses[:5])


def test_tiny_validation_snr_improves(tiny_run):
    """The fast learning check: validation missing-trace SNR rises well above its initial value."""
    out, result = tiny_run
    val = [r for r in _rows(out / "metrics.csv") if r["val_snr"]]
    assert [int(r["step"]) for r in val] == [0, 30, 60]
    first, last = float(val[0]["val_snr"]), float(val[-1]["val_snr"])
    assert last > first + 3.0, (first, last)
    # linear's SNR is computed on the same fixed patches: the same number every time
    assert len({r["val_snr_linear"] for r in val}) == 1
    assert result.best["val_snr"] == pytest.approx(max(float(r["val_snr"]) for r in val))


def test_resume_reproduces_the_loss_curve(tmp_path):
    over = ["train.steps=8", "train.val_every=4", "train.ckpt_every=3", "train.log_every=1", "train.threads=2"]
    cfg = load_config("tiny", over)
    train(cfg, tmp_path / "full")

    class Crash(Exception):
        pass

    def crash(step, row):
        if step == 5:
            raise Crash

    # a crash at step 5: the last checkpoint is step 3, metrics.csv already has rows 4 and 5
    with pytest.raises(Crash):
        train(cfg, tmp_path / "part", callbacks=[crash])
    assert torch.load(tmp_path / "part" / "checkpoint.pt", weights_only=False)["step"] == 3
    resumed = train(cfg, tmp_path / "part", resume=True)
    assert resumed.step == 8
    # and a clean stop (stop_after, as the CLI's --stop-after) resumes too
    stopped = train(cfg, tmp_path / "stop", stop_after=6)
    assert stopped.step == 6
    train(cfg, tmp_path / "stop", resume=True)
    keys = ["step", "lr", "loss", "loss_hole", "loss_valid", "loss_spectral", "grad_norm", "val_snr"]
    a = _rows(tmp_path / "full" / "metrics.csv")
    wa = torch.load(tmp_path / "full" / "model_last.pt", weights_only=False)["state_dict"]
    for run in ("part", "stop"):
        b = _rows(tmp_path / run / "metrics.csv")
        assert [[r[k] for k in keys] for r in a] == [[r[k] for k in keys] for r in b], run
        wb = torch.load(tmp_path / run / "model_last.pt", weights_only=False)["state_dict"]
        for k in wa:
            assert torch.equal(wa[k], wb[k]), (run, k)


def test_resume_from_cli_with_extended_steps(tmp_path):
    out = tmp_path / "cli"
    base = ["--config", "tiny", "--out", str(out), "--set", "train.steps=4", "train.val_every=0", "train.threads=2"]
    assert main(base) == 0
    assert len(_losses(out / "metrics.csv")) == 4
    assert main(["--out", str(out), "--resume", "--set", "train.steps=6"]) == 0
    steps = [s for s, _ in _losses(out / "metrics.csv")]
    assert steps == [1, 2, 3, 4, 5, 6]
    assert main(["--config", "tiny", "--set", "train.stpes=3"]) == 2  # a typo is an error


def test_lr_schedule():
    assert lr_factor(0, 100, 10, 0.1) == pytest.approx(0.1)
    assert lr_factor(9, 100, 10, 0.1) == pytest.approx(1.0)
    assert lr_factor(10, 100, 10, 0.1) == pytest.approx(1.0)
    assert lr_factor(55, 100, 10, 0.1) == pytest.approx(0.1 + 0.9 * 0.5)
    assert lr_factor(100, 100, 10, 0.1) == pytest.approx(0.1)
    values = [lr_factor(s, 100, 10, 0.1) for s in range(10, 101)]
    assert all(a >= b for a, b in zip(values, values[1:], strict=False))


def test_linear_baseline_2d_and_3d():
    x = np.zeros((1, 4, 5), dtype=np.float32)
    x[0, :, 0] = 1.0
    x[0, :, 4] = 3.0
    live = np.array([[True, False, False, False, True]])
    out = linear_baseline(x, live)
    np.testing.assert_allclose(out[0, 0], [1.0, 1.5, 2.0, 2.5, 3.0])
    cube = np.random.default_rng(0).standard_normal((1, 6, 4, 4)).astype(np.float32)
    live3 = np.zeros((1, 4, 4), dtype=bool)
    live3[0, 0, :] = True
    live3[0, 3, 1] = True  # rows 1 and 2 are empty: filled along the inline axis
    out3 = linear_baseline(cube * live3[:, None], live3)
    assert np.isfinite(out3).all()
    np.testing.assert_allclose(out3[:, :, 0, :], cube[:, :, 0, :], rtol=1e-6)


def test_state_hash_changes_with_weights():
    from seisfill.nn.registry import make_model

    torch.manual_seed(0)
    m = make_model({"ndim": 2, "width": 4, "depth": 1})
    h = state_hash(m)
    assert h == state_hash(m)
    with torch.no_grad():
        next(m.parameters()).add_(1e-3)
    assert h != state_hash(m)


@pytest.mark.slow
def test_cpu_training_beats_linear(tmp_path):
    """A few minutes of CPU training on synthetic + real patches beats linear on the held-out set."""
    if not (DATA_DIR / "penobscot_xl1155.sgy").exists():
        pytest.skip("real SEG-Y files not available")
    cfg = load_config("cpu_quick", ["train.progress=false", f"data.root={DATA_DIR}"])
    result = train(cfg, tmp_path / "cpu_quick")
    best = result.best
    assert best["val_snr"] > best["val_snr_linear"], best
    assert best["val_snr_real"] > best["val_snr_real_linear"] - 1.0, best


def test_3d_bricks_train_and_validate(tmp_path):
    cfg = load_config(
        "gpu_3d",
        [
            "data.npz=null",
            "data.patch=[16,8,8]",
            "data.sources={synthetic_cube: 1, real: 0}",
            "data.synthetic.cube_shape=[12,12,32]",
            "data.synthetic.pool_size=2",
            "data.synthetic.val_pool_size=1",
            "data.val.n_patches=4",
            "model.width=4",
            "model.depth=2",
            "model.max_width=8",
            "train.steps=3",
            "train.batch_size=2",
            "train.num_workers=0",
            "train.val_every=3",
            "train.val_batch_size=4",
            "train.precision=fp32",
            "train.time_budget_s=0",
            "train.progress=false",
            "train.threads=2",
        ],
    )
    result = train(cfg, tmp_path / "run3d")
    assert result.step == 3
    assert math.isfinite(result.best["val_snr"]) and math.isfinite(result.best["val_snr_linear"])
    saved = torch.load(tmp_path / "run3d" / "model.pt", weights_only=False)
    assert saved["config"]["ndim"] == 3 and saved["patch"] == [16, 8, 8]


def test_init_from_shipped_weights_fine_tunes_that_network(tmp_path):
    """``init: gated2d`` starts from the shipped default (its architecture, its weights)."""
    import torch

    from seisfill.models import load_model

    cfg = load_config("tiny", ["train.threads=2", "train.steps=3", "train.val_every=0", "init=gated2d"])
    result = train(cfg, tmp_path / "ft")
    saved = torch.load(tmp_path / "ft" / "model.pt", weights_only=True)
    shipped = load_model("gated2d").model
    assert saved["config"]["conv"] == "gated" and saved["config"]["width"] == shipped.config["width"]
    diffs = [float((saved["state_dict"][k] - v).abs().max()) for k, v in shipped.state_dict().items()]
    assert max(diffs) < 0.05 and max(diffs) > 0  # moved a little from the shipped weights, 3 steps
    assert result.step == 3
