"""Tests for seisfill.masks.patterns: seeded decimation keep masks."""

from __future__ import annotations

import numpy as np
import pytest

from seisfill.errors import SeisfillError
from seisfill.masks import (
    decimate,
    decimate_dead_channels,
    decimate_gaps,
    decimate_jittered,
    decimate_random,
    decimate_regular,
)


def runs_of_missing(keep: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each run of False in a 1-D keep mask."""
    padded = np.concatenate([[True], keep, [True]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    starts, stops = edges[0::2], edges[1::2]
    return [(int(a), int(b - a)) for a, b in zip(starts, stops, strict=True)]


def test_random_exact_count_and_seeding():
    keep = decimate_random(200, 0.5, seed=7)
    assert keep.shape == (200,) and keep.dtype == bool
    assert np.count_nonzero(~keep) == 100
    np.testing.assert_array_equal(keep, decimate_random(200, 0.5, seed=7))
    assert not np.array_equal(keep, decimate_random(200, 0.5, seed=8))
    assert np.count_nonzero(~decimate_random(200, 0.3, seed=1)) == 60
    assert decimate_random(200, 0.0, seed=1).all()
    gen = np.random.default_rng(3)
    assert np.count_nonzero(decimate_random(200, 0.25, gen)) == 150


def test_random_rejects_impossible_requests():
    with pytest.raises(SeisfillError):
        decimate_random(200, 1.0, seed=0)
    with pytest.raises(SeisfillError):
        decimate_random(10, 0.9, seed=0)  # 1 live trace left
    assert np.count_nonzero(decimate_random(10, 0.8, seed=0)) == 2
    with pytest.raises(SeisfillError):
        decimate_random(200, 50, seed=0)  # percent passed as a fraction
    with pytest.raises(SeisfillError):
        decimate_random(200, 0.5, seed=None)
    with pytest.raises(SeisfillError):
        decimate_random((2, 3, 4), 0.5, seed=0)


def test_regular_keeps_every_other_trace():
    keep = decimate_regular(200, 2)
    np.testing.assert_array_equal(np.flatnonzero(keep), np.arange(0, 200, 2))
    shifted = decimate_regular(200, 2, offset=1)
    np.testing.assert_array_equal(np.flatnonzero(shifted), np.arange(1, 200, 2))
    every3 = decimate_regular(100, 3, seed=5)
    kept = np.flatnonzero(every3)
    assert kept[0] < 3 and set(np.diff(kept)) == {3}
    np.testing.assert_array_equal(every3, decimate_regular(100, 3, seed=5))
    offsets = {int(np.flatnonzero(decimate_regular(100, 4, seed=s))[0]) for s in range(30)}
    assert offsets == {0, 1, 2, 3}
    with pytest.raises(SeisfillError):
        decimate_regular(5, 3)  # only 1 trace could be kept for some offsets
    with pytest.raises(SeisfillError):
        decimate_regular(10, 2, offset=2)


def test_jittered_one_per_cell_and_bounded_gaps():
    every = 4
    for seed in range(10):
        keep = decimate_jittered(203, every, seed)
        counts = np.add.reduceat(keep.astype(int), np.arange(0, 203, every))
        assert (counts == 1).all()
        kept = np.flatnonzero(keep)
        assert np.diff(kept).max() < 2 * every
    a = decimate_jittered(200, 3, seed=1)
    np.testing.assert_array_equal(a, decimate_jittered(200, 3, seed=1))
    assert not np.array_equal(a, decimate_jittered(200, 3, seed=2))
    assert np.diff(np.flatnonzero(a)).min() >= 1 and len(set(np.diff(np.flatnonzero(a)))) > 1
    with pytest.raises(SeisfillError):
        decimate_jittered(4, 4, seed=0)


def test_gaps_exact_interior_runs():
    for seed in range(20):
        keep = decimate_gaps(100, 8, seed)
        assert runs_of_missing(keep) == [(runs_of_missing(keep)[0][0], 8)]
        start = runs_of_missing(keep)[0][0]
        assert 1 <= start and start + 8 <= 98  # not touching first nor last trace
        two = decimate_gaps(100, 16, seed, n_gaps=2)
        runs = runs_of_missing(two)
        assert [length for _, length in runs] == [16, 16]
        assert runs[0][0] >= 1 and runs[1][0] + 16 <= 99
        assert runs[1][0] > runs[0][0] + 16  # separated by at least one live trace
    # tight fit: 2 live traces, one gap, must sit between them
    np.testing.assert_array_equal(decimate_gaps(10, 8, seed=3), [True] + [False] * 8 + [True])
    with pytest.raises(SeisfillError):
        decimate_gaps(10, 9, seed=0)
    with pytest.raises(SeisfillError):
        decimate_gaps(10, 3, seed=0, n_gaps=3)  # runs cannot be kept apart


def test_dead_channels_fraction_and_clusters():
    sizes = []
    for seed in range(20):
        keep = decimate_dead_channels(2000, 0.05, seed)
        frac = np.count_nonzero(~keep) / keep.size
        assert abs(frac - 0.05) <= 0.02
        sizes += [length for _, length in runs_of_missing(keep)]
    sizes = np.array(sizes)
    assert np.count_nonzero(sizes == 1) > np.count_nonzero(sizes > 1)  # mostly isolated
    assert np.count_nonzero((sizes >= 2) & (sizes <= 4)) > 0  # a few clusters
    assert sizes.max() >= 6  # occasional long cable gap
    grid = decimate_dead_channels((40, 120), 0.1, seed=2)
    assert grid.shape == (40, 120)
    assert abs(np.count_nonzero(~grid) / grid.size - 0.1) <= 0.02
    dense = decimate_dead_channels(100, 0.9, seed=1)
    assert np.count_nonzero(dense) == 10
    with pytest.raises(SeisfillError):
        decimate_dead_channels(100, 0.99, seed=1)


def test_grids_3d():
    shape = (20, 30)
    rnd = decimate_random(shape, 0.5, seed=0)
    assert rnd.shape == shape and np.count_nonzero(~rnd) == 300
    # regular along crosslines (default) keeps whole crossline columns
    reg = decimate_regular(shape, 2)
    np.testing.assert_array_equal(reg, np.tile(np.arange(30) % 2 == 0, (20, 1)))
    reg0 = decimate_regular(shape, 2, axis=0)
    np.testing.assert_array_equal(reg0[:, 0], np.arange(20) % 2 == 0)
    assert (reg0 == reg0[:, :1]).all()
    both = decimate_regular(shape, 2, axis=(0, 1))
    assert np.count_nonzero(both) == 10 * 15
    # jittered on both axes: one trace per 3x3 cell (7 x 10 cells)
    jit = decimate_jittered(shape, 3, seed=1, axis=(0, 1))
    cells = np.add.reduceat(
        np.add.reduceat(jit.astype(int), np.arange(0, 20, 3), 0), np.arange(0, 30, 3), 1
    )
    assert (cells == 1).all()
    jit1 = decimate_jittered(shape, 3, seed=1)
    assert (jit1 == jit1[:1]).all() and np.count_nonzero(jit1[0]) == 10
    # gaps: whole lines along one axis, square holes on both
    gap = decimate_gaps(shape, 4, seed=2, n_gaps=2)
    assert np.count_nonzero(~gap) == 2 * 4 * 20 and (gap == gap[:1]).all()
    holes = decimate_gaps(shape, 4, seed=2, n_gaps=2, axis=(0, 1))
    assert np.count_nonzero(~holes) == 2 * 16
    rows, cols = np.nonzero(~holes)
    assert rows.min() >= 1 and rows.max() <= 18 and cols.min() >= 1 and cols.max() <= 28
    for spec in ("random50", "regular2", "jitter3", "gap4x2", "dead5", "mix:random30+gap4"):
        mask = decimate(shape, spec, seed=3)
        assert mask.shape == shape and mask.dtype == bool and np.count_nonzero(mask) >= 2
    with pytest.raises(SeisfillError):
        decimate_regular(shape, 2, axis=2)
