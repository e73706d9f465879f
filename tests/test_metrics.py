"""Metrics: hand-computed values."""

from __future__ import annotations

import math

import numpy as np

from seisfill.metrics import (
    fk_spectrum_error,
    mse,
    psnr,
    snr,
    snr_from_energies,
    snr_missing,
    snr_per_trace,
    ssim,
)


def test_snr_hand_computed():
    ref = np.array([3.0, 4.0])  # energy 25
    est = np.array([3.0, 3.0])  # error energy 1
    assert snr(ref, est) == 10 * math.log10(25)
    assert snr(ref, ref) == math.inf
    assert math.isnan(snr(np.zeros(3), np.ones(3)))


def test_snr_from_energies_hand_computed():
    assert snr_from_energies(25.0, 1.0) == 10 * math.log10(25)
    assert snr_from_energies(100.0, 1.0) == 20.0
    assert snr_from_energies(25.0, 0.0) == math.inf
    assert math.isnan(snr_from_energies(0.0, 1.0))
    assert math.isnan(snr_from_energies(0.0, 0.0))  # no signal wins over no error, as in snr()
    ref, est = np.array([3.0, 4.0, 0.5]), np.array([2.5, 4.5, 0.0])
    assert snr_from_energies(np.sum(ref**2), np.sum((ref - est) ** 2)) == snr(ref, est)


def test_snr_missing_ignores_live_traces():
    ref = np.ones((4, 10))
    est = ref.copy()
    est[2] = 0.9  # error 0.01 per sample on the missing trace
    missing = np.array([False, False, True, False])
    assert math.isclose(snr_missing(ref, est, missing), 20.0, rel_tol=1e-12)
    assert snr(ref, est) > snr_missing(ref, est, missing)


def test_mse_psnr():
    ref = np.array([2.0, -2.0, 0.0, 0.0])
    est = np.array([1.0, -2.0, 0.0, 1.0])
    assert mse(ref, est) == 0.5
    assert psnr(ref, est) == 10 * math.log10(4 / 0.5)


def test_snr_per_trace():
    ref = np.ones((3, 4))
    est = ref.copy()
    est[1] *= 0.9
    ref[2] = 0
    out = snr_per_trace(ref, est)
    assert out[0] == math.inf and math.isclose(out[1], 20.0) and math.isnan(out[2])


def test_fk_spectrum_error_ignores_shift_not_loss():
    rng = np.random.default_rng(0)
    ref = rng.standard_normal((16, 64))
    shifted = np.roll(ref, 3, axis=-1)  # circular shift: same amplitude spectrum
    assert fk_spectrum_error(ref, shifted) < 1e-12
    assert snr(ref, shifted) < 3
    assert math.isclose(fk_spectrum_error(ref, np.zeros_like(ref)), 1.0)


def test_ssim_bounds():
    rng = np.random.default_rng(1)
    ref = rng.standard_normal((32, 64))
    assert math.isclose(ssim(ref, ref), 1.0)
    assert ssim(ref, ref + 0.5 * rng.standard_normal(ref.shape)) < 0.9
