"""Damped rank reduction (seisfill.classical.drr): kernels, quality, exactness, options.

All data are seeded synthetics; the SNR bounds are the measured values less a
margin of a few dB (the measured numbers are in the comments).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_pocs import DT, _events, plane_waves

from seisfill import SeisfillError
from seisfill.classical import _drr
from seisfill.classical.drr import DEFAULT_WINDOWS, drr_fill
from seisfill.core import fill_array
from seisfill.masks import decimate
from seisfill.metrics import snr_missing


@pytest.fixture(scope="module")
def plane() -> np.ndarray:
    """Four plane waves, 64 traces x 128 samples."""
    return plane_waves(64, 128)


def _snr(data: np.ndarray, live: np.ndarray, **options) -> float:
    return snr_missing(data, drr_fill(data, live, workers=1, **options), ~live)


def _plane_cube(n_y: int = 8, n_x: int = 24, nt: int = 96) -> np.ndarray:
    """Two plane waves dipping along both axes, shape (n_y, n_x, nt)."""
    y, x = np.meshgrid(np.arange(n_y) - n_y / 2, np.arange(n_x) - n_x / 2, indexing="ij")
    cube = np.zeros((n_y, n_x, nt), np.float32)
    for t0, p_y, p_x, amp in [(0.1, 0.5, 0.8, 1.0), (0.25, -0.6, 0.3, -0.7)]:
        delay = (t0 + DT * (p_y * y + p_x * x)).ravel()
        cube += _events(n_y * n_x, nt, [(delay, amp)]).reshape(n_y, n_x, nt)
    return cube


# ---------------------------------------------------------------------------
# kernels
# ---------------------------------------------------------------------------


class TestHankel:
    @pytest.mark.parametrize("shape", [(1, 7), (1, 8), (1, 2), (4, 9), (5, 6)])
    def test_fft_products_equal_the_explicit_matrix(self, shape):
        rng = np.random.default_rng(0)
        hk = _drr.hankel(*shape)
        x = rng.standard_normal((3, shape[0] * shape[1])) + 1j * rng.standard_normal(
            (3, shape[0] * shape[1])
        )
        h = hk.matrix(x)
        n_l, n_k = hk.size
        assert h.shape == (3, n_l, n_k)
        grid = x.reshape(3, *shape)
        (l_y, l_x), (k_y, k_x) = hk.rows, hk.cols
        a, i, b, j = l_y - 1, l_x - 1, k_y - 1, k_x - 1  # a corner entry: x[a + b, i + j]
        assert h[1, a * l_x + i, b * k_x + j] == grid[1, a + b, i + j]
        w = rng.standard_normal((3, n_k, 2)) + 1j * rng.standard_normal((3, n_k, 2))
        q = rng.standard_normal((3, n_l, 2)) + 1j * rng.standard_normal((3, n_l, 2))
        spec = hk.spectrum(x)
        np.testing.assert_allclose(hk.times(spec, w), h @ w, atol=1e-12)
        np.testing.assert_allclose(
            hk.adjoint_times(spec, q), np.conj(h.transpose(0, 2, 1)) @ q, atol=1e-12
        )
        # the anti-diagonal average of a product, against summing entry by entry
        product = q @ np.conj(w.transpose(0, 2, 1))
        sums = np.zeros(x.shape, complex)
        np.add.at(sums, (slice(None), hk.index()), product)
        np.testing.assert_allclose(
            hk.average(q, np.conj(w.transpose(0, 2, 1))), sums / hk.count, atol=1e-12
        )
        np.testing.assert_allclose(hk.average(*_split(h)), x, atol=1e-12)  # H -> x exactly

    def test_damping_shrinks_with_the_next_singular_value(self):
        s = np.array([[4.0, 2.0, 1.0], [3.0, 3.0, 0.0]])
        f = _drr._damping_factors(s, 2, 2.0)
        np.testing.assert_allclose(f, [[1 - (1 / 4) ** 2, 1 - (1 / 2) ** 2], [1.0, 1.0]])
        assert _drr._damping_factors(s, 3, 2.0)[0].tolist() == [1.0, 1.0, 1.0]  # no s_{N+1}
        assert _drr._damping_factors(s, 1, np.inf)[:, 0].tolist() == [1.0, 0.0]  # plain truncation

    def test_randomized_equals_exact_on_low_rank_slices(self):
        rng = np.random.default_rng(1)
        hk = _drr.hankel(1, 30)
        n = np.arange(30)
        x = sum(rng.standard_normal((50, 1)) * np.exp(1j * k * n)[None] for k in (0.3, 1.1, -0.7))
        x = x + 1e-3 * rng.standard_normal(x.shape)
        exact = _drr.damped_lowrank(x, hk, 3, 2.0, exact=True)
        fast = _drr.damped_lowrank(x, hk, 3, 2.0)
        # the noise part of s_{N+1} (which sets the damping) is what the two iterations miss
        np.testing.assert_allclose(exact[0] @ exact[1], fast[0] @ fast[1], rtol=0, atol=1e-5)


def _split(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``h`` as ``h @ I``."""
    return h, np.broadcast_to(np.eye(h.shape[2]), (h.shape[0],) + (h.shape[2],) * 2)


# ---------------------------------------------------------------------------
# quality
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_plane_waves_random_50(plane: np.ndarray, seed: int) -> None:
    live = decimate(plane.shape[0], "random50", seed)
    linear = snr_missing(plane, fill_array(plane, live, "linear"), ~live)
    # measured: 17.1 / 22.6 dB with the default windows, 23.7 / 25.9 dB in one window
    # with rank 4; linear 6.6 / 7.7 dB
    assert _snr(plane, live) >= 14.0
    assert _snr(plane, live, window=(None, None), rank=4) >= 20.0
    assert _snr(plane, live) >= linear + 8.0


def test_gap_of_eight_traces(plane: np.ndarray) -> None:
    live = decimate(plane.shape[0], "gap8", 1)
    # measured: 27.8 dB, linear 2.5 dB
    assert _snr(plane, live) >= 24.0


def test_rank_one_data_recovered_almost_exactly() -> None:
    x = np.arange(48) - 24
    one = _events(48, 128, [(0.2 + 0.7 * DT * x, 1.0)])
    live = decimate(48, "random50", 0)
    # measured: 109 dB in one window, 107 dB with the default windows (float32 data)
    assert _snr(one, live, rank=1, window=(None, None)) >= 90.0
    assert _snr(one, live, rank=1) >= 90.0


def test_cube_in_3d_beats_inline_by_inline() -> None:
    cube = _plane_cube()
    live = decimate(cube.shape[:2], "random50", 0)
    # measured: 53.0 dB with ndim=3 (block Hankel), 16.3 dB inline by inline, linear 5.2 dB
    assert _snr(cube, live, ndim=3) >= 45.0
    assert _snr(cube, live) <= 25.0


# ---------------------------------------------------------------------------
# exactness, determinism
# ---------------------------------------------------------------------------


def test_live_traces_bit_identical_through_fill_array(plane: np.ndarray) -> None:
    live = decimate(plane.shape[0], "random50", 0)
    noisy = plane + np.float32(0.1) * np.random.default_rng(0).standard_normal(
        plane.shape, np.float32
    )
    for options in ({}, {"alpha": 0.0}):  # alpha < 1 denoises the live traces inside, not out
        out = fill_array(noisy, live, "drr", **options)
        assert out.dtype == np.float32
        assert np.array_equal(out[live], noisy[live])
        assert np.all(np.isfinite(out)) and np.abs(out[~live]).max() > 0
    direct = drr_fill(noisy, live)
    assert np.array_equal(direct[live], noisy[live])
    assert drr_fill(noisy.astype(np.float64), live).dtype == np.float64


def test_deterministic_and_independent_of_threads_and_batching(plane: np.ndarray) -> None:
    batch = np.stack([plane, plane[::-1], np.roll(plane, 7, axis=1)])
    live = np.stack([decimate(64, "random50", s) for s in range(3)])
    one = drr_fill(batch, live, workers=1)
    assert np.array_equal(one, drr_fill(batch, live, workers=1))
    assert np.array_equal(one, drr_fill(batch, live, workers=3))
    # each gather on its own gives the same bits (the registry's rows_independent)
    assert np.array_equal(
        one, np.stack([drr_fill(g, m, workers=1) for g, m in zip(batch, live, strict=True)])
    )


def test_complete_and_empty_windows() -> None:
    data = plane_waves(64, 128)
    assert np.array_equal(drr_fill(data, np.ones(64, bool)), data)
    zeros = np.zeros_like(data)
    assert np.array_equal(drr_fill(zeros, decimate(64, "random50", 0)), zeros)


def test_defaults_and_clipped_windows() -> None:
    assert DEFAULT_WINDOWS == {2: (128, 40), 3: (128, 24, 12)}
    small = plane_waves(12, 40)
    live = decimate(12, "random50", 2)
    # windows larger than the gather are the whole gather
    assert np.array_equal(drr_fill(small, live), drr_fill(small, live, window=(None, None)))
    assert np.array_equal(
        drr_fill(small, live, window=(999, 999)), drr_fill(small, live, window=(40, 12))
    )


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"rank": 0}, "rank must be a positive integer"),
        ({"rank": 2.5}, "rank must be a positive integer"),
        ({"damping": 0}, "damping must be a number > 0"),
        ({"damping": "big"}, "damping must be a number > 0"),
        ({"n_iter": 0}, "n_iter must be a positive integer"),
        ({"overlap": 0.8}, "overlap must be a fraction"),
        ({"alpha": 1.5}, "alpha must be in"),
        ({"ndim": 4}, "ndim must be 2 or 3"),
        ({"workers": 0}, "workers must be a non-zero integer"),
        ({"window": (64,)}, r"window must be \(nt_win, nx_win\)"),
        ({"window": (64, 16, 4)}, r"window must be \(nt_win, nx_win\)"),
        ({"window": "big"}, "window must be"),
        ({"window": (64, 0)}, "window lengths must be positive integers"),
        ({"band": (0.5, 0.2)}, "band must satisfy"),
    ],
)
def test_bad_options_one_line(plane: np.ndarray, options: dict, match: str) -> None:
    with pytest.raises(SeisfillError, match=match) as info:
        drr_fill(plane, decimate(64, "random50", 0), **options)
    assert "\n" not in str(info.value)


def test_bad_data_one_line(plane: np.ndarray) -> None:
    live = decimate(64, "random50", 0)
    cases = [
        (lambda: drr_fill(plane, live[:10]), "does not match live mask shape"),
        (lambda: drr_fill(plane, np.zeros(64, bool)), "has no live traces"),
        (lambda: drr_fill(plane, live.astype(float) * 2), "live must be a boolean mask"),
        (lambda: drr_fill(plane, live, ndim=3), "has no live traces|third spatial axis"),
    ]
    bad = plane.copy()
    bad[live.argmax(), 5] = np.nan
    cases.append((lambda: drr_fill(bad, live), "NaN or infinite"))
    for call, match in cases:
        with pytest.raises(SeisfillError, match=match) as info:
            call()
        assert "\n" not in str(info.value)
