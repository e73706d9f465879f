"""``seisfill fill --adapt``: fine-tuning the network on the survey's own live traces (seisfill.adapt)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from segy_factory import make_shots
from selfcheck_data import decimated_shots

import seisfill
from seisfill import adapt as adapt_module
from seisfill.adapt import AdaptSettings, adapt_model, survey_options
from seisfill.cli import main
from seisfill.errors import SeisfillError
from seisfill.methods import get_method

torch = pytest.importorskip("torch")

#: a few steps, a budget that never binds: the same weights on every path
FEW = AdaptSettings(budget_s=600, max_steps=4, eval_every=2, batch_size=2)


@pytest.fixture
def decimated(tmp_path) -> Path:
    """The 3 synthetic shots of sample_data with half their traces killed (random50, seed 3)."""
    return decimated_shots(tmp_path)


@pytest.fixture
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _sample(path: Path):
    ds = seisfill.read_segy(path)
    live = ds["live"].values
    target = ~live & ~ds["pad"].values
    data = np.where(live[..., None], ds["amplitude"].values, 0).astype(np.float32)
    return data, live, target


class TestAdaptModel:
    def test_keeps_the_best_held_back_score_and_leaves_the_loaded_model_alone(self, decimated, one_thread):
        data, live, target = _sample(decimated)
        loaded = get_method("unet").prepare({}, 2)["model"]
        before = {k: v.clone() for k, v in loaded.model.state_dict().items()}
        adapted, record = adapt_model(loaded, data, live, target, FEW)
        assert all(torch.equal(before[k], v) for k, v in loaded.model.state_dict().items())
        assert adapted.model is not loaded.model and adapted.name == f"{loaded.name}+adapted"
        assert record["steps"] == 4 and record["held_back_traces"] >= 10
        assert record["held_back_snr_db_after"] >= record["held_back_snr_db_before"]
        assert set(record) >= {"budget_s", "steps", "seconds", "held_back_snr_db_before", "held_back_snr_db_after"}

    def test_deterministic_given_the_seed_and_written_as_weights(self, decimated, tmp_path, one_thread):
        data, live, target = _sample(decimated)
        loaded = get_method("unet").prepare({}, 2)["model"]
        steps = AdaptSettings(budget_s=600, max_steps=3, eval_every=1, patience=10, batch_size=2, lr=1e-3)
        a, rec_a = adapt_model(loaded, data, live, target, steps, tmp_path / "a.pt")
        b, rec_b = adapt_model(loaded, data, live, target, steps)
        assert rec_a["held_back_snr_db_after"] == rec_b["held_back_snr_db_after"]
        assert all(torch.equal(v, b.model.state_dict()[k]) for k, v in a.model.state_dict().items())
        assert a.name == str(tmp_path / "a.pt")
        reloaded = seisfill.models.load_model(tmp_path / "a.pt")
        assert all(torch.equal(v, reloaded.model.state_dict()[k]) for k, v in a.model.state_dict().items())

    def test_too_few_live_traces(self, tmp_path):
        small = make_shots(tmp_path / "small.sgy", dead={i: "zero" for i in range(0, 36, 2)})
        data, live, target = _sample(Path(small.path))
        loaded = get_method("unet").prepare({}, 2)["model"]
        with pytest.raises(SeisfillError, match="too few to learn from"):
            adapt_model(loaded, data, live, target, FEW)


class TestSameBytes:
    def test_in_memory_and_streaming_adapt_alike(self, decimated, tmp_path, one_thread):
        from seisfill.parallel import fill_file

        memory, streamed = tmp_path / "memory.sgy", tmp_path / "streamed.sgy"
        filled = seisfill.fill(seisfill.read_segy(decimated), "unet", adapt=FEW)
        seisfill.write_segy(filled, memory, template=decimated)
        summary = fill_file(decimated, streamed, "unet", workers=0, adapt=FEW)
        assert memory.read_bytes() == streamed.read_bytes()
        record = json.loads(Path(f"{streamed}.seisfill.json").read_text())
        assert record["adapt"]["steps"] == 4 and record["model"] == "gated2d+adapted"
        written = json.loads(Path(f"{memory}.seisfill.json").read_text())  # write_segy records it too
        assert written["model"] == record["model"] and written["adapt"]["steps"] == record["adapt"]["steps"]
        assert summary.details["adapt"]["held_back_snr_db_after"] == json.loads(filled.attrs["fill_adapt"])[
            "held_back_snr_db_after"]
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # weights file gone


    def test_auto_adapts_only_a_network_it_chose(self, decimated, one_thread):
        ds = seisfill.read_segy(decimated)
        classical = seisfill.fill(ds, "auto", weights={"fx": 0.5, "drr": 0.5}, adapt=FEW)
        assert json.loads(classical.attrs["fill_adapt"])["skipped"] == "the method's choice uses no network"
        blend = seisfill.fill(ds, "auto", weights={"unet": 0.5, "fx": 0.5}, adapt=FEW)
        assert json.loads(blend.attrs["fill_adapt"])["steps"] == 4
        assert blend.attrs["fill_model"] == "gated2d+adapted"


class TestBadInput:
    @pytest.mark.parametrize("extra, message", [
        (["--adapt", "--adapt-budget", "0"], "--adapt-budget must be > 0 seconds, got 0"),
        (["--adapt", "--adapt-budget", "-5"], "--adapt-budget must be > 0 seconds, got -5"),
        (["--adapt", "--method", "fx"], "--adapt fine-tunes a network: --method hybrid / unet / auto"),
        (["--adapt-budget", "30"], "--adapt-budget sets the time of --adapt; add --adapt"),
    ])
    @pytest.mark.parametrize("streaming", [[], ["--workers", "0"]])
    def test_one_line_exit_non_zero_nothing_written(self, decimated, tmp_path, capsys, extra, message, streaming):
        out = tmp_path / "out.sgy"
        assert main(["fill", str(decimated), str(out), "--no-progress", *extra, *streaming]) == 1
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1
        assert list(tmp_path.iterdir()) == [decimated]

    def test_too_few_live_traces_on_the_command_line(self, tmp_path, capsys):
        small = make_shots(tmp_path / "small.sgy", dead={i: "zero" for i in range(0, 36, 2)})
        out = tmp_path / "out.sgy"
        assert main(["fill", str(small.path), str(out), "--method", "unet", "--adapt", "--no-progress"]) == 1
        assert "too few to learn from" in capsys.readouterr().err
        assert not out.exists()

    def test_no_torch(self, decimated, tmp_path, capsys, monkeypatch):
        monkeypatch.setattr("seisfill._deps._has", lambda module: module != "torch")
        with pytest.raises(SeisfillError, match="--adapt needs the 'torch' package"):
            survey_options(get_method("auto"), {"model": None}, lambda k: None, FEW)

    def test_interrupted_adaptation_leaves_nothing(self, decimated, tmp_path, monkeypatch):
        from seisfill.parallel import fill_file

        def interrupt(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(adapt_module, "_train_step", interrupt)
        out = tmp_path / "out.sgy"
        for streaming in ([], ["--workers", "0"]):
            assert main(["fill", str(decimated), str(out), "--method", "unet", "--adapt", *streaming]) == 130
            assert list(tmp_path.iterdir()) == [decimated]
        with pytest.raises(KeyboardInterrupt):
            fill_file(decimated, out, "unet", workers=0, adapt=FEW)
        assert list(tmp_path.iterdir()) == [decimated]
