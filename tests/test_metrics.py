"""Metrics: hand-computed values."""

from __future__ import annotations

import math

import numpy as np

from seisfill.metrics import mse, psnr, snr, snr_missing


def test_snr_hand_computed():
    ref = np.array([3.0, 4.0])  # energy 25
    est = np.array([3.0, 3.0])  # error energy 1
    assert snr(ref, est) == 10 * math.log10(25)
    assert snr(ref, ref) == math.inf
    assert math.isnan(snr(np.zeros(3), np.ones(3)))


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
