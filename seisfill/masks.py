"""Which traces are dead, and simulated decimation (missing traces on purpose).

Two halves, both pure numpy:

* **Dead traces** -- :func:`dead_reasons` inspects recorded data (and optionally
  the SEG-Y ``TraceIdentificationCode``) and returns one ``uint8`` of
  :class:`DeadReason` bit flags per trace; ``0`` means live.
* **Decimation** -- seeded generators of boolean *keep* masks
  (``True`` = trace kept / live, ``False`` = trace removed) used to simulate
  missing traces for tests, benchmarks and network training, plus a tiny string
  language (``"random50"``, ``"gap16x2"``, ``"mix:random30+gap8"``) parsed by
  :func:`parse_pattern` into a callable :class:`Decimation`.

Note the opposite conventions: in a *reasons* array non-zero means dead, in a
*keep* mask ``True`` means live.  Convert with :func:`live_mask`.

Shapes
------
Data arrays are ``(..., n_traces, n_samples)``: the last axis is time, the
last-but-one axis the traces of one gather, any leading axes index gathers.
Decimation ``shape`` is either ``n`` (one gather or 2-D line; the mask has
shape ``(n,)``) or ``(n_inline, n_crossline)`` (a 3-D grid of traces; the mask
has that shape and whole traces are removed from the grid).

On grids the *axis patterns* (regular, jittered, gaps) take an ``axis``
argument: a single axis (default ``-1``, the crossline axis) removes whole
lines along that axis; ``axis=(0, 1)`` acts on both axes at once (regular: a
sub-grid; jittered: one trace per ``every x every`` cell; gaps: square holes).
The *trace patterns* (random, dead channels) pick individual traces.

Every decimation keeps at least two live traces (along the decimated axis for
axis patterns) and raises :class:`~seisfill.errors.SeisfillError` when the
request makes that impossible.
"""

from __future__ import annotations

import enum
import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from seisfill.errors import SeisfillError

__all__ = [
    "true_runs",
    "rms_outliers",
    "DeadReason",
    "FLAGGED",
    "ZERO",
    "CONSTANT",
    "NONFINITE",
    "RMS_OUTLIER",
    "MISSING",
    "dead_reasons",
    "live_mask",
    "describe_reasons",
    "apply_mask",
    "decimate_random",
    "decimate_regular",
    "decimate_jittered",
    "decimate_gaps",
    "decimate_dead_channels",
    "decimate_mix",
    "Decimation",
    "parse_pattern",
    "decimate",
    "PATTERN_FORMS",
]

ShapeLike = int | tuple[int, ...]
SeedLike = int | np.random.Generator
AxisLike = int | tuple[int, ...]


# ---------------------------------------------------------------------------
# Dead traces
# ---------------------------------------------------------------------------


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
_MAD_TO_SIGMA = 1.4826
_MIN_LOG_SCALE = 0.01  # floor of the robust spread of log-RMS (about 1 % in amplitude)


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
        rms_outlier = _check_positive_float(rms_outlier, "rms_outlier")
    rms_min_live = _check_int(rms_min_live, "rms_min_live", 2)

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
        outlier = _rms_outliers(
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
    k = _check_positive_float(k, "rms_outlier")
    return _rms_outliers(np.asarray(log_rms, dtype=np.float64), np.asarray(live, dtype=bool), k, min_live)


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


# ---------------------------------------------------------------------------
# Decimation: argument checks
# ---------------------------------------------------------------------------


def _as_shape(shape: Any) -> tuple[int, ...]:
    """Normalise ``n`` or ``(n_inline, n_crossline)`` to a tuple of positive ints."""
    dims = (shape,) if isinstance(shape, numbers.Integral) else shape
    ok = isinstance(dims, Sequence | np.ndarray) and 1 <= len(dims) <= 2
    if ok:
        ok = all(isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in dims)
    if not ok or isinstance(shape, bool):
        raise SeisfillError(
            f"decimation shape must be an int n or a tuple (n_inline, n_crossline), got {shape!r}"
        )
    out = tuple(int(d) for d in dims)
    if min(out) < 1:
        raise SeisfillError(f"decimation shape must be positive, got {out}")
    return out


def _rng(seed: Any, what: str) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and int(seed) >= 0:
        return np.random.default_rng(int(seed))
    raise SeisfillError(
        f"{what} needs a seed: a non-negative int or a numpy Generator, got {seed!r}"
    )


def _check_int(value: Any, name: str, minimum: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise SeisfillError(f"{name} must be an integer, got {value!r}")
    if int(value) < minimum:
        raise SeisfillError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_fraction(value: Any, name: str) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise SeisfillError(f"{name} must be a number between 0 and 1, got {value!r}")
    f = float(value)
    if not 0.0 <= f <= 1.0:
        raise SeisfillError(
            f"{name} must be between 0 and 1 (a fraction, not a percentage), got {f}"
        )
    return f


def _check_positive_float(value: Any, name: str) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value > 0:
        raise SeisfillError(f"{name} must be a positive number, got {value!r}")
    if not math.isfinite(float(value)):
        raise SeisfillError(f"{name} must be finite, got {value!r}")
    return float(value)


def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """Normalise ``axis`` (int or tuple of ints) for a mask of ``ndim`` dims."""
    raw = (axis,) if isinstance(axis, numbers.Integral) else axis
    try:
        items = tuple(raw)
    except TypeError:
        items = ()
    if not items or not all(isinstance(a, numbers.Integral) for a in items):
        raise SeisfillError(f"axis must be an int or a tuple of ints, got {axis!r}")
    if any(not -ndim <= int(a) < ndim for a in items):
        raise SeisfillError(f"axis {axis!r} is out of range for a {ndim}-D decimation shape")
    return tuple(sorted({int(a) % ndim for a in items}))


def _require_live(keep: np.ndarray, what: str) -> np.ndarray:
    if np.count_nonzero(keep) < 2:
        raise SeisfillError(
            f"{what} on shape {keep.shape} would leave fewer than 2 live traces; "
            "remove fewer traces or use a larger gather"
        )
    return keep


def _along_axis(line: np.ndarray, shape: tuple[int, ...], axis: int) -> np.ndarray:
    """Broadcast a 1-D keep pattern along ``axis`` of ``shape`` (whole lines)."""
    view = [1] * len(shape)
    view[axis] = line.size
    return np.broadcast_to(line.reshape(view), shape).copy()


# ---------------------------------------------------------------------------
# Decimation: placing runs of missing traces
# ---------------------------------------------------------------------------


def _place_runs(
    n: int, lengths: np.ndarray, rng: np.random.Generator, interior: bool, what: str
) -> np.ndarray:
    """Random start positions of non-touching runs of missing traces.

    The ``n - sum(lengths)`` kept traces define ``n_kept + 1`` slots (before
    the first kept trace, between two, after the last); each run takes its own
    slot, chosen uniformly, so runs never touch.  With ``interior`` the two end
    slots are avoided when there are enough inner slots.

    Parameters
    ----------
    n : int
        Number of traces.
    lengths : numpy.ndarray of int, shape (n_runs,)
        Run lengths, in placement order (shuffle beforehand for random order).

    Returns
    -------
    numpy.ndarray of int, shape (n_runs,)
        Start index of each run, increasing.
    """
    n_runs = lengths.size
    n_kept = n - int(lengths.sum())
    if n_kept < 2:
        raise SeisfillError(f"{what} removes {n - n_kept} of {n} traces; at least 2 must stay live")
    if n_runs > n_kept + 1:
        raise SeisfillError(
            f"{what}: {n_runs} separate runs of missing traces do not fit between "
            f"the {n_kept} live traces of a line of {n}"
        )
    if interior and n_runs <= n_kept - 1:
        slots = np.arange(1, n_kept)
    else:
        slots = np.arange(0, n_kept + 1)
    chosen = np.sort(rng.choice(slots, size=n_runs, replace=False))
    return chosen + np.cumsum(lengths) - lengths


def _runs_to_keep(n: int, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Keep mask of length ``n`` with ``lengths[i]`` traces removed from ``starts[i]``."""
    keep = np.ones(n, dtype=bool)
    total = int(lengths.sum())
    if total:
        first = np.repeat(starts, lengths)
        within = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        keep[first + within] = False
    return keep


# ---------------------------------------------------------------------------
# Decimation patterns
# ---------------------------------------------------------------------------


def decimate_random(shape: ShapeLike, fraction: float, seed: SeedLike) -> np.ndarray:
    """Remove exactly ``round(fraction * N)`` traces chosen uniformly at random.

    Parameters
    ----------
    shape : int or tuple of int
        ``n`` or ``(n_inline, n_crossline)``; ``N`` is the total trace count.
    fraction : float
        Fraction of traces removed, in ``[0, 1]`` (Python ``round``: half to even).
    seed : int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray of bool, shape ``shape``
        Keep mask.
    """
    dims = _as_shape(shape)
    fraction = _check_fraction(fraction, "fraction")
    rng = _rng(seed, "random decimation")
    n = math.prod(dims)
    n_missing = round(fraction * n)
    if n - n_missing < 2:
        raise SeisfillError(
            f"random decimation of {fraction:.0%} removes {n_missing} of {n} traces; "
            "at least 2 must stay live"
        )
    keep = np.ones(n, dtype=bool)
    keep[rng.choice(n, size=n_missing, replace=False)] = False
    return keep.reshape(dims)


def decimate_regular(
    shape: ShapeLike,
    every: int,
    seed: SeedLike | None = None,
    offset: int | tuple[int, ...] | None = None,
    *,
    axis: AxisLike = -1,
) -> np.ndarray:
    """Keep every ``every``-th trace (``every=2`` removes half).

    Parameters
    ----------
    shape : int or tuple of int
        ``n`` or ``(n_inline, n_crossline)``.
    every : int
        Decimation factor, at least 1 (1 keeps everything).
    seed : int or numpy.random.Generator, optional
        Draw a random offset in ``[0, every)`` when ``offset`` is not given;
        without either the offset is 0 (first trace kept).
    offset : int or tuple of int, optional
        Index of the first kept trace (per axis when ``axis`` has two axes).
    axis : int or tuple of int, default -1
        On grids: a single axis keeps every ``every``-th whole line along it;
        ``(0, 1)`` keeps the regular sub-grid (``1 / every**2`` of the traces).

    Returns
    -------
    numpy.ndarray of bool, shape ``shape``
        Keep mask.
    """
    dims = _as_shape(shape)
    every = _check_int(every, "every", 1)
    axes = _axes(axis, len(dims))
    if offset is None:
        rng = None if seed is None else _rng(seed, "regular decimation")
        offsets = [0 if rng is None else int(rng.integers(every)) for _ in axes]
        if len(axes) == 1 and every > 1 and dims[axes[0]] < 2 * every:
            raise SeisfillError(
                f"regular decimation by {every} along an axis of {dims[axes[0]]} traces "
                f"needs at least {2 * every} traces to keep 2 live"
            )
    else:
        raw = (offset,) * len(axes) if isinstance(offset, numbers.Integral) else tuple(offset)
        if len(raw) != len(axes):
            raise SeisfillError(f"offset {offset!r} needs one value per decimated axis {axes}")
        offsets = [_check_int(o, "offset", 0) for o in raw]
        if any(o >= every for o in offsets):
            raise SeisfillError(f"offset {offset!r} must be smaller than every={every}")
    keep = np.ones(dims, dtype=bool)
    for ax, off in zip(axes, offsets, strict=True):
        line = np.zeros(dims[ax], dtype=bool)
        line[off::every] = True
        if len(axes) == 1 and np.count_nonzero(line) < 2:
            raise SeisfillError(
                f"regular decimation by {every} from offset {off} keeps fewer than 2 of "
                f"{dims[ax]} traces"
            )
        keep &= _along_axis(line, dims, ax)
    return _require_live(keep, f"regular decimation by {every}")


def decimate_jittered(
    shape: ShapeLike, every: int, seed: SeedLike, *, axis: AxisLike = -1
) -> np.ndarray:
    """Jittered decimation (Hennenfent & Herrmann, 2008).

    The traces are cut into consecutive cells of ``every`` traces (the last
    cell may be shorter) and exactly one trace per cell is kept, at a uniformly
    random position inside it.  Like regular decimation it keeps about
    ``1 / every`` of the traces, but without the regular aliasing, and the
    distance between two consecutive kept traces stays below ``2 * every``.

    Parameters
    ----------
    shape : int or tuple of int
        ``n`` or ``(n_inline, n_crossline)``.
    every : int
        Cell size, at least 1 (1 keeps everything).
    seed : int or numpy.random.Generator
    axis : int or tuple of int, default -1
        On grids: a single axis keeps one whole line per cell of lines along
        it; ``(0, 1)`` keeps one trace per ``every x every`` cell of the grid.

    Returns
    -------
    numpy.ndarray of bool, shape ``shape``
        Keep mask.
    """
    dims = _as_shape(shape)
    every = _check_int(every, "every", 1)
    axes = _axes(axis, len(dims))
    rng = _rng(seed, "jittered decimation")
    if len(axes) == 1 and every > 1 and dims[axes[0]] <= every:
        raise SeisfillError(
            f"jittered decimation by {every} along an axis of {dims[axes[0]]} traces keeps "
            f"only 1; it needs more than {every} traces"
        )
    cells = [np.arange(0, dims[ax], every) for ax in axes]
    sizes = [np.minimum(every, dims[ax] - c) for ax, c in zip(axes, cells, strict=True)]
    if len(axes) == 1:
        line = np.zeros(dims[axes[0]], dtype=bool)
        line[cells[0] + rng.integers(0, sizes[0])] = True
        keep = _along_axis(line, dims, axes[0])
    else:
        grid = (cells[0].size, cells[1].size)
        pos0 = cells[0][:, None] + rng.integers(0, sizes[0][:, None], size=grid)
        pos1 = cells[1][None, :] + rng.integers(0, sizes[1][None, :], size=grid)
        keep = np.zeros(dims, dtype=bool)
        keep[pos0, pos1] = True
    return _require_live(keep, f"jittered decimation by {every}")


def decimate_gaps(
    shape: ShapeLike,
    gap: int,
    seed: SeedLike,
    n_gaps: int = 1,
    *,
    axis: AxisLike = -1,
) -> np.ndarray:
    """Remove ``n_gaps`` runs of exactly ``gap`` consecutive traces.

    Runs are placed uniformly at random among the arrangements where they
    neither touch each other nor the first or last trace (interior gaps, the
    hard case for interpolation); if there is no room for that, runs may touch
    the ends, but never each other.

    Parameters
    ----------
    shape : int or tuple of int
        ``n`` or ``(n_inline, n_crossline)``.
    gap : int
        Length of each run of missing traces, at least 1.
    seed : int or numpy.random.Generator
    n_gaps : int, default 1
        Number of runs.
    axis : int or tuple of int, default -1
        On grids: a single axis removes runs of ``gap`` whole lines along it;
        ``(0, 1)`` cuts ``gap x gap`` square holes (on separate, non-adjacent
        inline ranges, interior along both axes when there is room).

    Returns
    -------
    numpy.ndarray of bool, shape ``shape``
        Keep mask.
    """
    dims = _as_shape(shape)
    gap = _check_int(gap, "gap", 1)
    n_gaps = _check_int(n_gaps, "n_gaps", 1)
    axes = _axes(axis, len(dims))
    rng = _rng(seed, "gap decimation")
    what = f"{n_gaps} gap(s) of {gap} traces"
    lengths = np.full(n_gaps, gap, dtype=np.intp)
    starts = _place_runs(dims[axes[0]], lengths, rng, interior=True, what=what)
    if len(axes) == 1:
        line = _runs_to_keep(dims[axes[0]], starts, lengths)
        return _along_axis(line, dims, axes[0])
    n_cols = dims[1]
    if gap > n_cols:
        raise SeisfillError(f"{what}: a hole of {gap} does not fit in {n_cols} crosslines")
    lo, hi = (1, n_cols - gap - 1) if n_cols - gap >= 2 else (0, n_cols - gap)
    cols = rng.integers(lo, hi + 1, size=n_gaps)
    keep = np.ones(dims, dtype=bool)
    for r, c in zip(starts, cols, strict=True):
        keep[r : r + gap, c : c + gap] = False
    return _require_live(keep, what)


_CABLE_GAP_PROB = 0.2  # chance, per line, of one long cable gap
_CABLE_GAP_RANGE = (6, 48)  # its length, at most half the line's missing budget
_CLUSTER_SHARE = 0.3  # share of the remaining budget spent on 2-4 trace clusters


def decimate_dead_channels(shape: ShapeLike, fraction: float, seed: SeedLike) -> np.ndarray:
    """Realistic field pattern of dead channels.

    Exactly ``round(fraction * N)`` traces are removed.  Per line (the whole
    ``n``, or each inline of a grid, taken as a cable along the crossline axis,
    with the total spread evenly over the inlines), the missing budget is made
    of: with probability 0.2, one long cable gap of 6-48 traces (at most half
    of the line's budget, so only when the budget is 12 or more); then about
    30 % of the rest as clusters of 2-4 adjacent dead channels; the remainder as
    isolated dead channels.  Runs are placed at random and never touch, so
    clusters and isolated channels keep their size; only when the request is
    so dense that they cannot be separated are runs merged into longer ones.

    Parameters
    ----------
    shape : int or tuple of int
        ``n`` or ``(n_inline, n_crossline)``.
    fraction : float
        Fraction of traces removed, in ``[0, 1]``.
    seed : int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray of bool, shape ``shape``
        Keep mask.
    """
    dims = _as_shape(shape)
    fraction = _check_fraction(fraction, "fraction")
    rng = _rng(seed, "dead-channel decimation")
    lines = dims[0] if len(dims) == 2 else 1
    n = dims[-1]
    total = round(fraction * n * lines)
    per_line = np.full(lines, total // lines, dtype=np.intp)
    per_line[rng.choice(lines, size=total - int(per_line.sum()), replace=False)] += 1
    keep = np.empty((lines, n), dtype=bool)
    for i, m in enumerate(per_line):
        lengths = _dead_channel_runs(n, int(m), rng)
        starts = _place_runs(
            n, lengths, rng, interior=False, what=f"dead channels ({fraction:.0%})"
        )
        keep[i] = _runs_to_keep(n, starts, lengths)
    return keep.reshape(dims)


def _dead_channel_runs(n: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """Run lengths (shuffled) adding up to ``m`` missing traces on a line of ``n``."""
    runs: list[np.ndarray] = []
    budget = m
    lo, hi = _CABLE_GAP_RANGE
    if budget // 2 >= lo and rng.random() < _CABLE_GAP_PROB:
        cable = int(rng.integers(lo, min(hi, budget // 2) + 1))
        runs.append(np.array([cable]))
        budget -= cable
    cluster_budget = round(_CLUSTER_SHARE * budget)
    sizes = rng.integers(2, 5, size=cluster_budget // 2 + 1)
    sizes = sizes[np.cumsum(sizes) <= cluster_budget]
    runs.append(sizes)
    budget -= int(sizes.sum())
    runs.append(np.ones(budget, dtype=np.intp))
    lengths = rng.permutation(np.concatenate(runs).astype(np.intp))
    slots = n - m + 1
    if lengths.size > slots > 0:  # too dense to keep every run separate: merge runs
        lengths = np.bincount(np.arange(lengths.size) % slots, weights=lengths).astype(np.intp)
    return lengths


def decimate_mix(
    shape: ShapeLike,
    seed: SeedLike,
    patterns: Sequence[str | Decimation] = ("random25", "gap8"),
) -> np.ndarray:
    """Union of the missing traces of several patterns.

    Parameters
    ----------
    shape : int or tuple of int
        ``n`` or ``(n_inline, n_crossline)``.
    seed : int or numpy.random.Generator
        One generator is drawn from in turn by each pattern, in order; so the
        result equals ``decimate(shape, p1, rng) & decimate(shape, p2, rng) ...``
        with ``rng = np.random.default_rng(seed)``.  If the union leaves fewer
        than 2 live traces, all patterns are drawn again (up to 10 times).
    patterns : sequence of str or Decimation
        Pattern specs (see :func:`parse_pattern`); ``mix`` cannot be nested.

    Returns
    -------
    numpy.ndarray of bool, shape ``shape``
        Keep mask: ``True`` only where every pattern keeps the trace.
    """
    dims = _as_shape(shape)
    rng = _rng(seed, "mixed decimation")
    if isinstance(patterns, str | Decimation) or len(patterns) == 0:
        raise SeisfillError("decimate_mix needs a non-empty sequence of patterns")
    parts = [parse_pattern(p) for p in patterns]
    if any(p.kind == "mix" for p in parts):
        raise SeisfillError("mix patterns cannot be nested")
    for _ in range(_MIX_ATTEMPTS):
        keep = np.ones(dims, dtype=bool)
        for part in parts:
            keep &= part(dims, rng)
        if np.count_nonzero(keep) >= 2:
            return keep
    names = "+".join(p.name for p in parts)
    raise SeisfillError(
        f"mix:{names} on shape {dims} keeps fewer than 2 live traces; remove fewer traces"
    )


_MIX_ATTEMPTS = 10


# ---------------------------------------------------------------------------
# Pattern specs
# ---------------------------------------------------------------------------

PATTERN_FORMS = (
    "random<percent> or random<fraction> (random50, random0.7)",
    "regular<every> (regular2)",
    "jitter<every> (jitter3)",
    "gap<length>[x<count>] (gap8, gap16x2)",
    "dead<percent> or dead<fraction> (dead5)",
    "mix:<spec>+<spec>[+...] (mix:random30+gap8)",
)
"""The valid forms of a decimation spec string, for help texts."""

_KIND_PARAMS: dict[str, tuple[frozenset[str], ...]] = {
    "random": (frozenset({"percent"}), frozenset({"fraction"})),
    "dead": (frozenset({"percent"}), frozenset({"fraction"})),
    "regular": (frozenset({"every"}),),
    "jitter": (frozenset({"every"}),),
    "gap": (frozenset({"gap", "n_gaps"}),),
    "mix": (frozenset({"patterns"}),),
}

_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_SPEC_RES = {
    "random": re.compile(rf"random{_NUMBER}"),
    "dead": re.compile(rf"dead{_NUMBER}"),
    "regular": re.compile(r"regular(\d+)"),
    "jitter": re.compile(r"jitter(\d+)"),
    "gap": re.compile(r"gap(\d+)(?:x(\d+))?"),
}


@dataclass(frozen=True)
class Decimation:
    """A parsed decimation spec: call it to get a keep mask.

    Build one with :func:`parse_pattern`.  ``params`` is a tuple of
    ``(name, value)`` pairs:

    * ``random`` / ``dead``: ``(("percent", p),)`` with ``1 <= p <= 100`` or
      ``(("fraction", f),)`` with ``0 <= f < 1`` (how the spec was written);
    * ``regular`` / ``jitter``: ``(("every", n),)``;
    * ``gap``: ``(("gap", length), ("n_gaps", count))``;
    * ``mix``: ``(("patterns", (Decimation, ...)),)``.

    ``name`` is the canonical spec, with ``parse_pattern(d.name) == d``.
    """

    kind: str
    params: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in _KIND_PARAMS:
            raise SeisfillError(
                f"unknown decimation kind {self.kind!r}; valid kinds: {', '.join(_KIND_PARAMS)}"
            )
        keys = frozenset(k for k, _ in self.params)
        if keys not in _KIND_PARAMS[self.kind] or len(keys) != len(self.params):
            valid = " or ".join(str(sorted(s)) for s in _KIND_PARAMS[self.kind])
            raise SeisfillError(
                f"decimation {self.kind!r} takes parameters {valid}, got {sorted(keys)}"
            )
        kw = self.kwargs
        if "percent" in kw and not 1 <= kw["percent"] <= 100:
            raise SeisfillError(
                f"{self.kind} percentage must be between 1 and 100, got {kw['percent']}"
            )
        if "fraction" in kw and not 0 <= kw["fraction"] < 1:
            raise SeisfillError(f"{self.kind} fraction must be in [0, 1), got {kw['fraction']}")
        if "patterns" in kw and (
            not kw["patterns"]
            or not all(isinstance(p, Decimation) and p.kind != "mix" for p in kw["patterns"])
        ):
            raise SeisfillError("mix needs a tuple of non-mix Decimation patterns")

    @property
    def kwargs(self) -> dict[str, Any]:
        """The parameters as a dict."""
        return dict(self.params)

    @property
    def name(self) -> str:
        """Canonical spec string, e.g. ``"gap16x2"``."""
        kw = self.kwargs
        if self.kind in ("random", "dead"):
            return self.kind + _format_number(kw.get("percent", kw.get("fraction")))
        if self.kind in ("regular", "jitter"):
            return f"{self.kind}{kw['every']}"
        if self.kind == "gap":
            count = kw["n_gaps"]
            return f"gap{kw['gap']}" + ("" if count == 1 else f"x{count}")
        return "mix:" + "+".join(p.name for p in kw["patterns"])

    @property
    def fraction(self) -> float | None:
        """Requested fraction of removed traces (random and dead), else None."""
        kw = self.kwargs
        if "percent" in kw:
            return float(kw["percent"]) / 100.0
        if "fraction" in kw:
            return float(kw["fraction"])
        return None

    def __str__(self) -> str:
        return self.name

    def __call__(self, shape: ShapeLike, seed: SeedLike | None) -> np.ndarray:
        """Keep mask of ``shape`` (True = live); see the ``decimate_*`` functions.

        ``seed`` may be None only for ``regular`` (offset 0).
        """
        kw = self.kwargs
        makers: dict[str, Callable[[], np.ndarray]] = {
            "random": lambda: decimate_random(shape, self.fraction, seed),
            "dead": lambda: decimate_dead_channels(shape, self.fraction, seed),
            "regular": lambda: decimate_regular(shape, kw["every"], seed),
            "jitter": lambda: decimate_jittered(shape, kw["every"], seed),
            "gap": lambda: decimate_gaps(shape, kw["gap"], seed, kw["n_gaps"]),
            "mix": lambda: decimate_mix(shape, seed, kw["patterns"]),
        }
        return makers[self.kind]()


def _format_number(value: float) -> str:
    v = float(value)
    return str(int(v)) if v.is_integer() else repr(v)


def _invalid_spec(spec: Any, why: str = "") -> SeisfillError:
    detail = f" ({why})" if why else ""
    return SeisfillError(
        f"unknown decimation pattern {spec!r}{detail}; valid forms: {'; '.join(PATTERN_FORMS)}"
    )


def parse_pattern(spec: str | Decimation) -> Decimation:
    """Parse a decimation spec string.

    Parameters
    ----------
    spec : str or Decimation
        One of the forms in :data:`PATTERN_FORMS` (case and surrounding blanks
        ignored); a :class:`Decimation` is returned unchanged.  For
        ``random``/``dead`` a number of at least 1 is a percentage and a number
        below 1 a fraction: ``random50`` and ``random0.5`` both remove half.

    Returns
    -------
    Decimation
        Callable as ``d(shape, seed) -> keep mask``; ``d.name`` gives back the
        spec (canonical spelling: ``"gap8x1"`` becomes ``"gap8"``).

    Raises
    ------
    SeisfillError
        For an unknown or out-of-range spec, listing the valid forms.
    """
    if isinstance(spec, Decimation):
        return spec
    if not isinstance(spec, str):
        raise _invalid_spec(spec, "expected a string")
    text = spec.strip().lower()
    if text.startswith("mix:"):
        items = text[4:].split("+")
        if not all(items):
            raise _invalid_spec(spec, "empty pattern in mix")
        parts = tuple(_parse_simple(item, spec) for item in items)
        return Decimation("mix", (("patterns", parts),))
    return _parse_simple(text, spec)


def _parse_simple(text: str, spec: str) -> Decimation:
    for kind, regex in _SPEC_RES.items():
        match = regex.fullmatch(text)
        if match is None:
            continue
        if kind in ("random", "dead"):
            value = float(match.group(1))
            if value > 100:
                raise _invalid_spec(spec, "a percentage above 100")
            key = "percent" if value >= 1 else "fraction"
            return Decimation(kind, ((key, value),))
        if kind in ("regular", "jitter"):
            every = int(match.group(1))
            if every < 1:
                raise _invalid_spec(spec, "the factor must be at least 1")
            return Decimation(kind, (("every", every),))
        gap = int(match.group(1))
        count = int(match.group(2)) if match.group(2) is not None else 1
        if gap < 1 or count < 1:
            raise _invalid_spec(spec, "gap length and count must be at least 1")
        return Decimation("gap", (("gap", gap), ("n_gaps", count)))
    if text.startswith("mix:"):
        raise _invalid_spec(spec, "mix patterns cannot be nested")
    raise _invalid_spec(spec)


def decimate(shape: ShapeLike, spec: str | Decimation, seed: SeedLike | None) -> np.ndarray:
    """Keep mask for a spec string or :class:`Decimation`.

    Parameters
    ----------
    shape : int or tuple of int
        ``n`` or ``(n_inline, n_crossline)``.
    spec : str or Decimation
        See :func:`parse_pattern`.
    seed : int or numpy.random.Generator
        None is accepted only by ``regular`` (offset 0).

    Returns
    -------
    numpy.ndarray of bool, shape ``shape``
        ``True`` = trace kept.
    """
    return parse_pattern(spec)(shape, seed)


def true_runs(row: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each run of True in a 1-D boolean array."""
    padded = np.concatenate([[False], np.asarray(row, dtype=bool), [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b - a)) for a, b in zip(edges[0::2], edges[1::2], strict=True)]
