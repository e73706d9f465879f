"""Quality metrics for filled gathers: small, pure numpy functions.

The honest figure for an interpolator is the SNR over the traces it had to
fill: whole-gather SNR is inflated by the live traces, which every method
returns unchanged.
"""

from __future__ import annotations

import numpy as np

__all__ = ["snr", "snr_from_energies", "snr_missing", "snr_per_trace", "mse", "psnr", "fk_spectrum_error", "ssim"]


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
    return snr_from_energies(np.sum(reference**2), np.sum((reference - estimate) ** 2))


def snr_from_energies(signal: float, error: float) -> float:
    """SNR in dB from energies already summed, ``10 log10(signal / error)``.

    For figures pooled over many patches or gathers: sum each energy over
    all of them, then take one ratio.

    Parameters
    ----------
    signal : float
        Energy of the reference, ``sum ref^2``.
    error : float
        Energy of the error, ``sum (ref - est)^2``.

    Returns
    -------
    float
        ``inf`` for no error, ``nan`` for no signal.
    """
    if signal <= 0:
        return float("nan")
    if error <= 0:
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


def snr_per_trace(reference: np.ndarray, estimate: np.ndarray) -> np.ndarray:
    """SNR in dB of every trace.

    Parameters
    ----------
    reference, estimate : numpy.ndarray, shape (..., n_trace, n_time)

    Returns
    -------
    numpy.ndarray of float64, shape (..., n_trace)
        ``inf`` where a trace is reproduced exactly, ``nan`` where the
        reference trace is all zero.
    """
    reference = np.asarray(reference, dtype=np.float64)
    error = np.sum((reference - np.asarray(estimate, dtype=np.float64)) ** 2, axis=-1)
    signal = np.sum(reference**2, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 10 * np.log10(signal / error)
    out[signal == 0] = np.nan
    return out


def fk_spectrum_error(reference: np.ndarray, estimate: np.ndarray) -> float:
    """Relative error of the f-k amplitude spectra, ``|| |F est| - |F ref| || / || |F ref| ||``.

    Insensitive to small shifts that SNR punishes, sensitive to what SNR
    forgives: lost steep dips, aliasing, smeared energy.

    Parameters
    ----------
    reference, estimate : numpy.ndarray, shape (..., n_trace, n_time)
    """
    ref = np.abs(np.fft.rfft2(np.asarray(reference, dtype=np.float64), axes=(-2, -1)))
    est = np.abs(np.fft.rfft2(np.asarray(estimate, dtype=np.float64), axes=(-2, -1)))
    norm = np.linalg.norm(ref)
    return float(np.linalg.norm(est - ref) / norm) if norm > 0 else float("nan")


def ssim(reference: np.ndarray, estimate: np.ndarray, window: int = 7) -> float:
    """Mean structural similarity (Wang et al. 2004) of two gathers.

    Uses a uniform ``window`` x ``window`` filter over (trace, time) and the
    dynamic range ``max - min`` of the reference.

    Parameters
    ----------
    reference, estimate : numpy.ndarray, shape (n_trace, n_time)
    window : int
        Side of the square averaging window, in samples.
    """
    from scipy.ndimage import uniform_filter

    x = np.asarray(reference, dtype=np.float64)
    y = np.asarray(estimate, dtype=np.float64)
    span = float(x.max() - x.min()) or 1.0
    c1, c2 = (0.01 * span) ** 2, (0.03 * span) ** 2
    mean = lambda a: uniform_filter(a, size=window, mode="reflect")  # noqa: E731
    mx, my = mean(x), mean(y)
    vx, vy, cov = mean(x * x) - mx**2, mean(y * y) - my**2, mean(x * y) - mx * my
    index = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    return float(index.mean())
