"""Tests for seisfill.simulate.decimate_dataset."""

from __future__ import annotations

import numpy as np
import pytest
from segy_factory import make_shots

import seisfill
from seisfill.errors import SeisfillError
from seisfill.masks import decimate
from seisfill.simulate import DECIMATED, decimate_dataset


@pytest.fixture
def dead_shots(tmp_path):
    # shot 0: traces 1 (trid 2) and 5 (zero) dead; shot 2 ragged (10 channels)
    sf = make_shots(tmp_path / "d.sgy", counts=[12, 12, 10], dead={1: "flagged", 5: "zero"})
    return seisfill.read_segy(sf.path)


def test_removes_only_live_traces_seeded(dead_shots):
    ds = dead_shots
    out = decimate_dataset(ds, "random50", seed=11)
    killed = out[DECIMATED].values
    assert out[DECIMATED].dtype == bool
    live_before = ds["live"].values
    assert not (killed & ~live_before).any()  # never dead, missing or padding slots
    # half of each gather's live traces (10, 12, 10)
    np.testing.assert_array_equal(killed.sum(axis=1), [5, 6, 5])
    np.testing.assert_array_equal(out["live"].values, live_before & ~killed)
    # the pattern is drawn over the live traces of gather g with seed + g
    for g in range(3):
        idx = np.flatnonzero(live_before[g])
        keep = decimate(idx.size, "random50", seed=11 + g)
        np.testing.assert_array_equal(np.flatnonzero(killed[g]), idx[~keep])
    # same seed, same result; another seed, another
    again = decimate_dataset(ds, "random50", seed=11)
    np.testing.assert_array_equal(again[DECIMATED].values, killed)
    other = decimate_dataset(ds, "random50", seed=12)
    assert not np.array_equal(other[DECIMATED].values, killed)


def test_amplitudes_zeroed_and_reference_untouched(dead_shots):
    ds = dead_shots
    reference = ds["amplitude"].values.copy()
    out = decimate_dataset(ds, "regular2", seed=0)
    killed = out[DECIMATED].values
    assert (out["amplitude"].values[killed] == 0).all()
    np.testing.assert_array_equal(out["amplitude"].values[~killed], reference[~killed])
    np.testing.assert_array_equal(ds["amplitude"].values, reference)  # input not modified
    assert ds["live"].values.sum() == 32
    np.testing.assert_array_equal(out["dead_reason"].values, ds["dead_reason"].values)
    assert out.attrs["decimation"] == "regular2"
    assert out.attrs["decimation_seed"] == 0
    assert out[DECIMATED].attrs["long_name"] == "removed by decimation regular2 (seed 0)"
    assert out["amplitude"].dtype == np.float32


def test_small_gathers_are_left_alone(tmp_path):
    sf = make_shots(tmp_path / "s.sgy", counts=[12, 2], n_shots=2)
    out = decimate_dataset(seisfill.read_segy(sf.path), "random50", seed=0)
    assert out[DECIMATED].values[0].sum() == 6
    assert not out[DECIMATED].values[1].any()


def test_cube_is_decimated_as_one_grid(cube):
    ds = seisfill.read_segy(cube.path)
    out = decimate_dataset(ds, "regular2", seed=3)
    keep = decimate((5, 6), "regular2", seed=3)
    np.testing.assert_array_equal(out[DECIMATED].values, ~keep & ds["live"].values)
    assert not out[DECIMATED].values[2, 3]  # the missing node stays only missing


def test_lazy_dataset_gives_the_same(tmp_path):
    sf = make_shots(tmp_path / "s.sgy", fmt=1)
    eager = decimate_dataset(seisfill.read_segy(sf.path), "gap3", seed=5)
    lazy = decimate_dataset(seisfill.read_segy(sf.path, chunks={"gather": 1}), "gap3", seed=5)
    assert lazy["amplitude"].chunks is not None
    np.testing.assert_array_equal(lazy["amplitude"].values, eager["amplitude"].values)
    np.testing.assert_array_equal(lazy[DECIMATED].values, eager[DECIMATED].values)
    assert eager[DECIMATED].values.sum() == 9  # one gap of 3 per gather


def test_decimate_then_fill_then_compare(tmp_path):
    sf = make_shots(tmp_path / "s.sgy", n_samples=60)
    ds = seisfill.read_segy(sf.path)
    out = seisfill.fill(decimate_dataset(ds, "regular2", seed=0), "linear")
    killed = out[DECIMATED].values
    np.testing.assert_array_equal(out["filled"].values, killed)
    error = out["amplitude"].values[killed] - ds["amplitude"].values[killed]
    # linear interpolation of gently dipping events: much smaller than the signal
    assert np.sqrt(np.mean(error**2)) < 0.5 * np.sqrt(np.mean(ds["amplitude"].values[killed] ** 2))


def test_bad_pattern(dead_shots):
    with pytest.raises(SeisfillError, match="unknown decimation pattern"):
        decimate_dataset(dead_shots, "sometimes", seed=0)
