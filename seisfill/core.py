"""The fill core: one block of gathers (or one 3-D brick) through a registered method.

Every path that fills calls :func:`fill_block`: :func:`seisfill.fill` on an
in-memory or dask-backed dataset (per chunk, or per brick for 3-D methods)
and the streaming ``seisfill fill --workers`` tasks (:mod:`seisfill.parallel`).
The paths differ only in how they cut the survey into blocks and where the
results go, so the same block gives the same bytes on every path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import xarray as xr

from seisfill.errors import SeisfillError
from seisfill.io import dataset as names
from seisfill.methods import Method, get_method

__all__ = ["fill_array", "fill_block", "fill_targets", "torch_threads"]


def fill_array(data: np.ndarray, live: np.ndarray, method: str | Method, **options: Any) -> np.ndarray:
    """Fill the non-live traces of numpy gathers with ``method``.

    Parameters
    ----------
    data : numpy.ndarray, shape (..., n_trace, n_time)
    live : numpy.ndarray of bool, shape (..., n_trace)
    method : str or Method
        A registered method (:func:`seisfill.list_methods`).
    **options
        Passed to the method (``target`` too, for methods that take it).

    Returns
    -------
    numpy.ndarray, shape (..., n_trace, n_time)
        Live traces bit-identical to ``data``.
    """
    m = get_method(method)
    estimate = m.function(np.where(live[..., None], data, 0).astype(data.dtype), live, **options)
    return np.where(live[..., None], data, estimate).astype(data.dtype, copy=False)


def fill_block(
    data: np.ndarray,
    live: np.ndarray,
    target: np.ndarray,
    method: str | Method,
    options: Mapping[str, Any],
    *,
    threads: int = 0,
) -> np.ndarray:
    """Fill the target slots of one block.

    Parameters
    ----------
    data : numpy.ndarray, shape (n_row, n_trace, n_time)
        Gathers (or inlines) for a 2-D method, filled row by row; a brick of
        inlines (or of neighbouring gathers) for a 3-D one, filled whole.
    live, target : numpy.ndarray of bool, shape (n_row, n_trace)
        Recorded traces, and the slots to fill (not live).
    method : str or Method
    options : mapping
        The method's options: prepared (:attr:`Method.prepare`, a network
        loaded) or naming what ``prepare`` loads (a model's name, as
        :attr:`Method.portable` gives it to a worker); preparing again costs
        nothing (loaded models are cached per process).
    threads : int
        0: leave thread pools alone.  n > 0: run the method with n threads
        (torch intra-op threads for a network, its ``thread_option`` for
        others).  Results of a network depend on the thread count in the last
        bits, so streaming tasks always use 1, whatever the number of workers.

    Returns
    -------
    numpy.ndarray, shape and dtype of ``data``
        ``data`` with the target slots filled; every other slot unchanged.
    """
    m = get_method(method)
    rows = target.any(axis=-1)
    if not rows.any():
        return data
    opts = m.prepare(options, 2)
    if threads > 0 and m.thread_option:
        opts.setdefault(m.thread_option, threads)
    out = np.array(data, copy=True)
    # a 3-D method takes the whole block; a 2-D one only the rows holding something to fill
    # (rows passed through by skip_empty have no live trace to use)
    sel = slice(None) if m.is_3d(opts) else rows
    if m.takes_target:
        opts["target"] = target[sel]
    with torch_threads(threads if m.needs_torch else 0):
        estimate = fill_array(out[sel], live[sel], m, **opts)
    out[sel] = np.where(target[sel][..., None], estimate, out[sel])
    return out


def fill_targets(ds: xr.Dataset, skip_empty: bool = False) -> np.ndarray:
    """Slots to fill, shape (n_gather, n_trace): not live, not padding, in a gather with a live trace.

    Raises
    ------
    SeisfillError
        If a gather that needs filling has no live trace (unless ``skip_empty``).
    """
    g_dim, _ = names.slot_dims(ds)
    live = ds[names.LIVE].values
    pad = ds[names.PAD].values if names.PAD in ds else np.zeros_like(live)
    target = ~live & ~pad
    empty = target.any(axis=1) & ~live.any(axis=1)
    if empty.any() and not skip_empty:
        first = ds[g_dim].values[np.flatnonzero(empty)[0]]
        raise SeisfillError(
            f"{g_dim} {first} has no live traces: nothing to interpolate from "
            f"({int(empty.sum())} such {g_dim}(s); use --skip-empty to pass them through)"
        )
    return target & ~empty[:, None]


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run torch with ``n`` intra-op threads (0: leave it), restoring the count after."""
    if n <= 0:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
