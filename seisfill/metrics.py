"""Quality metrics for filled gathers: small, pure numpy functions.

The honest figure for an interpolator is the SNR over the traces it had to
fill: whole-gather SNR is inflated by the live traces, which every method
returns unchanged.
"""

from __future__ import annotations

import numpy as np

__all__ = ["snr", "snr_missing", "mse", "psnr"]


def snr(reference: np.ndarray, estimate: np.ndarray) -> float:
    """Signal-to-noise ratio in dB, ``10 log10(||ref||^2 / ||ref - est||^2)``.

    Parameters
    ----------
    reference, estimate : numpy.ndarray, same shape

    Returns
    -------
    float
        ``inf`` for a perfect estimate, ``nan`` for an all-zero reference.
    """
    reference = np.asarray(reference, dtype=np.float64)
    estimate = np.asarray(estimate, dtype=np.float64)
    signal = np.sum(reference**2)
    error = np.sum((reference - estimate) ** 2)
    if signal == 0:
        return float("nan")
    if error == 0:
        return float("inf")
    return float(10 * np.log10(signal / error))


def snr_missing(reference: np.ndarray, estimate: np.ndarray, missing: np.ndarray) -> float:
    """SNR in dB over the missing traces only.

    Parameters
    ----------
    reference, estimate : numpy.ndarray, shape (..., n_trace, n_time)
    missing : numpy.ndarray of bool, shape (..., n_trace)
        Traces that were filled.
    """
    missing = np.asarray(missing, dtype=bool)
    return snr(np.asarray(reference)[missing], np.asarray(estimate)[missing])


def mse(reference: np.ndarray, estimate: np.ndarray) -> float:
    """Mean squared error."""
    diff = np.asarray(reference, dtype=np.float64) - np.asarray(estimate, dtype=np.float64)
    return float(np.mean(diff**2))


def psnr(reference: np.ndarray, estimate: np.ndarray) -> float:
    """Peak SNR in dB, with the peak taken as ``max |reference|``."""
    peak = float(np.max(np.abs(reference)))
    error = mse(reference, estimate)
    if error == 0:
        return float("inf")
    return float(10 * np.log10(peak**2 / error))
