"""Spitz f-x interpolation onto a finer trace grid (seisfill.classical.spitz).

The test gathers are the linear events of ``test_fx`` (exact sub-sample dips,
Ricker wavelet, 30 dB noise): every dip is aliased at the dominant frequency
once only every ``N``-th trace is kept, none on the dense grid.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import fft as sp_fft
from test_fx import case

from seisfill import SeisfillError
from seisfill.classical import _fx
from seisfill.classical.fx import fx_interp
from seisfill.classical.linear import fill_linear
from seisfill.classical.spitz import regular_lattice, spitz_interp
from seisfill.metrics import snr_missing

# measured SNR on the new traces (dB, reference = clean data):
# N: (spitz, plain PEF fill, linear) = 2: (32.0, -0.6, 0.4), 3: (26.9, 0.8, 1.8)
MIN_SPITZ_SNR = {2: 25.0, 3: 20.0}
MAX_PLAIN_SNR = 6.0


def plain_pef_fill(noisy: np.ndarray, live: np.ndarray, length: int = 4) -> np.ndarray:
    """f-x PEF fill without Spitz's trick: the filter at ``f`` comes from a linear first
    guess of the dense gather at ``f`` itself (aliased), then the prediction-error fill."""
    nfft = 2 * noisy.shape[1]
    guess = fill_linear(np.where(live[:, None], noisy, 0), live)
    spec = sp_fft.rfft(np.where(live[:, None], noisy, 0), n=nfft).T  # (n_freq, n_trace)
    everywhere = np.ones(live.size, dtype=bool)
    a = _fx.estimate_pef([(sp_fft.rfft(guess, n=nfft).T, everywhere, 1)], length, 1e-3)
    filled = spec.copy()
    filled[:, ~live] = _fx.pef_fill(spec, live, a, 1e-4)
    out = sp_fft.irfft(filled.T, n=nfft)[:, : noisy.shape[1]].astype(np.float32)
    return np.where(live[:, None], noisy, out)


def lattice(factor: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(clean, noisy) dense gathers cut to a whole lattice, and its live mask."""
    clean, noisy = case(factor)
    n = (clean.shape[0] - 1) // factor * factor + 1
    live = np.zeros(n, dtype=bool)
    live[::factor] = True
    return clean[:n], noisy[:n], live


class TestSpitzInterp:
    @pytest.mark.parametrize("factor", sorted(MIN_SPITZ_SNR))
    def test_restores_aliased_dips_where_plain_fills_fail(self, factor):
        clean, noisy, live = lattice(factor)
        dense = spitz_interp(noisy[::factor], factor)
        spitz = snr_missing(clean, dense, ~live)
        plain = snr_missing(clean, plain_pef_fill(noisy, live), ~live)
        linear = snr_missing(clean, fill_linear(np.where(live[:, None], noisy, 0), live), ~live)
        assert spitz >= MIN_SPITZ_SNR[factor], (spitz, plain, linear)
        assert plain <= MAX_PLAIN_SNR and linear <= MAX_PLAIN_SNR, (spitz, plain, linear)

    def test_shape_dtype_and_recorded_traces_bit_identical(self):
        _, noisy, _ = lattice(2)
        coarse = np.stack([noisy[::2], -noisy[::2]]).reshape(2, 1, -1, noisy.shape[1])
        out = spitz_interp(coarse, 2)
        assert out.shape == (2, 1, noisy.shape[0], noisy.shape[1]) and out.dtype == np.float32
        assert np.array_equal(out[..., ::2, :].view(np.uint32), coarse.view(np.uint32))
        ints = np.round(coarse[0, 0] * 1000).astype(np.int16)
        assert spitz_interp(ints, 3).dtype == np.float32
        as64 = spitz_interp(coarse[0, 0].astype(np.float64), 3)
        assert as64.shape == ((coarse.shape[2] - 1) * 3 + 1, noisy.shape[1]) and as64.dtype == np.float64
        assert np.array_equal(as64[::3], coarse[0, 0].astype(np.float64))

    def test_is_fx_on_the_dense_lattice(self):
        _, noisy, live = lattice(3)
        via_fx = fx_interp(np.where(live[:, None], noisy, 0), live)
        assert np.array_equal(spitz_interp(noisy[::3], 3), via_fx)

    def test_a_bootstrap_pass_is_fx_lattice_iterations(self):
        clean, noisy, live = lattice(2)
        once = spitz_interp(noisy[::2], 2, iterations=1)
        via_fx = fx_interp(np.where(live[:, None], noisy, 0), live, lattice_iterations=1)
        assert np.array_equal(once, via_fx)
        assert snr_missing(clean, once, ~live) >= MIN_SPITZ_SNR[2]  # measured 32.2 dB

    def test_factor_one_is_a_copy(self):
        _, noisy, _ = lattice(2)
        out = spitz_interp(noisy, 1)
        assert np.array_equal(out, noisy) and out is not noisy

    @pytest.mark.parametrize(
        ("args", "kw", "match"),
        [
            ((np.zeros((1, 50), np.float32), 2), {}, "n_trace >= 2"),
            ((np.zeros((8, 50), np.complex64), 2), {}, "real numbers"),
            ((np.zeros((8, 50), np.float32), 0), {}, "factor must be an integer >= 1"),
            ((np.zeros((8, 50), np.float32), 2.5), {}, "factor must be an integer >= 1"),
            ((np.zeros((8, 50), np.float32), True), {}, "factor must be an integer >= 1"),
            ((np.zeros((8, 50), np.float32), 2), {"trace_window": 9}, "between 2 and the 8"),
            ((np.zeros((8, 50), np.float32), 2), {"iterations": -1}, "iterations must be"),
            ((np.zeros((8, 50), np.float32), 2), {"filter_length": 0}, "filter_length must be"),
        ],
    )
    def test_bad_input(self, args, kw, match):
        with pytest.raises(SeisfillError, match=match):
            spitz_interp(*args, **kw)


class TestRegularLattice:
    def test_every_nth_trace_with_targets_between(self):
        for factor in (2, 3, 4):
            live = np.zeros(4 * factor + 1, dtype=bool)
            live[::factor] = True
            assert regular_lattice(live) == factor

    def test_not_a_lattice(self):
        live = np.zeros(21, dtype=bool)
        live[::2] = True
        assert regular_lattice(live[:-1]) == 0  # last slot missing: extrapolated
        assert regular_lattice(np.ones(9, dtype=bool)) == 0  # nothing to fill
        five = np.zeros(21, dtype=bool)
        five[::5] = True
        assert regular_lattice(five) == 0  # step 5: not one of the steps
        jitter = live.copy()
        jitter[[4, 5]] = [False, True]
        assert regular_lattice(jitter) == 0

    def test_targets_limit_the_check(self):
        live = np.zeros(21, dtype=bool)
        live[1:20:2] = True  # slots 0 and 20 are outside the lattice
        assert regular_lattice(live) == 0
        target = ~live
        target[[0, 20]] = False
        assert regular_lattice(live, target) == 2

    def test_one_gather_only(self):
        with pytest.raises(SeisfillError, match="one gather"):
            regular_lattice(np.ones((2, 5), dtype=bool))
