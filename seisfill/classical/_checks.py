"""Argument checks and the working layout shared by the windowed classical methods (f-k POCS, DRR).

Private: the public functions (:func:`seisfill.classical.pocs.pocs_fk`,
:func:`seisfill.classical.drr.drr_fill`) check their arguments with these, so
both give the same one-line errors for the same bad input.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from seisfill.errors import SeisfillError


def _workers(workers: int | None) -> int:
    """Thread count: None = all CPUs of the process, negative = that many fewer + 1 (scipy)."""
    try:
        n_cpu = max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        n_cpu = max(1, os.cpu_count() or 1)
    if workers is None:
        return n_cpu
    return int(workers) if workers > 0 else max(1, n_cpu + 1 + int(workers))


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_real(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(float(v))


def _as_live(live: Any, shape: tuple[int, ...]) -> np.ndarray:
    lv = np.asarray(live)
    if lv.dtype != np.bool_:
        if lv.dtype.kind not in "iu" or not np.isin(lv, (0, 1)).all():
            raise SeisfillError(
                f"live must be a boolean mask (True = live), got dtype {lv.dtype}; "
                "for a reasons array use seisfill.masks.live_mask(reasons)"
            )
        lv = lv.astype(bool)
    if lv.shape != shape:
        raise SeisfillError(
            f"data shape {shape + ('n_time',)} does not match live mask shape {lv.shape}"
        )
    return lv


def _layout(
    arr: np.ndarray, lv: np.ndarray, ndim: int
) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """Working layout: float32 data ``(B, n_y, n_x, n_t)`` (``n_y = 1`` in 2-D), zero in
    dead traces, live mask ``(B, n_y, n_x)`` and the axes ``(n_t, n_x[, n_y])``."""
    if arr.dtype.kind not in "fiu" or arr.ndim < ndim:
        raise SeisfillError(
            "data must be a real array of shape (..., n_trace, n_time)"
            f"{' with a third spatial axis (ndim=3)' if ndim == 3 else ''}, "
            f"got dtype {arr.dtype}, shape {arr.shape}"
        )
    n_t, n_x = arr.shape[-1], arr.shape[-2]
    n_y = arr.shape[-3] if ndim == 3 else 1
    n_b = int(np.prod(arr.shape[: arr.ndim - ndim], dtype=np.int64))
    live4 = lv.reshape(n_b, n_y, n_x)
    empty = ~live4.reshape(n_b, -1).any(axis=1)
    if empty.any():
        what = "gather" if ndim == 2 else "cube"
        first = int(np.flatnonzero(empty)[0])
        raise SeisfillError(
            f"{what} {first} (of {n_b}, leading axes in C order) has no live traces: "
            "nothing to interpolate from"
        )
    d4 = np.where(lv[..., None], arr, 0).astype(np.float32, copy=False).reshape(n_b, n_y, n_x, n_t)
    if not np.isfinite(d4).all():
        raise SeisfillError("data has NaN or infinite samples in live traces")
    axes_shape = (n_t, n_x) if ndim == 2 else (n_t, n_x, n_y)
    return d4, live4, axes_shape


def _band_bins(band: Any, dt: float | None, n_fft: int) -> tuple[int, int]:
    """Half-open range of rfft bins of an ``n_fft``-sample FFT inside ``band``."""
    n_bins = n_fft // 2 + 1
    if band is None:
        return 0, n_bins
    unit = "Hz" if dt is not None else "of Nyquist"
    if (
        not isinstance(band, Sequence)
        or isinstance(band, str)
        or len(band) != 2
        or not all(_is_real(b) for b in band)
    ):
        raise SeisfillError(f"band must be (f_lo, f_hi), got {band!r}")
    nyq = 0.5 / dt if dt is not None else 1.0
    lo, hi = (float(b) / nyq for b in band)
    if not 0 <= lo < hi <= 1 + 1e-9:
        top = f"{nyq:g} Hz" if dt is not None else "1"
        raise SeisfillError(f"band must satisfy 0 <= f_lo < f_hi <= {top} ({unit}), got {band!r}")
    half = n_fft / 2
    b_lo = max(0, math.ceil(lo * half - 1e-9))
    b_hi = min(n_bins, math.floor(hi * half + 1e-9) + 1)
    if b_hi <= b_lo:
        raise SeisfillError(f"band {band!r} holds no frequency of the {n_fft}-sample time FFT")
    return b_lo, b_hi
