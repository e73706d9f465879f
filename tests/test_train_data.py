"""Tests for seisfill.train.data / config: patches, masks, hold-out, packs."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from segy_factory import DATA_DIR

pytest.importorskip("torch")

from seisfill.errors import SeisfillError  # noqa: E402
from seisfill.train.config import CONFIG_DIR, data_root, load_config, resolve_path  # noqa: E402
from seisfill.train.data import (  # noqa: E402
    MASK_KINDS,
    PatchDataset,
    describe_split,
    draw_mask,
    holdout_masks,
    load_real_volumes,
    pack_npz,
    real_files,
)

needs_real = pytest.mark.skipif(
    not (DATA_DIR / "penobscot_xl1155.sgy").exists(), reason="real SEG-Y files not available"
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
            f"data.root={DATA_DIR}",
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
    gpu = load_config(CONFIG_DIR / "gpu_2d.yaml")
    assert gpu["data"]["npz"] == "packs/gpu_2d.npz"  # data/npz2d.yaml over data/synthetic_real2d.yaml
    assert gpu["data"]["patch"] == [256, 64] and gpu["train"]["precision"] == "bf16"


def test_config_rejects_unknown_keys():
    with pytest.raises(SeisfillError, match="unknown config key"):
        load_config("tiny", ["train.stpes=3"])
    with pytest.raises(SeisfillError, match="data.patch"):
        load_config("tiny", ["data.patch=[64,32,32]"])


def test_config_paths_are_relative_to_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_path("packs/a.npz") == tmp_path.resolve() / "packs" / "a.npz"
    assert resolve_path(tmp_path / "x") == tmp_path / "x"
    assert resolve_path(None) is None


def test_data_root_has_no_default_and_names_the_option(tmp_path, monkeypatch):
    monkeypatch.delenv("SEISFILL_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    cfg = load_config("cpu_2d")
    assert cfg["data"]["root"] is None and cfg["data"]["sources"]["real"] > 0
    with pytest.raises(SeisfillError, match=r"data.root is not set: .*--set data.root=DIR"):
        PatchDataset(cfg, "val")
    with pytest.raises(SeisfillError, match=r"data.root=nowhere: no such folder"):
        data_root(load_config("cpu_2d", ["data.root=nowhere"])["data"])
    (tmp_path / "real").mkdir()
    assert data_root(load_config("cpu_2d", ["data.root=real"])["data"]) == tmp_path.resolve() / "real"
    monkeypatch.setenv("SEISFILL_DATA", str(tmp_path / "real"))
    assert data_root(cfg["data"]) == (tmp_path / "real").resolve()  # the environment gives the default
    assert data_root(load_config("cpu_2d", [f"data.root={tmp_path}"])["data"]) == tmp_path.resolve()  # the config wins
    with pytest.raises(SeisfillError, match="penobscot_xl1155.sgy not found"):
        real_files(cfg["data"])
    # no real file read, no root needed: synthetic only, absolute file names, or an npz pack
    monkeypatch.delenv("SEISFILL_DATA")
    assert len(PatchDataset(load_config("tiny"), "val")) > 0
    (tmp_path / "line.sgy").touch()
    absolute = load_config("cpu_2d", [f"data.real.files=[{tmp_path / 'line.sgy'}]"])
    assert real_files(absolute["data"]) == [tmp_path / "line.sgy"]


@pytest.mark.parametrize("name", ["tiny", "cpu_quick", "cpu_2d", "gpu_2d", "gpu_3d"])
def test_shipped_configs_load(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # by name, from any folder: the configs are package data
    cfg = load_config(name)
    assert len(cfg["data"]["patch"]) == cfg["model"]["ndim"]
    assert load_config(f"configs/{name}.yaml") == cfg  # as the docs spell it
    assert load_config(CONFIG_DIR / f"{name}.yaml") == cfg


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
        "gpu_3d",
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
    cfg = load_config("cpu_2d")
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
