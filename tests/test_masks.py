"""Tests for seisfill.masks: dead-trace detection and simulated decimation."""

from __future__ import annotations

import numpy as np
import pytest

from seisfill.errors import SeisfillError
from seisfill.masks import (
    CONSTANT,
    FLAGGED,
    MISSING,
    NONFINITE,
    RMS_OUTLIER,
    ZERO,
    DeadReason,
    Decimation,
    apply_mask,
    dead_reasons,
    decimate,
    decimate_dead_channels,
    decimate_gaps,
    decimate_jittered,
    decimate_mix,
    decimate_random,
    decimate_regular,
    describe_reasons,
    live_mask,
    parse_pattern,
)


def runs_of_missing(keep: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each run of False in a 1-D keep mask."""
    padded = np.concatenate([[True], keep, [True]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    starts, stops = edges[0::2], edges[1::2]
    return [(int(a), int(b - a)) for a, b in zip(starts, stops, strict=True)]


# ---------------------------------------------------------------------------
# dead traces
# ---------------------------------------------------------------------------


def make_gather(n_traces: int = 16, n_samples: int = 300, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    amp = rng.uniform(0.8, 1.25, size=(n_traces, 1))
    return (amp * rng.normal(size=(n_traces, n_samples))).astype(np.float32)


def hand_built_gather() -> tuple[np.ndarray, np.ndarray]:
    data = make_gather()
    data[1] = 0.0  # zero trace
    data[1, 5] = -0.0  # negative zero is still zero
    data[3] = 7.5  # constant trace
    data[5, 10] = np.nan  # NaN
    data[6, 0] = np.inf  # Inf
    data[9] *= 100.0  # loud trace
    trace_id = np.ones(16, dtype=np.int16)
    trace_id[11] = 2  # dead
    trace_id[12] = 3  # dummy
    return data, trace_id


def test_dead_reasons_hand_built_gather():
    data, trace_id = hand_built_gather()
    reasons = dead_reasons(data, trace_id)
    assert reasons.dtype == np.uint8
    assert reasons.shape == (16,)
    expected = np.zeros(16, dtype=np.uint8)
    expected[1] = ZERO
    expected[3] = CONSTANT
    expected[5] = NONFINITE
    expected[6] = NONFINITE
    expected[11] = FLAGGED
    expected[12] = FLAGGED
    np.testing.assert_array_equal(reasons, expected)


def test_rms_outlier_only_when_asked():
    data, trace_id = hand_built_gather()
    plain = dead_reasons(data, trace_id)
    loud = dead_reasons(data, trace_id, rms_outlier=5)
    assert plain[9] == 0
    assert loud[9] == RMS_OUTLIER
    # nothing else changes: live traces of ordinary amplitude stay live
    others = np.arange(16) != 9
    np.testing.assert_array_equal(loud[others], plain[others])
    assert np.count_nonzero(loud) == np.count_nonzero(plain) + 1


def test_rms_outlier_quiet_trace_and_skip_small_gathers():
    data = make_gather()
    data[4] *= 0.01
    assert dead_reasons(data, rms_outlier=5)[4] == RMS_OUTLIER
    # fewer live traces than rms_min_live: test skipped
    assert dead_reasons(data[:6], rms_outlier=5)[4] == 0
    assert dead_reasons(data[:6], rms_outlier=5, rms_min_live=5)[4] == RMS_OUTLIER


def test_rms_outlier_identical_traces_not_flagged():
    # zero MAD: the spread floor keeps tiny differences from being flagged
    trace = np.sin(np.linspace(0, 20, 200))
    data = np.tile(trace, (12, 1))
    data[2] *= 1.001
    assert not dead_reasons(data, rms_outlier=5).any()
    data[7] *= 2.0
    assert np.flatnonzero(dead_reasons(data, rms_outlier=5)).tolist() == [7]


def test_live_traces_give_zero():
    data = make_gather(n_traces=40, seed=3)
    reasons = dead_reasons(data, np.ones(40, dtype=int), rms_outlier=5)
    assert not reasons.any()
    assert live_mask(reasons).all()


def test_several_reasons_on_one_trace():
    data = make_gather()
    data[2] = 0.0
    trace_id = np.ones(16, dtype=int)
    trace_id[2] = 2
    reasons = dead_reasons(data, trace_id)
    assert reasons[2] == FLAGGED | ZERO
    all_inf = make_gather()
    all_inf[0] = np.inf
    assert dead_reasons(all_inf)[0] == NONFINITE  # not also CONSTANT


def test_dead_reasons_leading_gather_axes():
    data, trace_id = hand_built_gather()
    rng = np.random.default_rng(1)
    stack = np.stack([np.roll(data, s, axis=0) for s in range(6)]).reshape(2, 3, 16, 300)
    ids = np.stack([np.roll(trace_id, s) for s in range(6)]).reshape(2, 3, 16)
    stack = stack * rng.uniform(0.5, 2.0, size=(2, 3, 1, 1)).astype(np.float32)
    reasons = dead_reasons(stack, ids, rms_outlier=5)
    assert reasons.shape == (2, 3, 16)
    single = dead_reasons(data, trace_id, rms_outlier=5)
    for s in range(6):
        np.testing.assert_array_equal(reasons.reshape(6, 16)[s], np.roll(single, s))
    # a trace_id shared by all gathers broadcasts
    shared = dead_reasons(stack, trace_id)
    assert shared.shape == (2, 3, 16)
    assert (shared[..., 11] & FLAGGED).all()


def test_dead_reasons_integer_data_and_errors():
    ints = np.arange(12 * 10, dtype=np.int16).reshape(12, 10)
    ints[4] = 0
    ints[5] = 3
    reasons = dead_reasons(ints)
    assert reasons[4] == ZERO and reasons[5] == CONSTANT
    assert np.count_nonzero(reasons) == 2
    with pytest.raises(SeisfillError):
        dead_reasons(np.zeros(10))
    with pytest.raises(SeisfillError):
        dead_reasons(np.zeros((4, 0)))
    with pytest.raises(SeisfillError):
        dead_reasons(np.zeros((4, 10)), trace_id=np.zeros(5, dtype=int))
    with pytest.raises(SeisfillError):
        dead_reasons(np.zeros((4, 10)), rms_outlier=0)
    with pytest.raises(SeisfillError):
        dead_reasons(np.zeros((4, 10), dtype=complex))


def test_describe_reasons_counts():
    data, trace_id = hand_built_gather()
    reasons = dead_reasons(data, trace_id, rms_outlier=5)
    reasons[0] |= MISSING
    counts = describe_reasons(reasons)
    assert counts == {
        "traces": 16,
        "live": 8,
        "dead": 8,
        "flagged": 2,
        "zero": 1,
        "constant": 1,
        "nonfinite": 2,
        "rms_outlier": 1,
        "missing": 1,
    }
    assert [r.value for r in DeadReason] == [1, 2, 4, 8, 16, 32]


def test_apply_mask_zeroes_missing_traces():
    data = make_gather(n_traces=6, n_samples=5)
    data[2, 1] = np.nan
    keep = np.array([True, True, False, True, False, True])
    out = apply_mask(data, keep)
    assert out.dtype == data.dtype and out.shape == data.shape
    assert not out[[2, 4]].any()
    np.testing.assert_array_equal(out[keep], data[keep])
    assert np.isnan(data[2, 1])  # input untouched
    stack = np.stack([data, data])
    out2 = apply_mask(stack, np.stack([keep, ~keep]))
    assert not out2[0, 2].any() and not out2[1, 0].any()
    np.testing.assert_array_equal(apply_mask(stack, keep)[1], out)  # broadcast over gathers
    with pytest.raises(SeisfillError, match="live_mask"):
        apply_mask(data, keep.astype(np.uint8))
    with pytest.raises(SeisfillError):
        apply_mask(data, np.ones(5, dtype=bool))


# ---------------------------------------------------------------------------
# decimation patterns
# ---------------------------------------------------------------------------


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


def test_mix_is_union_of_patterns():
    keep = decimate_mix(300, seed=4, patterns=("random30", "gap8"))
    rng = np.random.default_rng(4)
    first = decimate(300, "random30", rng)
    second = decimate(300, "gap8", rng)
    np.testing.assert_array_equal(keep, first & second)
    assert np.count_nonzero(~keep) == np.count_nonzero(~first | ~second)
    assert np.count_nonzero(~keep) >= 90
    np.testing.assert_array_equal(keep, decimate(300, "mix:random30+gap8", 4))
    with pytest.raises(SeisfillError):
        decimate_mix(300, 0, patterns=())


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


# ---------------------------------------------------------------------------
# pattern specs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        "random50",
        "random0.7",
        "random12.5",
        "regular2",
        "jitter3",
        "gap8",
        "gap16x2",
        "dead5",
        "dead0.05",
        "mix:random30+gap8",
        "mix:regular2+dead5+gap4x3",
    ],
)
def test_parse_pattern_round_trips(spec):
    d = parse_pattern(spec)
    assert isinstance(d, Decimation)
    assert d.name == spec and str(d) == spec
    assert parse_pattern(d.name) == d
    assert parse_pattern(d) is d
    hash(d)
    keep = d(200, 0)
    assert keep.shape == (200,) and np.count_nonzero(keep) >= 2
    np.testing.assert_array_equal(keep, decimate(200, spec, 0))


def test_parse_pattern_values():
    assert parse_pattern("random50").fraction == 0.5
    assert parse_pattern("random0.7").fraction == 0.7
    assert parse_pattern(" Random50 ").name == "random50"
    assert parse_pattern("gap8x1").name == "gap8"
    assert parse_pattern("gap16x2").kwargs == {"gap": 16, "n_gaps": 2}
    assert np.count_nonzero(~decimate(200, "random0.7", 1)) == 140
    assert np.count_nonzero(~decimate(200, "random70", 1)) == 140
    assert np.count_nonzero(~decimate(200, "dead5", 1)) == 10
    np.testing.assert_array_equal(decimate(10, "regular2", None), np.arange(10) % 2 == 0)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "random",
        "random150",
        "regular0",
        "regularx",
        "jitter",
        "gap0",
        "gap8x0",
        "gap8y2",
        "dead",
        "mix:",
        "mix:random30+",
        "mix:mix:gap8",
        "sparse50",
        "random-5",
        50,
    ],
)
def test_parse_pattern_rejects_garbage(bad):
    with pytest.raises(SeisfillError, match="valid forms"):
        parse_pattern(bad)


def test_decimation_direct_construction_is_checked():
    with pytest.raises(SeisfillError):
        Decimation("blur", ())
    with pytest.raises(SeisfillError):
        Decimation("random", (("every", 2),))
    d = Decimation("regular", (("every", 4),))
    assert d.name == "regular4" and parse_pattern("regular4") == d
