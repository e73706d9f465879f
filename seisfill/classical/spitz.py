"""Spitz f-x interpolation of a regularly sampled gather onto an ``N``-times finer trace grid.

A gather recorded every ``N``-th trace is spatially aliased above ``1 / N``
of the frequency at which its steepest dip aliases on the dense grid.  Spitz
(1991) observed that one coarse step at ``f / N`` is the same phase step as
one dense step at ``f``: the prediction filter of the *coarse* traces at
``f / N`` (from their lower, unaliased frequencies) **is** the filter of the
*dense* traces at ``f``.  :func:`spitz_interp` estimates those filters (the
``N x nfft`` point transform of the coarse traces, whose bin ``k`` is
``f_k / N``) and fills the ``N - 1`` new traces between each pair of
recorded ones by minimising the forward and backward prediction error of
the dense sequence, the recorded traces fixed
(:mod:`seisfill.classical.fx` does the work: its regular-pattern path, in
overlapping time and trace windows blended with weights that sum to one).

:func:`regular_lattice` tells whether a live mask is such a lattice
(``seisfill densify`` makes exactly that: ``N - 1`` empty slots between
recorded traces).

References
----------
Spitz, S. (1991). Seismic trace interpolation in the F-X domain.
Geophysics 56(6), 785-794.
"""

from __future__ import annotations

import numbers

import numpy as np

from seisfill.classical import fx
from seisfill.errors import SeisfillError

__all__ = ["spitz_interp", "regular_lattice", "LATTICE_STEPS"]

#: Lattice steps ``N`` that :func:`regular_lattice` recognises.
LATTICE_STEPS = (2, 3, 4)


def regular_lattice(live: np.ndarray, target: np.ndarray | None = None) -> int:
    """Step ``N`` of a regular lattice of live traces holding the targets, or 0.

    Parameters
    ----------
    live : numpy.ndarray of bool, shape (n_trace,)
        Live traces of one gather.
    target : numpy.ndarray of bool, shape (n_trace,), optional
        Traces to fill (default: every non-live one).

    Returns
    -------
    int
        ``N`` (one of :data:`LATTICE_STEPS`) when the live traces are exactly
        every ``N``-th slot of a run and every target lies between two of
        them (none is extrapolated), else 0.
    """
    live = np.asarray(live, dtype=bool)
    if live.ndim != 1:
        raise SeisfillError(f"regular_lattice needs the mask of one gather, got shape {live.shape}")
    todo = ~live if target is None else np.asarray(target, dtype=bool) & ~live
    pattern = fx.detect_decimation(live)
    if not pattern.regular or pattern.factor not in LATTICE_STEPS or not todo.any():
        return 0
    idx = np.flatnonzero(live)
    where = np.flatnonzero(todo)
    return pattern.factor if idx[0] < where[0] and where[-1] < idx[-1] else 0


def spitz_interp(
    coarse: np.ndarray,
    factor: int,
    *,
    filter_length: int | None = None,
    trace_window: int | None = None,
    time_window: int | None = None,
    iterations: int = 0,
    prewhiten: float = 0.001,
    damping: float = 1e-4,
) -> np.ndarray:
    """Interpolate ``factor - 1`` traces between each pair of recorded ones (Spitz, 1991).

    Parameters
    ----------
    coarse : numpy.ndarray, shape (..., n_trace, n_time)
        Gathers recorded on a regular trace grid (``n_trace >= 2``); leading
        axes index gathers.
    factor : int
        Refinement ``N >= 1``: the output has ``(n_trace - 1) * N + 1``
        traces, the recorded ones at every ``N``-th slot.
    filter_length : int, optional
        Prediction filter length (default 4, shortened where the gather is
        too short), as for :func:`seisfill.classical.fx.fx_interp`.
    trace_window : int, optional
        Spatial window in *recorded* traces (default 12, or the whole gather
        when it has at most 18); windows overlap by half.
    time_window : int, optional
        Time window in samples (default: 16 periods of the centroid
        frequency, 64..512 samples); windows overlap by half.
    iterations : int, default 0
        Bootstrap passes: re-estimate the filters at ``f`` from the dense
        estimate at ``f / 2`` as well (stride 2), then fill again (``fx_interp``'s
        ``lattice_iterations``; see there what they gain and lose).
    prewhiten, damping : float
        As for :func:`seisfill.classical.fx.fx_interp`.

    Returns
    -------
    numpy.ndarray, shape (..., (n_trace - 1) * factor + 1, n_time)
        float32 for float32 (or 8/16-bit integer) input, else float64;
        ``out[..., ::factor, :]`` is bit-identical to ``coarse``.

    Raises
    ------
    SeisfillError
        ``factor`` not an integer >= 1, fewer than two traces, or a bad option.
    """
    arr = np.asarray(coarse)
    if arr.ndim < 2 or arr.shape[-2] < 2:
        raise SeisfillError(
            f"coarse must have shape (..., n_trace >= 2, n_time), got shape {arr.shape}"
        )
    if arr.dtype.kind not in "fiu":
        raise SeisfillError(f"coarse must be real numbers, got dtype {arr.dtype}")
    if isinstance(factor, bool) or not isinstance(factor, numbers.Integral) or factor < 1:
        raise SeisfillError(f"factor must be an integer >= 1, got {factor!r}")
    factor = int(factor)
    n_coarse, n_time = arr.shape[-2:]
    n_dense = (n_coarse - 1) * factor + 1
    out_dtype = np.result_type(arr.dtype, np.float32)
    dense = np.zeros(arr.shape[:-2] + (n_dense, n_time), dtype=out_dtype)
    dense[..., ::factor, :] = arr
    if factor == 1:
        return dense
    live = np.zeros(arr.shape[:-2] + (n_dense,), dtype=bool)
    live[..., ::factor] = True
    if trace_window is not None:
        if isinstance(trace_window, bool) or not isinstance(trace_window, numbers.Integral):
            raise SeisfillError(f"trace_window must be an integer >= 2, got {trace_window!r}")
        if not 2 <= trace_window <= n_coarse:
            raise SeisfillError(
                f"trace_window={trace_window} must be between 2 and the {n_coarse} recorded traces"
            )
        trace_window = (int(trace_window) - 1) * factor + 1
    filled = fx.fx_interp(
        dense,
        live,
        filter_length=filter_length,
        trace_window=trace_window,
        time_window=time_window,
        prewhiten=prewhiten,
        damping=damping,
        lattice_iterations=iterations,
    )
    filled[..., ::factor, :] = arr  # the recorded traces, bit for bit
    return filled
