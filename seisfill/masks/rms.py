"""RMS outliers: traces far louder or quieter than the other live traces of their gather.

A leave-one-out robust z-test of log-RMS, used by
:func:`seisfill.masks.dead_reasons` and :func:`seisfill.masks.slot_live` to
set :data:`~seisfill.masks.DeadReason.RMS_OUTLIER`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seisfill.masks._args import check_positive_float

__all__ = ["rms_outliers"]

_MAD_TO_SIGMA = 1.4826
_MIN_LOG_SCALE = 0.01  # floor of the robust spread of log-RMS (about 1 % in amplitude)


def rms_outliers(log_rms: Any, live: Any, k: float, min_live: int = 8) -> np.ndarray:
    """Traces whose RMS is an outlier among the other live traces of their gather.

    Parameters
    ----------
    log_rms : array_like, shape (n_gathers, n_traces)
        Natural log of each trace's RMS amplitude (NaN or -inf for traces
        that are not live).
    live : array_like of bool, shape (n_gathers, n_traces)
        Traces taking part in the test.
    k : float
        Threshold in robust standard deviations (MAD x 1.4826) of log-RMS.
    min_live : int
        Gathers with fewer live traces are not tested.

    Returns
    -------
    numpy.ndarray of bool, shape (n_gathers, n_traces)
    """
    k = check_positive_float(k, "rms_outlier")
    return _rms_outliers(
        np.asarray(log_rms, dtype=np.float64), np.asarray(live, dtype=bool), k, min_live
    )


def _rms_outliers(log_rms: np.ndarray, live: np.ndarray, k: float, min_live: int) -> np.ndarray:
    """Leave-one-out robust z-test of log-RMS within each gather.

    Parameters
    ----------
    log_rms : numpy.ndarray, shape (n_gathers, n_traces)
    live : numpy.ndarray of bool, shape (n_gathers, n_traces)

    Returns
    -------
    numpy.ndarray of bool, shape (n_gathers, n_traces)
    """
    out = np.zeros(live.shape, dtype=bool)
    for g in range(live.shape[0]):
        idx = np.flatnonzero(live[g])
        if idx.size < min_live:
            continue
        v = log_rms[g, idx]
        centre, spread = _loo_median_mad(v)
        scale = np.maximum(_MAD_TO_SIGMA * spread, _MIN_LOG_SCALE)
        out[g, idx[np.abs(v - centre) > k * scale]] = True
    return out


def _loo_median(v: np.ndarray) -> np.ndarray:
    """Median of ``v`` without element ``i``, for every ``i``.

    Parameters
    ----------
    v : numpy.ndarray, shape (n,), n >= 2

    Returns
    -------
    numpy.ndarray, shape (n,)
    """
    n = v.size
    order = np.argsort(v, kind="stable")
    s = v[order]
    rank = np.empty(n, dtype=np.intp)
    rank[order] = np.arange(n)
    # The n - 1 remaining values, sorted, are s without position rank[i]:
    # remaining position j is s[j] below rank[i] and s[j + 1] from it on.
    lo, hi = (n - 2) // 2, (n - 1) // 2
    return 0.5 * (s[lo + (lo >= rank)] + s[hi + (hi >= rank)])


def _loo_median_mad(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Leave-one-out median and MAD (about that median) of ``v``, shape (n,) each."""
    centre = _loo_median(v)
    mad = np.empty_like(centre)
    # The leave-one-out median takes at most three distinct values.
    for c in np.unique(centre):
        sel = centre == c
        mad[sel] = _loo_median(np.abs(v - c))[sel]
    return centre, mad
