"""Which traces are dead, and why.

:func:`dead_reasons` inspects recorded data (and optionally the SEG-Y
``TraceIdentificationCode``) and returns one ``uint8`` of :class:`DeadReason`
bit flags per trace; ``0`` means live.  :func:`slot_live` puts such per-trace
reasons on a grid of slots (gathers x traces, with missing and padding slots)
and derives the live mask: readers of files call it, and nothing else composes
those pieces.

Note the opposite conventions: in a *reasons* array non-zero means dead, in a
*keep* mask (:func:`apply_mask`, the decimation patterns) ``True`` means live.
Convert with :func:`live_mask`.

Data arrays are ``(..., n_traces, n_samples)``: the last axis is time, the
last-but-one axis the traces of one gather, any leading axes index gathers.
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np

from seisfill.errors import SeisfillError
from seisfill.masks._args import check_int, check_positive_float
from seisfill.masks.rms import rms_outliers

__all__ = [
    "DeadReason",
    "FLAGGED",
    "ZERO",
    "CONSTANT",
    "NONFINITE",
    "RMS_OUTLIER",
    "MISSING",
    "dead_reasons",
    "live_mask",
    "slot_live",
    "describe_reasons",
    "apply_mask",
]


class DeadReason(enum.IntFlag):
    """Why a trace is dead; several bits may be set on one trace.

    Stored as one ``uint8`` per trace; a value of ``0`` means live.
    """

    FLAGGED = 1
    """TraceIdentificationCode is 2 (dead) or 3 (dummy)."""
    ZERO = 2
    """All samples are exactly zero."""
    CONSTANT = 4
    """All samples are equal and non-zero (e.g. a DC-clipped channel)."""
    NONFINITE = 8
    """At least one sample is NaN or +/-Inf."""
    RMS_OUTLIER = 16
    """Log-RMS far from the other live traces of the gather (opt-in)."""
    MISSING = 32
    """No trace in the file: slot inserted by geometry regularisation (set elsewhere)."""


FLAGGED = DeadReason.FLAGGED
ZERO = DeadReason.ZERO
CONSTANT = DeadReason.CONSTANT
NONFINITE = DeadReason.NONFINITE
RMS_OUTLIER = DeadReason.RMS_OUTLIER
MISSING = DeadReason.MISSING

_DEAD_TRACE_IDS = (2, 3)
_CHUNK_ELEMENTS = 1 << 18  # samples per chunk: a chunk stays in cache between its passes


def dead_reasons(
    data: Any,
    trace_id: Any = None,
    *,
    rms_outlier: float | None = None,
    rms_min_live: int = 8,
) -> np.ndarray:
    """Flag dead traces and say why.

    Parameters
    ----------
    data : array_like, shape (..., n_traces, n_samples)
        Real-valued samples (float or integer; a ``np.memmap`` is read chunk by
        chunk).  Leading axes index gathers.
    trace_id : array_like of int, shape (..., n_traces), optional
        SEG-Y ``TraceIdentificationCode`` per trace (broadcast against
        ``data.shape[:-1]``); codes 2 (dead) and 3 (dummy) set ``FLAGGED``.
    rms_outlier : float, optional
        If given (``k > 0``), also set ``RMS_OUTLIER`` on traces whose log-RMS
        deviates from the median log-RMS of the *other* live traces of the
        same gather by more than ``k`` robust standard deviations
        (``1.4826 * MAD`` of those others, floored at 0.01, i.e. about 1 % in
        amplitude).  Only traces with no other reason count as live here.
    rms_min_live : int, default 8
        Skip the RMS test in gathers with fewer live traces than this.

    Returns
    -------
    numpy.ndarray of uint8, shape (..., n_traces)
        Bitwise OR of :class:`DeadReason` values; ``0`` means live.  ``ZERO``
        and ``CONSTANT`` are only set on traces whose samples are finite.

    Notes
    -----
    Per trace the data are read once, in cache-sized chunks: the minimum and
    maximum give ZERO (``min == max == 0``), CONSTANT (``min == max != 0``) and
    NONFINITE (NaN propagates through min/max, and an Inf becomes the min or
    the max); the sum of squares is only computed when ``rms_outlier`` is set.
    """
    arr = _as_trace_array(data)
    *lead, n_traces, n_samples = arr.shape
    lead_shape = tuple(lead)
    if rms_outlier is not None:
        rms_outlier = check_positive_float(rms_outlier, "rms_outlier")
    rms_min_live = check_int(rms_min_live, "rms_min_live", 2)

    flat = arr.reshape(-1, n_samples)
    mn, mx, sumsq = _trace_stats(flat, want_sumsq=rms_outlier is not None)

    reasons = np.zeros(flat.shape[0], dtype=np.uint8)
    finite = np.isfinite(mn) & np.isfinite(mx)
    reasons[~finite] |= np.uint8(NONFINITE)
    flat_trace = finite & (mn == mx)
    reasons[flat_trace & (mn == 0)] |= np.uint8(ZERO)
    reasons[flat_trace & (mn != 0)] |= np.uint8(CONSTANT)
    reasons = reasons.reshape(*lead_shape, n_traces)

    if trace_id is not None:
        ids = _broadcast_trace_ids(trace_id, reasons.shape)
        reasons[np.isin(ids, _DEAD_TRACE_IDS)] |= np.uint8(FLAGGED)

    if rms_outlier is not None and n_traces > 0:
        assert sumsq is not None
        log_rms = _log_rms(flat, mn, mx, sumsq, reasons.reshape(-1) == 0)
        outlier = rms_outliers(
            log_rms.reshape(-1, n_traces),
            reasons.reshape(-1, n_traces) == 0,
            rms_outlier,
            rms_min_live,
        )
        reasons[outlier.reshape(reasons.shape)] |= np.uint8(RMS_OUTLIER)
    return reasons


def live_mask(reasons: Any) -> np.ndarray:
    """Boolean keep mask from a reasons array.

    Parameters
    ----------
    reasons : array_like of uint8, shape (..., n_traces)
        Output of :func:`dead_reasons` (possibly with ``MISSING`` added).

    Returns
    -------
    numpy.ndarray of bool, shape (..., n_traces)
        ``True`` where the trace is live (no reason set).
    """
    return np.asarray(reasons) == 0


def slot_live(
    trace_reasons: Any,
    slot_trace: Any,
    pad: Any = None,
    *,
    log_rms: Any = None,
    rms_outlier: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Dead reasons and live mask of a grid of slots, from the checks of its traces.

    The one place where the per-trace checks of a file become the
    ``dead_reason`` and ``live`` arrays of a dataset: :func:`seisfill.read_segy`
    (the whole grid) and the gather-by-gather readers of
    :mod:`seisfill.io.gather_runs` (one row at a time) both call it.

    Parameters
    ----------
    trace_reasons : array_like of uint8, shape (n_traces,)
        :func:`dead_reasons` of each trace (samples and trace id code), by
        trace number.
    slot_trace : array_like of int, shape (..., n_slots)
        Trace number held by each slot; negative for a slot with no trace.
        The last axis is one gather (or one inline of a cube).
    pad : array_like of bool, shape (..., n_slots), optional
        Empty slots that only pad a gather shorter than the grid: they get no
        reason and are not live.  Every other empty slot is ``MISSING``.
        Default: no padding.
    log_rms : array_like of float, shape (n_traces,), optional
        Natural log-RMS of each trace; required with ``rms_outlier``.
    rms_outlier : float, optional
        Also set ``RMS_OUTLIER`` on the live traces whose log-RMS is an outlier
        among the other live traces of their gather (:func:`rms_outliers`,
        ``k = rms_outlier``); empty slots take no part.

    Returns
    -------
    reasons : numpy.ndarray of uint8, shape (..., n_slots)
        :class:`DeadReason` bits per slot; ``0`` on live traces and padding.
    live : numpy.ndarray of bool, shape (..., n_slots)
        ``True`` where the slot holds a trace with no reason.
    """
    slot = np.asarray(slot_trace)
    present = slot >= 0
    take = np.where(present, slot, 0)
    reasons = np.where(present, np.asarray(trace_reasons)[take], 0).astype(np.uint8)
    empty = ~present if pad is None else ~present & ~np.asarray(pad, dtype=bool)
    reasons[empty] |= np.uint8(MISSING)
    if rms_outlier is not None:
        if log_rms is None:
            raise ValueError("rms_outlier needs the log-RMS of every trace (log_rms)")
        rows = (-1, slot.shape[-1])
        slot_rms = np.where(present, np.asarray(log_rms)[take], np.nan)
        # padding slots (reasons 0, no trace) take no part: their NaN log-RMS would void the test
        tested = (reasons == 0) & present
        outliers = rms_outliers(slot_rms.reshape(rows), tested.reshape(rows), rms_outlier)
        reasons[outliers.reshape(reasons.shape)] |= np.uint8(RMS_OUTLIER)
    live = (reasons == 0) & present
    return reasons, live


def describe_reasons(reasons: Any) -> dict[str, int]:
    """Count traces per reason, for reports.

    Parameters
    ----------
    reasons : array_like of uint8, shape (...)
        Output of :func:`dead_reasons`.

    Returns
    -------
    dict of str to int
        ``"traces"``, ``"live"`` and ``"dead"`` totals, then one entry per
        :class:`DeadReason` in lower case (``"flagged"``, ``"zero"``,
        ``"constant"``, ``"nonfinite"``, ``"rms_outlier"``, ``"missing"``),
        always present, zero included.  A trace with several reasons is
        counted under each of them.
    """
    r = np.asarray(reasons)
    if r.dtype.kind not in "ui":
        raise SeisfillError(
            f"reasons must be an integer array from dead_reasons(), got dtype {r.dtype}"
        )
    counts = {
        "traces": int(r.size),
        "live": int(np.count_nonzero(r == 0)),
        "dead": int(np.count_nonzero(r)),
    }
    for reason in DeadReason:
        counts[str(reason.name).lower()] = int(np.count_nonzero(r & int(reason)))
    return counts


def apply_mask(data: Any, keep: Any) -> np.ndarray:
    """Zero the missing traces (a copy; the input is untouched).

    Parameters
    ----------
    data : array_like, shape (..., n_traces, n_samples)
        Seismic data.
    keep : array_like of bool, broadcastable to (..., n_traces)
        ``True`` for traces to keep.  Must be boolean: a reasons array
        (non-zero = dead) has the opposite meaning; use :func:`live_mask`.

    Returns
    -------
    numpy.ndarray, shape (..., n_traces, n_samples)
        Same dtype as ``data``; missing traces (NaN included) set to zero.
    """
    arr = _as_trace_array(data)
    k = np.asarray(keep)
    if k.dtype != np.bool_:
        raise SeisfillError(
            f"keep must be a boolean mask (True = live), got dtype {k.dtype}; "
            "for a reasons array use live_mask(reasons)"
        )
    try:
        out_shape = np.broadcast_shapes(k.shape + (1,), arr.shape)
    except ValueError:
        out_shape = None
    if out_shape != arr.shape:
        raise SeisfillError(
            f"keep mask of shape {k.shape} does not match data of shape {arr.shape} "
            f"(expected a shape broadcastable to {arr.shape[:-1]})"
        )
    return np.where(k[..., None], arr, arr.dtype.type(0))


def _as_trace_array(data: Any) -> np.ndarray:
    """Validate ``(..., n_traces, n_samples)`` real numeric data, without copying."""
    arr = np.asanyarray(data)
    if arr.ndim < 2:
        raise SeisfillError(
            f"data must have shape (..., n_traces, n_samples), got {arr.ndim}-D shape {arr.shape}"
        )
    if arr.dtype.kind not in "fiub":
        raise SeisfillError(f"data must be real numbers, got dtype {arr.dtype}")
    if arr.shape[-1] == 0:
        raise SeisfillError(f"data of shape {arr.shape} has no samples per trace")
    if arr.dtype.kind == "b":
        arr = arr.view(np.uint8)
    return arr


def _broadcast_trace_ids(trace_id: Any, shape: tuple[int, ...]) -> np.ndarray:
    ids = np.asarray(trace_id)
    if ids.dtype.kind not in "fiu":
        raise SeisfillError(f"trace_id must be integer codes, got dtype {ids.dtype}")
    try:
        return np.broadcast_to(ids, shape)
    except ValueError:
        raise SeisfillError(
            f"trace_id of shape {ids.shape} does not match the {shape} traces of data"
        ) from None


def _trace_stats(
    flat: np.ndarray, want_sumsq: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Per-row min, max and (optionally) float64 sum of squares, chunk by chunk.

    Parameters
    ----------
    flat : numpy.ndarray, shape (n_rows, n_samples)

    Returns
    -------
    mn, mx : numpy.ndarray, shape (n_rows,)
    sumsq : numpy.ndarray of float64, shape (n_rows,), or None
    """
    n_rows, n_samples = flat.shape
    mn = np.empty(n_rows, dtype=flat.dtype)
    mx = np.empty(n_rows, dtype=flat.dtype)
    sumsq = np.empty(n_rows, dtype=np.float64) if want_sumsq else None
    step = max(1, _CHUNK_ELEMENTS // n_samples)
    for start in range(0, n_rows, step):
        chunk = np.asarray(flat[start : start + step])
        np.min(chunk, axis=1, out=mn[start : start + step])
        np.max(chunk, axis=1, out=mx[start : start + step])
        if sumsq is not None:
            c64 = chunk.astype(np.float64, copy=False)
            sumsq[start : start + step] = np.einsum("ij,ij->i", c64, c64)
    return mn, mx, sumsq


def _log_rms(
    flat: np.ndarray, mn: np.ndarray, mx: np.ndarray, sumsq: np.ndarray, live: np.ndarray
) -> np.ndarray:
    """Natural log of the RMS of each live row (NaN for the others).

    Rows whose sum of squares under- or overflowed are recomputed after
    scaling by their peak amplitude.
    """
    n_samples = flat.shape[1]
    out = np.full(flat.shape[0], np.nan)
    with np.errstate(divide="ignore"):
        out[live] = 0.5 * np.log(sumsq[live] / n_samples)
    redo = np.flatnonzero(live & ~np.isfinite(out))
    if redo.size:
        peak = np.maximum(np.abs(mn[redo].astype(np.float64)), np.abs(mx[redo].astype(np.float64)))
        scaled = np.asarray(flat[redo], dtype=np.float64) / peak[:, None]
        out[redo] = np.log(peak) + 0.5 * np.log(np.mean(scaled * scaled, axis=1))
    return out
