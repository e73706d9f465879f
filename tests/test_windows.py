"""Sine-squared window blending (:mod:`seisfill.windows`): ramps, weights, the three placements."""

from __future__ import annotations

import math

import numpy as np
import pytest

from seisfill import windows

# (n, length, overlap) with overlap <= length // 2: every placement takes these
CASES = [(256, 64, 32), (1000, 256, 128), (300, 256, 128), (77, 20, 7), (50, 50, 0), (10, 64, 5),
         (129, 64, 16), (100, 30, 1), (7, 2, 1), (1, 1, 0)]  # fmt: skip


def _sum(starts: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Summed weights on every sample of ``[0, n)`` (samples past ``n`` dropped)."""
    total = np.zeros(max(n, int(starts[-1]) + weights.shape[1]), weights.dtype)
    for s, w in zip(starts, weights, strict=True):
        total[s : s + w.size] += w
    return total[:n]


class TestRamp:
    def test_hand_computed(self):
        # sin^2(pi/12) = (1 - cos(pi/6)) / 2, sin^2(pi/4) = 1/2, sin^2(5 pi/12) = (1 + cos(pi/6)) / 2
        c = math.sqrt(3) / 2
        np.testing.assert_allclose(windows.ramp(3), [(1 - c) / 2, 0.5, (1 + c) / 2], rtol=1e-15)

    @pytest.mark.parametrize("n", [0, 1, 2])
    def test_lengths_0_1_2(self, n):
        r = windows.ramp(n)
        assert r.shape == (n,) and r.dtype == np.float64
        want = {0: [], 1: [0.5], 2: [(1 - math.sqrt(0.5)) / 2, (1 + math.sqrt(0.5)) / 2]}[n]
        np.testing.assert_allclose(r, want, rtol=1e-15)

    @pytest.mark.parametrize("n", [1, 2, 3, 16, 33, 500])
    def test_symmetric_increasing_between_0_and_1(self, n):
        r = windows.ramp(n)
        np.testing.assert_allclose(r + r[::-1], 1.0, atol=1e-15)
        assert np.all(np.diff(r) > 0) and 0 < r[0] <= r[-1] < 1

    def test_computed_in_float64_and_cast_once(self):
        for n in (1, 7, 64, 255):
            assert np.array_equal(windows.ramp(n, np.float32), windows.ramp(n).astype(np.float32))
            assert windows.ramp(n, np.float32).dtype == np.float32


class TestBlendWeights:
    @pytest.mark.parametrize("count", [0, 1, 2])
    def test_zero_one_two_windows(self, count):
        starts = [0, 6][:count]
        w = windows.blend_weights(starts, 10)
        assert w.shape == (count, 10)
        if count == 2:  # 4 shared samples: the first falls there, the second rises
            np.testing.assert_array_equal(w[0, 6:], windows.ramp(4)[::-1])
            np.testing.assert_array_equal(w[1, :4], windows.ramp(4))
            assert np.all(w[0, :6] == 1) and np.all(w[1, 4:] == 1)
        else:
            assert np.all(w == 1)

    def test_complement_sums_to_exactly_one(self):
        for dtype in (np.float32, np.float64):
            w = windows.blend_weights([0, 12], 20, dtype=dtype, complement=True)
            assert w.dtype == dtype and np.all(w[0, 12:] + w[1, :8] == 1)

    def test_cap_shortens_the_ramps(self):
        w = windows.blend_weights([0, 10], 20, cap=4)  # 10 shared samples, 4-sample ramps
        np.testing.assert_array_equal(w[0, 16:], windows.ramp(4)[::-1])
        assert np.all(w[0, :16] == 1) and np.all(w[1, 4:] == 1)

    def test_crossing_ramps_take_the_smaller(self):
        w = windows.blend_weights([0, 2, 4], 6)  # the middle window shares 4 with each side
        rise = np.concatenate([windows.ramp(4), [1, 1]])
        fall = np.concatenate([[1, 1], windows.ramp(4)[::-1]])
        np.testing.assert_array_equal(w[1], np.minimum(rise, fall))
        assert w[1, 2] == w[1, 3] < 1  # where the ramps cross, neither reaches 1

    def test_windows_that_do_not_touch_get_no_ramp(self):
        assert np.all(windows.blend_weights([0, 8], 5) == 1)


class TestNormalizeAndOuter:
    def test_outer_hand_computed(self):
        w = windows.outer(np.array([1.0, 0.5]), np.array([0.5, 1.0, 0.25]))
        np.testing.assert_array_equal(w, [[0.5, 1.0, 0.25], [0.25, 0.5, 0.125]])
        assert windows.outer(np.ones(2), np.ones(3), np.ones(4)).shape == (2, 3, 4)

    def test_normalize_in_place_and_total(self):
        weights = [np.full(4, 2.0), np.full(3, 1.0)]
        total = windows.normalize_weights(weights, [(slice(0, 4),), (slice(3, 6),)], (8,))
        np.testing.assert_array_equal(total, [2, 2, 2, 3, 1, 1, 0, 0])  # 0 where no window reaches
        np.testing.assert_allclose(weights[0], [1, 1, 1, 2 / 3])
        np.testing.assert_allclose(weights[1], [1 / 3, 1, 1])

    def test_normalize_no_windows(self):
        assert np.all(windows.normalize_weights([], [], (3, 2)) == 0)


class TestPlacements:
    """Partition of unity on every sample, for each placement rule."""

    @pytest.mark.parametrize("placement", windows.PLACEMENTS)
    @pytest.mark.parametrize(("n", "length", "overlap"), CASES)
    def test_partition_of_unity(self, placement, n, length, overlap):
        length = min(length, n)
        starts = windows.window_starts(n, length, overlap, placement)
        assert starts[0] == 0 and np.all(np.diff(starts) > 0)
        if placement == "hop":  # the last window may run past the data
            assert starts[-1] + length >= n and np.all(np.diff(starts) == length - overlap)
            for dtype in (np.float32, np.float64):  # complementary ramps: no normalising
                w = windows.blend_weights(starts, length, dtype=dtype, complement=True)
                assert np.all(_sum(starts, w, n) == 1)  # exactly
            return
        assert starts[-1] + length == n
        assert np.all(starts[:-1] + length - starts[1:] >= min(overlap, length - 1))
        cap = min(overlap, length // 2) if placement == "clamped" else None
        w = windows.blend_weights(starts, length, cap=cap, dtype=np.float32)
        windows.normalize_weights(w, [(slice(s, s + length),) for s in starts], (n,))
        assert np.max(np.abs(_sum(starts, w, n) - 1)) <= 1e-6

    def test_clamped_2d_products_sum_to_one(self):
        # as a network blends (time x traces) windows: products of 1-D weights, normalised
        axes = [(300, 64, 16), (90, 32, 8)]
        per_axis = []
        for n, length, overlap in axes:
            starts = windows.window_starts(n, length, overlap, "clamped")
            ramps = windows.blend_weights(starts, length, cap=overlap, dtype=np.float32)
            per_axis.append([(slice(s, s + length), r) for s, r in zip(starts, ramps, strict=True)])
        regions, weights = [], []
        for (st, wt), (sx, wx) in ((a, b) for a in per_axis[0] for b in per_axis[1]):
            regions.append((st, sx))
            weights.append(windows.outer(wt, wx))
        windows.normalize_weights(weights, regions, (300, 90))
        total = np.zeros((300, 90), np.float32)
        for region, w in zip(regions, weights, strict=True):
            total[region] += w
        assert np.max(np.abs(total - 1)) <= 1e-6

    def test_single_window_when_it_covers_the_axis(self):
        for place in windows.PLACEMENTS:
            assert windows.window_starts(10, 10, 3, place).tolist() == [0]
            assert windows.window_starts(10, 64, 3, place).tolist() == [0]

    def test_unknown_placement_raises(self):
        with pytest.raises(ValueError, match="placement must be one of"):
            windows.window_starts(100, 30, 10, "even")

    def test_placements_differ(self):
        # same n, length and overlap; three rules, three sets of starts
        starts = {p: windows.window_starts(100, 30, 10, p).tolist() for p in windows.PLACEMENTS}
        assert starts == {
            "hop": [0, 20, 40, 60, 80],
            "spread": [0, 18, 35, 52, 70],
            "clamped": [0, 20, 40, 60, 70],
        }
