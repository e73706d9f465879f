"""Tests for seisfill.train.data / normalize / config: patches, masks, hold-out, packs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

from seisfill.errors import SeisfillError  # noqa: E402
from seisfill.train.config import REPO_ROOT, load_config, resolve_path  # noqa: E402
from seisfill.train.data import (  # noqa: E402
    MASK_KINDS,
    PatchDataset,
    describe_split,
    draw_mask,
    holdout_masks,
    load_real_volumes,
    pack_npz,
)
from seisfill.train.normalize import compute_gain, denormalize, normalize  # noqa: E402

DATA = resolve_path(load_config("tiny")["data"]["root"])
needs_real = pytest.mark.skipif(
    DATA is None or not (DATA / "penobscot_xl1155.sgy").exists(), reason="real SEG-Y files not available"
)


@pytest.fixture(scope="module")
def tiny():
    return load_config("tiny")


def _real_cfg(patch=(256, 64)):
    """Real windows only, all five files, cdp700 held out whole."""
    return load_config(
        "tiny",
        [
            f"data.patch=[{','.join(str(p) for p in patch)}]",
            "data.sources={synthetic_gather: 0, synthetic_section: 0, synthetic_cube: 0, real: 1}",
            "data.real.files=[penobscot_xl1155.sgy, qdn_poststack2d.sgy, real3d_poststack.sgy, f3.sgy, cdp700_land.sgy]",
            "data.holdout.files=[cdp700_land.sgy]",
        ],
    )


# ---------------------------------------------------------------------------
# config
# ---------------------------------------------------------------------------


def test_config_composes_groups_and_overrides():
    cfg = load_config("tiny", ["train.steps=7", "model.width=4", "data.patch=[32,16]"])
    assert cfg["train"]["steps"] == 7
    assert cfg["model"]["width"] == 4 and cfg["model"]["conv"] == "partial"
    assert cfg["data"]["patch"] == [32, 16]
    assert cfg["masks"]["kinds"]["dead"] == 0.0  # from masks/easy.yaml
    gpu = load_config(REPO_ROOT / "configs" / "gpu_2d.yaml")
    assert gpu["data"]["npz"] == "packs/gpu_2d.npz"  # data/npz2d.yaml over data/synthetic_real2d.yaml
    assert gpu["data"]["patch"] == [256, 64] and gpu["train"]["precision"] == "bf16"


def test_config_rejects_unknown_keys():
    with pytest.raises(SeisfillError, match="unknown config key"):
        load_config("tiny", ["train.stpes=3"])
    with pytest.raises(SeisfillError, match="data.patch"):
        load_config("tiny", ["data.patch=[64,32,32]"])


def test_default_data_root_is_shared_data():
    assert resolve_path("../shared/data") == Path(__import__("seisfill").__file__).resolve().parents[2] / "shared" / "data"


@pytest.mark.parametrize("name", ["tiny", "cpu_quick", "cpu_2d", "gpu_2d", "gpu_3d"])
def test_shipped_configs_load(name):
    cfg = load_config(REPO_ROOT / "configs" / f"{name}.yaml")
    assert len(cfg["data"]["patch"]) == cfg["model"]["ndim"]


# ---------------------------------------------------------------------------
# patches
# ---------------------------------------------------------------------------


def test_patch_shapes_2d(tiny):
    ds = PatchDataset(tiny, "train")
    item = ds[3]
    T, X = tiny["data"]["patch"]
    for key in ("x", "mask", "target", "valid"):
        assert tuple(item[key].shape) == (1, T, X)
        assert item[key].dtype.is_floating_point
    assert tuple(item["gain"].shape) == (T,)
    assert len(ds) == tiny["data"]["epoch_size"]


def test_patch_shapes_3d():
    cfg = load_config(
        REPO_ROOT / "configs" / "gpu_3d.yaml",
        [
            "data.npz=null",
            "data.patch=[32,8,8]",
            "data.sources={synthetic_cube: 1, real: 0}",
            "data.synthetic.cube_shape=[12,12,48]",
            "data.synthetic.pool_size=2",
        ],
    )
    ds = PatchDataset(cfg, "train")
    for i in range(4):
        item = ds[i]
        assert tuple(item["x"].shape) == (1, 32, 8, 8)
        p = ds.sample(i)
        assert p.keep.shape == (8, 8)
        assert p.keep.sum() >= 2 and (~p.keep & p.valid_traces).any()


def test_determinism(tiny):
    a = PatchDataset(tiny, "train")
    b = PatchDataset(tiny, "train")
    for i in (0, 5, 10_000):  # indices past len() are valid too
        pa, pb = a.sample(i), b.sample(i)
        np.testing.assert_array_equal(pa.target, pb.target)
        np.testing.assert_array_equal(pa.keep, pb.keep)
        assert pa.meta["mask"] == pb.meta["mask"]
        ia, ib = a[i], b[i]
        for key in ("x", "mask", "target"):
            assert (ia[key] == ib[key]).all()
    # order of access does not matter (caches), other seeds differ
    c = PatchDataset(tiny, "train")
    for i in (9, 3, 0):
        c.sample(i)
    np.testing.assert_array_equal(c.sample(5).target, a.sample(5).target)
    other = PatchDataset(load_config("tiny", ["seed=1"]), "train")
    assert not np.array_equal(other.sample(5).target, a.sample(5).target)
    assert not np.array_equal(a.sample(1).target, a.sample(2).target)


def test_mask_mix_yields_every_kind():
    cfg = load_config(REPO_ROOT / "configs" / "cpu_2d.yaml")
    rng = np.random.default_rng(0)
    kinds = Counter()
    for _ in range(300):
        keep, info = draw_mask((64,), rng, cfg["masks"])
        kinds[info["kind"]] += 1
        assert keep.sum() >= 2 and (~keep).any()
    assert set(kinds) == set(MASK_KINDS)
    probs = cfg["masks"]["kinds"]
    for k, n in kinds.items():
        assert abs(n / 300 - probs[k]) < 0.1
    grid = Counter(draw_mask((8, 8), rng, cfg["masks"])[1]["kind"] for _ in range(200))
    assert set(grid) == set(MASK_KINDS)
    # padded (invalid) traces are never live, and some valid trace is always missing
    valid = np.zeros(64, dtype=bool)
    valid[10:40] = True
    for _ in range(50):
        keep, _ = draw_mask((64,), rng, cfg["masks"], valid)
        assert not keep[~valid].any() and keep.sum() >= 2 and (valid & ~keep).any()


@pytest.mark.parametrize("gain", ["none", "agc", "tpow"])
@pytest.mark.parametrize("method", ["percentile", "mad", "rms"])
def test_normalize_invertible(gain, method):
    rng = np.random.default_rng(1)
    t = np.arange(200)[:, None]
    x = (rng.standard_normal((200, 24)) * 1000.0 / (1 + t / 10.0)).astype(np.float32)
    live = rng.random(24) > 0.3
    x[:, ~live] = 0.0
    x[:20] = 0.0  # a muted top: the AGC floor keeps it finite
    cfg = {"gain": gain, "method": method, "dt": 0.002}
    xn, state = normalize(x, live, cfg, t_start=37)
    assert np.isfinite(xn).all()
    back = denormalize(xn, state)
    assert np.linalg.norm(back - x) <= 1e-6 * np.linalg.norm(x)
    np.testing.assert_allclose(back, x, rtol=1e-5, atol=1e-6 * np.abs(x).max())
    assert np.all(xn[:, ~live] == 0)
    if gain != "none":
        assert state.gain is not None and state.gain.shape == (200,)
    if method == "percentile":
        g = compute_gain(x, live, cfg, t_start=37)
        gx = x * (1 if g is None else g[:, None])
        values = np.abs(gx[:, live])
        assert np.isclose(np.percentile(values[values > 0], 99.0), state.scale, rtol=1e-5)
    # 3-D and torch tensors too
    torch = pytest.importorskip("torch")
    cube = x.reshape(200, 4, 6)
    cn, st = normalize(cube, live.reshape(4, 6), cfg)
    back3 = denormalize(torch.from_numpy(cn), st).numpy()
    assert np.linalg.norm(back3 - cube) <= 1e-6 * np.linalg.norm(cube)


def test_normalize_silent_patch_stays_zero():
    x = np.zeros((64, 8), dtype=np.float32)
    xn, state = normalize(x, np.ones(8, bool), {"gain": "agc"})
    assert np.all(xn == 0) and np.isfinite(state.scale)


def test_normalize_mostly_muted_patch_keeps_a_sane_scale():
    """Zeros (mutes, padding) do not enter the scale: a sparse patch is not blown up."""
    x = np.zeros((128, 32), dtype=np.float32)
    x[:, :3] = np.random.default_rng(0).standard_normal((128, 3)) * 0.02
    xn, state = normalize(x, np.ones(32, bool), {"gain": "none"})
    assert 0.01 < state.scale < 0.1
    assert np.abs(xn).max() < 10


def test_augmentation_keeps_data_mask_validity_consistent(tiny):
    ds = PatchDataset(tiny, "train")
    flips = polarity = 0
    for i in range(40):
        a = ds.arrays(i)
        p = a["patch"]
        mask, x, target, valid = a["mask"], a["x"], a["target"], a["valid"]
        assert set(np.unique(mask)) <= {0.0, 1.0}
        assert np.all(mask <= valid)  # live samples are valid
        assert np.all(x[mask == 0] == 0)  # missing input is zero
        np.testing.assert_array_equal(x[mask == 1], target[mask == 1])  # live input = reference
        np.testing.assert_array_equal(mask, (p.valid & p.keep[None]).astype(np.float32))
        assert not p.keep[~p.valid_traces].any()
        flips += bool(p.meta["augment"].get("flip0"))
        polarity += p.meta["augment"].get("polarity", 1.0) < 0
    assert 5 < flips < 35 and 5 < polarity < 35


@needs_real
def test_real_patch_matches_its_cells_after_augmentation():
    cfg = _real_cfg((64, 32))
    ds = PatchDataset(cfg, "train")
    vols = {v.vid: v for v in load_real_volumes(cfg, "train")}
    for i in range(30):
        p = ds.sample(i)
        cells = p.meta["cells"]
        sign_scale = p.meta["augment"].get("polarity", 1.0) * p.meta["augment"].get("scale", 1.0)
        t0 = p.meta["t_start"]
        for j in np.flatnonzero(p.valid_traces):
            vid, line, trace = cells[j]
            vol = vols[vid]
            ref = vol.data[line, trace, t0 : t0 + 64] * np.float32(sign_scale)
            np.testing.assert_allclose(p.target[: ref.size, j], ref, rtol=1e-5, atol=1e-5 * np.abs(ref).max())


@needs_real
def test_holdout_never_in_training_patches():
    cfg = _real_cfg((256, 64))
    info = describe_split(cfg)["real"]
    assert info["cdp700_land.sgy"]["train"] == "none"
    assert "450-600" in info["penobscot_xl1155.sgy"]["val"]
    names = list(cfg["data"]["real"]["files"])
    train_cells: dict[str, np.ndarray] = {}
    val_cells: dict[str, np.ndarray] = {}
    for vol in load_real_volumes(cfg, "train"):
        live = np.ones(vol.allowed.shape, bool)
        layout = vol.layout
        tr, va, _ = holdout_masks(vol.name, live, layout, cfg["data"]["holdout"])
        train_cells[vol.name], val_cells[vol.name] = tr, va
        assert not (tr & va).any()
    ds = PatchDataset(cfg, "train")
    assert "real:f3.sgy" in ds.skipped and "real:cdp700_land.sgy" in ds.skipped
    used = Counter()
    for i in range(150):
        p = ds.sample(i)
        for vid, line, trace in p.meta["cells"][p.valid_traces]:
            name = names[vid]
            used[name] += 1
            assert train_cells[name][line, trace], f"patch {i} uses non-training trace {name}[{line},{trace}]"
    assert used["penobscot_xl1155.sgy"] and used["qdn_poststack2d.sgy"]
    val = PatchDataset(cfg, "val")
    for i in range(len(val)):
        p = val.sample(i)
        for vid, line, trace in p.meta["cells"][p.valid_traces]:
            assert val_cells[names[vid]][line, trace]
    # the guard traces of the 2-D lines are used by neither split
    assert not train_cells["penobscot_xl1155.sgy"][0, 448:450].any()
    assert not val_cells["penobscot_xl1155.sgy"][0, 448:450].any()


def test_npz_round_trip(tiny, tmp_path):
    path = pack_npz(tiny, tmp_path / "pack.npz", n_train=6, n_val=5, progress=False)
    cfg = load_config("tiny", [f"data.npz={path}"])
    val_gen = PatchDataset(tiny, "val")
    val_npz = PatchDataset(cfg, "val")
    assert len(val_npz) == 5
    for i in range(5):
        a, b = val_gen.sample(i), val_npz.sample(i)
        np.testing.assert_array_equal(a.keep, b.keep)
        np.testing.assert_array_equal(a.valid, b.valid)
        scale = np.abs(a.target).max()
        np.testing.assert_allclose(b.target / np.abs(b.target).max(), a.target / scale, atol=2e-3)
        ia, ib = val_gen[i], val_npz[i]
        np.testing.assert_allclose(ia["target"].numpy(), ib["target"].numpy(), atol=5e-3)
        assert (ia["mask"] == ib["mask"]).all()
    train_npz = PatchDataset(cfg, "train")
    assert len(train_npz) == 6
    T, X = tiny["data"]["patch"]
    item = train_npz[7]  # beyond len(): wraps onto stored patches, fresh crop/mask
    assert tuple(item["x"].shape) == (1, T, X)
    again = PatchDataset(cfg, "train")[7]
    assert (item["x"] == again["x"]).all()
    with np.load(path) as z:
        assert z["train_target"].shape[1:] == (T + 2 * tiny["data"]["npz_margin"][0], X)
        assert z["train_target"].dtype == np.float16
