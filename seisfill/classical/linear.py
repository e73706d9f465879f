"""Linear interpolation across live traces, one time sample at a time.

Trivial, and a surprisingly strong baseline on short gaps of dipping-free
data, so every comparison carries it.  At the ends of a gather the nearest
live trace is repeated (no extrapolation of amplitudes).
"""

from __future__ import annotations

import numpy as np

from seisfill.errors import SeisfillError

__all__ = ["fill_linear", "fill_linear_grid"]


def _weights(live: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Left/right live neighbour and weight of the right one, for every trace of one gather."""
    idx = np.flatnonzero(live)
    x_live = positions[idx]
    right_k = np.clip(np.searchsorted(x_live, positions), 0, idx.size - 1)
    left_k = np.clip(right_k - (x_live[right_k] > positions), 0, idx.size - 1)
    left, right = idx[left_k], idx[right_k]
    span = positions[right] - positions[left]
    w = np.where(span > 0, (positions - positions[left]) / np.where(span > 0, span, 1), 0.0)
    return left, right, np.clip(w, 0.0, 1.0)


def fill_linear(
    data: np.ndarray,
    live: np.ndarray,
    positions: np.ndarray | None = None,
    target: np.ndarray | None = None,
) -> np.ndarray:
    """Fill missing traces by linear interpolation between live neighbours.

    Parameters
    ----------
    data : numpy.ndarray, shape (..., n_trace, n_time)
        Gathers; the samples of non-live traces are ignored.
    live : numpy.ndarray of bool, shape (..., n_trace)
        True for traces to interpolate from.
    positions : numpy.ndarray, shape (..., n_trace) or (n_trace,), optional
        Trace positions (e.g. offsets), increasing within a gather.
        Default: trace index (the slots are on a regular grid).
    target : numpy.ndarray of bool, shape (..., n_trace), optional
        Traces to fill (default: all non-live).  Others are returned unchanged.

    Returns
    -------
    numpy.ndarray, shape (..., n_trace, n_time), dtype of ``data``
        A copy of ``data`` with target traces replaced; live traces are
        bit-identical to the input.

    Raises
    ------
    SeisfillError
        If a gather with traces to fill has no live trace.
    """
    data = np.asarray(data)
    live = np.asarray(live, dtype=bool)
    if data.shape[:-1] != live.shape:
        raise SeisfillError(f"data shape {data.shape} does not match live mask shape {live.shape}")
    target = ~live if target is None else np.asarray(target, dtype=bool) & ~live
    n_trace = data.shape[-2]
    if positions is None:
        positions = np.arange(n_trace, dtype=np.float64)
    positions = np.broadcast_to(np.asarray(positions, dtype=np.float64), live.shape)
    out = data.copy()
    flat_out = out.reshape(-1, n_trace, data.shape[-1])
    flat_live = live.reshape(-1, n_trace)
    flat_target = target.reshape(-1, n_trace)
    flat_pos = positions.reshape(-1, n_trace)
    for g in range(flat_out.shape[0]):
        todo = np.flatnonzero(flat_target[g])
        if todo.size == 0:
            continue
        if not flat_live[g].any():
            raise SeisfillError(f"gather {g} has no live traces: nothing to interpolate from")
        left, right, w = _weights(flat_live[g], flat_pos[g])
        gather = flat_out[g]
        wt = w[todo, None].astype(np.float32 if data.dtype == np.float32 else np.float64)
        gather[todo] = (1 - wt) * gather[left[todo]] + wt * gather[right[todo]]
    return out


def fill_linear_grid(data: np.ndarray, live: np.ndarray) -> np.ndarray:
    """Fill missing traces of 3-D grids: along crosslines, then along inlines.

    Every inline holding a live trace is filled along its crosslines
    (:func:`fill_linear`); the inlines with none are then filled along the
    inline axis from the inlines just filled.

    Parameters
    ----------
    data : numpy.ndarray, shape (..., n_inline, n_crossline, n_time)
    live : numpy.ndarray of bool, shape (..., n_inline, n_crossline)

    Returns
    -------
    numpy.ndarray, same shape and dtype as ``data``
        Live traces bit-identical to the input.

    Raises
    ------
    SeisfillError
        If a grid has no live trace at all.
    """
    data = np.asarray(data)
    live = np.asarray(live, dtype=bool)
    if data.ndim < 3 or data.shape[:-1] != live.shape:
        raise SeisfillError(
            f"data shape {data.shape} and live mask shape {live.shape} do not fit "
            "(..., n_inline, n_crossline, n_time) and (..., n_inline, n_crossline)"
        )
    rows = live.any(axis=-1)  # (..., n_inline): inlines with a live trace
    out = data.copy()
    out[rows] = fill_linear(data[rows], live[rows])
    if not rows.all():
        across = np.swapaxes(out, -3, -2)  # (..., n_crossline, n_inline, n_time)
        row_live = np.broadcast_to(rows[..., None, :], across.shape[:-1])
        out = np.swapaxes(fill_linear(across, row_live), -3, -2)
    return out
