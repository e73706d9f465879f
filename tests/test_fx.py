"""f-x (Spitz) prediction interpolation: aliased regular decimation, irregular masks, options.

The test gathers are sums of linear events built in the frequency domain (exact
sub-sample dips), a Ricker wavelet of peak frequency ``f0`` (cycles per sample)
and seeded white noise.  Dips are in samples per (dense) trace, so an event's
wavenumber at frequency ``f`` is ``f * |dip|`` cycles per dense trace.  Keeping
every ``n``-th trace leaves a Nyquist wavenumber of ``1 / (2 n)`` cycles per
dense trace: events with ``f0 * |dip| > 1 / (2 n)`` are spatially aliased at
the dominant frequency in the decimated data, while ``f0 * |dip| < 1 / 2``
keeps them unaliased on the dense grid.  ``TestTestData`` checks both, from
the dips and from the f-k spectrum of the data themselves.

Dips of one gather are kept within a narrow range (same sign): two events
whose wavenumbers differ by exactly ``1 / n`` at some frequency cannot be told
apart from every ``n``-th trace by any method (Spitz's filters included), so
the test gathers keep that coincidence out of the signal band.
"""

from __future__ import annotations

import numpy as np
import pytest

from seisfill import SeisfillError
from seisfill.classical import _fx
from seisfill.classical.fx import (
    DEFAULT_FILTER_LENGTH,
    LivePattern,
    detect_decimation,
    fx_interp,
)
from seisfill.classical.linear import fill_linear
from seisfill.masks import decimate_gaps, decimate_jittered, decimate_random, decimate_regular
from seisfill.metrics import snr_missing

# (n_trace, n_time, f0 [cycles/sample], events (t0 [samples], dip [samples/trace], amplitude))
CASES = {
    2: (64, 512, 0.08, [(60, 1.5, 1.0), (40, 2.5, -0.8), (80, 3.5, 0.7), (120, 4.0, 0.6)]),
    3: (72, 512, 0.06, [(60, 1.5, 1.0), (40, 2.0, -0.8), (80, 3.0, 0.7), (100, 3.5, 0.6)]),
    4: (96, 512, 0.05, [(60, 2.5, 1.0), (20, 3.0, -0.8), (50, 3.5, 0.7)]),
}
# measured SNR on the missing traces (dB, 30 dB input noise, reference = clean data):
# factor: (f-x, linear) = 2: (30.2, 0.3), 3: (24.5, 1.6), 4: (20.7, -1.2)
MIN_FX_SNR = {2: 25.0, 3: 20.0, 4: 15.0}
MIN_MARGIN_OVER_LINEAR = {2: 25.0, 3: 18.0, 4: 16.0}


def linear_events(n_trace, n_time, f0, events, snr_db=30.0, seed=0):
    """(clean, noisy) float32 gathers of linear events; noise at ``snr_db`` (None: none)."""
    nfft = 2 * n_time
    f = np.fft.rfftfreq(nfft)
    wavelet = (f / f0) ** 2 * np.exp(1 - (f / f0) ** 2)  # Ricker amplitude spectrum
    x = np.arange(n_trace)[:, None]
    spec = np.zeros((n_trace, f.size), complex)
    for t0, dip, amp in events:
        spec += amp * np.exp(-2j * np.pi * f * (t0 + dip * x))
    clean = np.fft.irfft(spec * wavelet, nfft)[:, :n_time]
    clean /= np.abs(clean).max()
    noisy = clean.copy()
    if snr_db is not None:
        noise = np.random.default_rng(seed).standard_normal(clean.shape)
        noisy += noise * np.sqrt(np.mean(clean**2) / 10 ** (snr_db / 10)) / noise.std()
    return clean.astype(np.float32), noisy.astype(np.float32)


def case(factor, **kw):
    n_trace, n_time, f0, events = CASES[factor]
    return linear_events(n_trace, n_time, f0, events, **kw)


class TestTestData:
    @pytest.mark.parametrize("factor", sorted(CASES))
    def test_decimated_data_are_aliased(self, factor):
        n_trace, n_time, f0, events = CASES[factor]
        coarse_nyquist = 1 / (2 * factor)  # cycles per dense trace
        k = np.array([f0 * abs(dip) for _, dip, _ in events])
        assert np.all(k < 0.5)  # dense grid: no aliasing at f0
        assert np.count_nonzero(k > coarse_nyquist) >= 2  # decimated grid: aliased at f0
        # and in the data: a good share of the f-k energy near f0 lies beyond the
        # decimated Nyquist wavenumber (it folds back once every n-th trace is kept)
        clean, _ = case(factor, snr_db=None)
        fk = np.abs(np.fft.fft2(clean)) ** 2
        near_f0 = np.abs(np.abs(np.fft.fftfreq(n_time)) - f0) < 0.01
        beyond = np.abs(np.fft.fftfreq(n_trace)) > coarse_nyquist
        assert fk[beyond][:, near_f0].sum() / fk[:, near_f0].sum() > 0.2
        # events stay inside the record (no wrap-around)
        assert all(0 < t0 and t0 + dip * (n_trace - 1) < n_time - 60 for t0, dip, _ in events)


class TestRegularDecimation:
    @pytest.mark.parametrize("factor", sorted(CASES))
    def test_aliased_gather_beats_linear(self, factor):
        clean, data = case(factor)
        live = decimate_regular(data.shape[0], factor)
        out = fx_interp(data, live)
        fx_snr = snr_missing(clean, out, ~live)
        lin_snr = snr_missing(clean, fill_linear(data, live), ~live)
        assert fx_snr >= MIN_FX_SNR[factor]
        assert fx_snr - lin_snr >= MIN_MARGIN_OVER_LINEAR[factor]

    def test_doubling_reaches_15_db_noise_free_and_offset(self):
        clean, data = case(2, snr_db=None)
        live = decimate_regular(data.shape[0], 2, offset=1)  # first trace missing: extrapolated
        out = fx_interp(data, live)
        assert snr_missing(clean, out, ~live) >= 26.0  # measured 32.4

    def test_live_bit_identical_float32(self):
        _, data = case(2)
        data[1::2] = np.nan  # dead traces' samples are ignored
        live = decimate_regular(data.shape[0], 2)
        out = fx_interp(data, live)
        assert out.dtype == np.float32 and out.shape == data.shape
        assert np.array_equal(out[live], data[live])
        assert np.all(np.isfinite(out))

    def test_dtypes(self):
        _, data = case(2)
        live = decimate_regular(data.shape[0], 2)
        out64 = fx_interp(data.astype(np.float64), live)
        assert out64.dtype == np.float64
        assert np.array_equal(out64[live], data.astype(np.float64)[live])
        ints = np.round(data * 1000).astype(np.int16)
        out16 = fx_interp(ints, live)
        assert out16.dtype == np.float32 and np.array_equal(out16[live], ints[live])

    def test_batch_equals_loop(self):
        gathers = np.stack([case(2, seed=s)[1] for s in range(6)]).reshape(2, 3, 64, 512)
        live = np.zeros((2, 3, 64), bool)
        live[..., ::2] = True
        live[0, 1] = decimate_regular(64, 3)
        live[1, 2] = decimate_jittered(64, 2, 7)
        live[1, 0] = True  # nothing to fill
        out = fx_interp(gathers, live)
        assert out.shape == gathers.shape and out.dtype == np.float32
        assert np.array_equal(out[1, 0], gathers[1, 0])
        for i in range(2):
            for j in range(3):
                alone = fx_interp(gathers[i, j], live[i, j])
                # the same arithmetic, batched: equal up to float32 rounding (FFTs and
                # BLAS may order a batch's operations differently)
                np.testing.assert_allclose(out[i, j], alone, rtol=0, atol=1e-6)
                assert np.array_equal(out[i, j][live[i, j]], alone[live[i, j]])

    def test_long_line_spatial_and_time_windows(self):
        # 160 traces x 1000 samples: several spatial windows and time windows by default
        clean, data = linear_events(
            160, 1000, 0.08, [(60, 1.5, 1.0), (40, 2.5, -0.8), (200, 3.5, 0.7), (300, 4.0, 0.6)]
        )
        live = decimate_regular(160, 2)
        out = fx_interp(data, live)
        assert snr_missing(clean, out, ~live) >= 26.0  # measured 34.0
        assert snr_missing(clean, fill_linear(data, live), ~live) < 2.0

    def test_options_change_little_on_clean_events(self):
        clean, data = case(2)
        live = decimate_regular(data.shape[0], 2)
        for kw in (
            {"filter_length": 5},
            {"trace_window": 32, "trace_overlap": 8},
            {"time_window": 256, "time_overlap": 64},
            {"prewhiten": 0.01, "damping": 1e-3},
        ):
            assert snr_missing(clean, fx_interp(data, live, **kw), ~live) >= 20.0, kw

    def test_band_limits_output(self):
        _, data = case(2)
        live = decimate_regular(data.shape[0], 2)
        out = fx_interp(data, live, band=(0.0, 0.4), taper=0.05, time_window=512)
        spec = np.abs(np.fft.rfft(out[~live], n=768, axis=1)) ** 2
        frac = 2 * np.arange(spec.shape[1]) / 768  # fraction of Nyquist
        assert spec[:, frac > 0.41].sum() < 1e-6 * spec.sum()


class TestIrregular:
    """Irregular masks: PEF-regularised least squares with multi-stride + bootstrap filters.

    Measured on the factor-2 aliased gather, 40 dB noise (f-x / f-x without the
    bootstrap passes / linear, dB): jittered 2: 22.4 / 19.1 / -0.5, random 50 %:
    14.4 / 8.6 / -1.6, two gaps of 6: 20.5 / 20.3 / -2.5, regular 2 with two
    extra dead traces: 34.0 / 30.5 / -0.1.
    """

    @pytest.mark.parametrize(
        ("name", "minimum"),
        [("jittered", 18.0), ("random", 11.0), ("gaps", 16.0), ("regular+dead", 28.0)],
    )
    def test_irregular_masks(self, name, minimum):
        clean, data = case(2, snr_db=40.0)
        n = data.shape[0]
        live = {
            "jittered": decimate_jittered(n, 2, 1),
            "random": decimate_random(n, 0.5, 2),
            "gaps": decimate_gaps(n, 6, 3, 2),
            "regular+dead": decimate_regular(n, 2) & ~np.isin(np.arange(n), [20, 44]),
        }[name]
        assert not detect_decimation(live).regular
        out = fx_interp(data, live)
        assert np.array_equal(out[live], data[live])
        fx_snr = snr_missing(clean, out, ~live)
        assert fx_snr >= minimum
        assert fx_snr - snr_missing(clean, fill_linear(data, live), ~live) >= 12.0

    def test_bootstrap_helps_random(self):
        clean, data = case(2, snr_db=40.0)
        live = decimate_random(data.shape[0], 0.5, 2)
        one_pass = snr_missing(clean, fx_interp(data, live, iterations=0), ~live)
        default = snr_missing(clean, fx_interp(data, live), ~live)
        assert default > one_pass + 3.0  # measured 14.4 vs 8.6

    def test_contiguous_live_block_extrapolates(self):
        clean, data = case(2, snr_db=40.0)
        live = np.zeros(data.shape[0], bool)
        live[8:56] = True  # missing only at both ends
        assert detect_decimation(live) == LivePattern(1, 8, False, 48)
        out = fx_interp(data, live)
        # one-sided prediction: good next to the live block, fading with distance
        # (measured per trace, dB: 12, 21 | 26, 18 for traces 6, 7 | 56, 57; about 1
        # to 5 dB eight traces out)
        near = np.isin(np.arange(64), [6, 7, 56, 57])
        assert snr_missing(clean, out, near) >= 15.0
        assert snr_missing(clean, out, near) > snr_missing(clean, out, ~live & ~near) + 6.0

    def test_too_sparse_raises(self):
        _, data = case(2)
        # every 3rd trace but one, runs looked for only up to 2 apart: no equations
        sparse = decimate_regular(64, 3) & (np.arange(64) != 30)
        with pytest.raises(SeisfillError, match="a method for irregular gaps"):
            fx_interp(data, sparse, max_stride=2)
        assert fx_interp(data, sparse).shape == data.shape  # default max_stride 4: fine
        one = np.zeros(64, bool)
        one[10] = True
        with pytest.raises(SeisfillError, match="single live trace"):
            fx_interp(data, one)
        live = np.zeros(data.shape[0], bool)
        live[[3, 40]] = True
        # two live traces 37 apart: regular (factor 37), a length-1 filter, no error
        assert fx_interp(data, live).shape == data.shape


class TestKernels:
    def test_normal_equations_match_the_explicit_rows(self):
        rng = np.random.default_rng(1)
        x = rng.standard_normal((3, 30)) + 1j * rng.standard_normal((3, 30))
        known = rng.random(30) < 0.7
        length, stride = 3, 2
        gram, rhs = _fx.pef_normal_equations([(x, known, stride)], length)
        idx = _fx.chains(known, stride, length)
        power = np.mean(np.abs(x[:, known]) ** 2, axis=1)
        for p in range(3):
            # forward rows predict the last slot from the L before it (nearest first),
            # backward rows (conjugated) the first slot from the L after it
            mat = np.concatenate([x[p][idx[:, length - 1 :: -1]], np.conj(x[p][idx[:, 1:]])])
            vec = np.concatenate([x[p][idx[:, length]], np.conj(x[p][idx[:, 0]])])
            np.testing.assert_allclose(gram[:, :, p], mat.conj().T @ mat / power[p], rtol=1e-12)
            np.testing.assert_allclose(rhs[:, p], mat.conj().T @ vec / power[p], rtol=1e-12)

    def test_solve_banded_matches_dense_solves_stacked_or_alone(self):
        rng = np.random.default_rng(2)
        systems, dense = [], []
        for n, w, p in [(5, 2, 3), (9, 4, 2), (1, 0, 4)]:
            a = rng.standard_normal((p, n, n)) + 1j * rng.standard_normal((p, n, n))
            g = a @ np.conj(a).transpose(0, 2, 1)
            g[:, np.abs(np.subtract.outer(np.arange(n), np.arange(n))) > w] = 0
            g += n * np.eye(n)  # banded, Hermitian, positive definite
            band = np.zeros((w + 1, n, p), complex)
            for d in range(w + 1):
                band[d, : n - d] = g[:, np.arange(n - d), np.arange(d, n)].T
            rhs = rng.standard_normal((n, p)) + 1j * rng.standard_normal((n, p))
            systems.append((band, rhs))
            dense.append((g, rhs))
        alone = [_fx.solve_banded([(band.copy(), rhs)], 1e-3)[0] for band, rhs in systems]
        together = _fx.solve_banded([(band.copy(), rhs) for band, rhs in systems], 1e-3)
        for (g, rhs), one, both in zip(dense, alone, together, strict=True):
            assert np.array_equal(one, both)
            load = 1e-3 * np.real(np.trace(g, axis1=1, axis2=2)) / g.shape[1]
            want = np.linalg.solve(g + load[:, None, None] * np.eye(g.shape[1]), rhs.T[:, :, None])[:, :, 0]
            np.testing.assert_allclose(one.T, want, rtol=1e-9)

    def test_spitz_filter_from_coarse_at_half_frequency(self):
        # plane waves: the coarse (every 2nd) data at f/2 give the dense filter at f
        n, f = 40, 0.11
        x = np.arange(n)
        dips = (1.5, 3.0, 4.2)
        dense = sum(np.exp(-2j * np.pi * f * p * x + 1j * k) for k, p in enumerate(dips))
        coarse_half = sum(
            (0.5 + k) * np.exp(-2j * np.pi * (f / 2) * p * x) for k, p in enumerate(dips)
        )
        known = x % 2 == 0
        a = _fx.estimate_pef([(coarse_half[None] * known, known, 2)], 3, prewhiten=1e-9)
        roots = np.sort(np.angle(np.roots(np.r_[1, -a[0]])))
        expected = np.sort(np.angle(np.exp(-2j * np.pi * f * np.array(dips))))
        np.testing.assert_allclose(roots, expected, atol=1e-6)
        filled = _fx.pef_fill(dense[None], known, a, damping=1e-12)
        np.testing.assert_allclose(filled[0], dense[~known], atol=1e-6)

    def test_pef_fill_matches_dense_normal_equations(self):
        rng = np.random.default_rng(0)
        a = rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))
        x = rng.standard_normal((3, 20)) + 1j * rng.standard_normal((3, 20))
        known = rng.random(20) < 0.5
        gram = _fx.pef_gram(a, 20)
        u, k = np.flatnonzero(~known), np.flatnonzero(known)
        for p in range(3):
            g = gram[p][np.ix_(u, u)]
            g = g + 1e-3 * np.real(np.trace(g)) / u.size * np.eye(u.size)
            want = np.linalg.solve(g, -gram[p][np.ix_(u, k)] @ x[p, k])
            np.testing.assert_allclose(_fx.pef_fill(x, known, a, 1e-3)[p], want, rtol=1e-9)

    @pytest.mark.parametrize(
        ("n", "length", "overlap"), [(1000, 200, 100), (100, 30, 7), (50, 49, 0), (10, 20, 5)]
    )
    def test_windows_partition_of_unity(self, n, length, overlap):
        starts, weights = _fx.taper_windows(n, length, overlap)
        total = np.zeros(n)
        for s, w in zip(starts, weights, strict=True):
            total[s : s + w.size] += w
        np.testing.assert_allclose(total, 1.0, atol=1e-12)
        assert starts[0] == 0 and starts[-1] + weights.shape[1] == n


class TestDetect:
    def test_patterns(self):
        assert detect_decimation(decimate_regular(30, 3, offset=1)) == LivePattern(3, 1, True, 10)
        assert detect_decimation(np.ones(5, bool)) == LivePattern(1, 0, False, 5)
        assert not detect_decimation(decimate_jittered(60, 2, 0)).regular
        assert detect_decimation(np.zeros(4, bool)).n_live == 0
        with pytest.raises(SeisfillError, match="one gather"):
            detect_decimation(np.ones((2, 3), bool))


class TestErrors:
    @pytest.mark.parametrize(
        ("kw", "match"),
        [
            ({"filter_length": 0}, "filter_length must be an integer >= 1"),
            ({"filter_length": 2.5}, "filter_length must be an integer"),
            ({"trace_window": 65}, "trace_window=65 is larger than the 64 traces"),
            ({"time_window": 600}, "time_window=600 is larger than the 512 samples"),
            ({"trace_window": 16, "trace_overlap": 16}, "trace_overlap=16 must be smaller"),
            ({"time_window": 64, "time_overlap": 70}, "time_overlap=70 must be smaller"),
            ({"trace_window": 4, "filter_length": 4}, "must exceed filter_length"),
            ({"band": (0.5, 0.2)}, "band must satisfy"),
            ({"band": "low"}, "band must"),
            ({"taper": -1}, "taper must be between"),
            ({"prewhiten": -0.1}, "prewhiten must be between"),
            ({"iterations": -1}, "iterations must be an integer >= 0"),
            ({"lattice_iterations": 1.5}, "lattice_iterations must be an integer >= 0"),
            ({"max_stride": 0}, "max_stride must be an integer >= 1"),
        ],
    )
    def test_bad_options(self, kw, match):
        _, data = case(2)
        with pytest.raises(SeisfillError, match=match):
            fx_interp(data, decimate_regular(64, 2), **kw)

    def test_no_live_traces(self):
        data = np.zeros((2, 8, 32), np.float32)
        live = np.ones((2, 8), bool)
        live[1] = False
        with pytest.raises(SeisfillError, match="gather 1 has no live traces"):
            fx_interp(data, live)

    def test_too_few_live_traces_for_filter(self):
        _, data = case(2)
        data = data[:16]
        live = decimate_regular(16, 2)  # 8 live traces
        with pytest.raises(SeisfillError, match="too few for filter_length=8"):
            fx_interp(data, live, filter_length=8)
        out = fx_interp(data, live)  # the default length fits itself to the gather
        assert np.array_equal(out[live], data[live])
        assert DEFAULT_FILTER_LENGTH == 4

    def test_shape_mismatch_and_bad_mask(self):
        with pytest.raises(SeisfillError, match="does not match"):
            fx_interp(np.zeros((8, 32)), np.ones(7, bool))
        with pytest.raises(SeisfillError, match="boolean"):
            fx_interp(np.zeros((8, 32)), np.ones(8))
