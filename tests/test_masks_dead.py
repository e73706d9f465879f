"""Tests for seisfill.masks.dead: dead-trace detection, reasons and the slot live mask."""

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
    apply_mask,
    dead_reasons,
    describe_reasons,
    live_mask,
    rms_outliers,
    slot_live,
)


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
# reasons and live mask on a grid of slots
# ---------------------------------------------------------------------------


def test_slot_live_hand_built_grid():
    trace_reasons = np.array([0, ZERO, 0, FLAGGED], dtype=np.uint8)
    slot_trace = np.array([[0, 1, -1], [3, 2, -1]])
    pad = np.array([[False, False, True], [False, False, False]])
    reasons, live = slot_live(trace_reasons, slot_trace, pad)
    assert reasons.dtype == np.uint8 and live.dtype == bool
    np.testing.assert_array_equal(reasons, [[0, ZERO, 0], [FLAGGED, 0, MISSING]])
    np.testing.assert_array_equal(live, [[True, False, False], [False, True, False]])
    # without pad every empty slot is missing
    reasons, live = slot_live(trace_reasons, slot_trace)
    np.testing.assert_array_equal(reasons[:, 2], [MISSING, MISSING])
    np.testing.assert_array_equal(live, live_mask(reasons) & (slot_trace >= 0))


def test_slot_live_rms_outlier_matches_dead_reasons():
    data, trace_id = hand_built_gather()
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        log_rms = 0.5 * np.log(np.mean(data.astype(np.float64) ** 2, axis=1))
    per_trace = dead_reasons(data, trace_id)
    reasons, live = slot_live(per_trace, np.arange(16), log_rms=log_rms, rms_outlier=5)
    np.testing.assert_array_equal(reasons, dead_reasons(data, trace_id, rms_outlier=5))
    assert reasons[9] == RMS_OUTLIER and not live[9]
    # traces in another slot order, with padding: reasons follow their traces, padding takes no part
    order = np.random.default_rng(0).permutation(16)
    slots = np.concatenate([order, [-1, -1]])[None, :]
    pad = slots < 0
    moved, moved_live = slot_live(per_trace, slots, pad, log_rms=log_rms, rms_outlier=5)
    np.testing.assert_array_equal(moved[0, :16], reasons[order])
    np.testing.assert_array_equal(moved_live[0, :16], live[order])
    assert not moved[0, 16:].any() and not moved_live[0, 16:].any()
    direct = rms_outliers(np.where(slots >= 0, log_rms[slots], np.nan), moved_live, 5)
    assert not direct.any()  # the outlier was flagged, the others pass
    with pytest.raises(ValueError, match="log_rms"):
        slot_live(per_trace, np.arange(16), rms_outlier=5)
