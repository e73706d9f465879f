"""``seisfill.fill``: fill every dead or missing trace of a seisfill dataset.

Works on a dataset gather by gather (or inline by inline for a cube) through
the fill core (:func:`seisfill.core.fill_block`), per dask chunk when the data
are dask-backed; a 3-D method (a 3-D network, ``pocs`` with ``ndim=3``) takes
the whole cube in memory, or, dask-backed, brick by brick with blended seams
(:mod:`seisfill.bricks`).  Live traces come back bit-identical; the slots that
were dead or missing get the method's estimate and are marked in a ``filled``
variable that :func:`seisfill.write_segy` uses.

With ``progress`` one bar counts the gathers (inlines) filled, or the bricks
of a dask-backed cube.  In memory, a method whose gathers do not depend on
each other is run on groups of gathers so that the bar moves (the same bytes
as one call); one that works across gathers (a network's batches of windows,
a method with its own pool of threads over the call's gathers) still gets one
call, and shows its own bar where it has one.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import xarray as xr

from seisfill.adapt import AdaptSettings, survey_options
from seisfill.bricks import fill_bricks_lazy
from seisfill.core import fill_block, fill_targets
from seisfill.io import dataset as names
from seisfill.methods import DEFAULT_METHOD, Method, get_method, sample_rows

__all__ = ["fill"]


def fill(
    ds: xr.Dataset,
    method: str = DEFAULT_METHOD,
    *,
    skip_empty: bool = False,
    halo: int = 4,
    progress: bool = False,
    adapt: AdaptSettings | None = None,
    **options,
) -> xr.Dataset:
    """Fill every dead or missing trace of a seisfill dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`seisfill.read_segy` (optionally regularised or decimated).
    method : str
        A registered method (:func:`seisfill.list_methods`); default
        :data:`seisfill.DEFAULT_METHOD`.
    skip_empty : bool
        Pass gathers with no live trace through unfilled instead of failing.
    halo : int
        Dask-backed data and a 3-D method (a 3-D network, ``pocs`` with
        ``ndim=3``): each chunk of inlines (gathers) is a brick, filled with
        ``halo`` neighbouring inlines of context on each side and blended with
        its neighbours across the seams (:mod:`seisfill.bricks`).  In-memory
        data goes to a 3-D method whole.
    progress : bool
        One tqdm bar (stderr) over the gathers or inlines (the bricks of a
        dask-backed cube with a 3-D method), whatever the method; a method
        filled in one call that has a bar of its own (a network's, over its
        windows) shows that one instead.  The bytes are the same either way.
        Dask-backed data are filled when computed: the bar moves then.
    adapt : AdaptSettings, optional
        Fine-tune the method's network on a sample of the dataset's own live
        traces first (:mod:`seisfill.adapt`); the record goes to
        ``attrs["fill_adapt"]`` (JSON).
    **options
        Passed to the method (``Method.options`` lists them).

    Returns
    -------
    xarray.Dataset
        A copy with new ``amplitude`` values in the filled slots and a boolean
        ``filled`` variable; ``attrs["fill_method"]`` records the method (and
        ``fill_model`` the network, for network methods).

    Raises
    ------
    SeisfillError
        Unknown method, torch missing for a network method, or a gather that
        needs filling has no live trace (unless ``skip_empty``).
    """
    names.check_dataset(ds)
    m = get_method(method)
    m.require("method")
    g_dim, t_dim = names.slot_dims(ds)
    target = fill_targets(ds, skip_empty)
    # load once for every block (a network); a cube's default model is the 3-D one
    options = m.prepare(options, 3 if g_dim == "inline" else 2)
    # a look at a sample of the survey, the same rows as the streaming path's: --adapt, auto's self-check
    options, adapted = survey_options(m, options, partial(_sample, ds, target), adapt)
    amplitude, live = ds[names.AMPLITUDE], ds[names.LIVE]
    bricks = m.is_3d(options) and amplitude.chunks is not None
    bar, group = None, None
    if progress:
        options, bar, group = _progress(m, options, amplitude, target, bricks, g_dim)
    block = partial(fill_block, method=m, options=options)
    try:
        if bricks:
            filled_amp = _fill_bricks(block if bar is None else bar.counting(block), amplitude, live, target, halo)
        else:
            filled_amp = _fill_blocks(block, amplitude, live, target, bar, group)
    finally:
        if bar is not None and amplitude.chunks is None:
            bar.close()
    out = ds.copy()
    out[names.AMPLITUDE] = filled_amp.assign_attrs(ds[names.AMPLITUDE].attrs)
    previous = ds[names.FILLED].values if names.FILLED in ds else np.zeros_like(target)
    out[names.FILLED] = ((g_dim, t_dim), previous | target, {"long_name": "slot got new samples"})
    out.attrs["fill_method"] = m.name
    out.attrs.update(m.describe(options))
    if adapted is not None:
        out.attrs["fill_adapt"] = json.dumps(adapted)
        if "steps" in adapted:  # named as the streaming sidecar names it
            out.attrs["fill_model"] = f"{adapted['model']}+adapted"
    return out


def _sample(ds: xr.Dataset, target: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Data (non-live zeroed), live and target of ``k`` rows holding a target, spread evenly (:func:`sample_rows`)."""
    rows = np.flatnonzero(target.any(axis=1))
    rows = rows[sample_rows(rows.size, k)]
    live = ds[names.LIVE].values[rows]
    g_dim, t_dim = names.slot_dims(ds)
    amplitude = ds[names.AMPLITUDE].isel({g_dim: rows}).transpose(g_dim, t_dim, "time")
    data = np.asarray(amplitude.values, dtype=np.float32)
    return np.where(live[..., None], data, 0).astype(np.float32), live, target[rows]


def _fill_blocks(
    block: Callable[..., np.ndarray],
    amplitude: xr.DataArray,
    live: xr.DataArray,
    target: np.ndarray,
    bar: _Bar | None = None,
    group: int | None = None,
) -> xr.DataArray:
    """Gathers (or a whole cube) through ``block``, per dask chunk when the data are dask-backed.

    With a ``bar``, each block also gets its row numbers (to count each row
    once) and, with ``group``, is filled that many rows at a time.
    """
    g_dim, t_dim = live.dims
    inputs = [amplitude, live, xr.DataArray(target, dims=(g_dim, t_dim))]
    core_dims = [[t_dim, "time"], [t_dim], [t_dim]]
    if bar is not None:
        block = partial(_by_groups, block, bar, group)
        inputs.append(xr.DataArray(np.arange(live.shape[0]), dims=(g_dim,)))
        core_dims.append([])
    return xr.apply_ufunc(
        block,
        *inputs,
        input_core_dims=core_dims,
        output_core_dims=[[t_dim, "time"]],
        dask="parallelized",
        output_dtypes=[amplitude.dtype],
    ).transpose(*amplitude.dims)


def _fill_bricks(
    block: Callable[..., np.ndarray], amplitude: xr.DataArray, live: xr.DataArray, target: np.ndarray, halo: int
) -> xr.DataArray:
    """A dask-backed cube through a 3-D method: lazily, brick by brick (chunks of inlines), blended at seams."""
    g_dim, t_dim = live.dims
    arr = amplitude.transpose(g_dim, t_dim, "time").chunk({t_dim: -1, "time": -1})
    data = fill_bricks_lazy(arr.data, np.asarray(live.values, dtype=bool), target, block, int(halo))
    return arr.copy(data=data).transpose(*amplitude.dims)


#: in-memory fills in groups of rows move the bar about this many times
_UPDATES = 100


def _progress(
    method: Method, options: dict[str, Any], amplitude: xr.DataArray, target: np.ndarray, bricks: bool,
    row_name: str,
) -> tuple[dict[str, Any], _Bar | None, int | None]:
    """How :func:`fill` shows its one bar: the method's options, the bar, and rows per call (None: as they come).

    In memory, a method whose rows are independent is run on groups of rows;
    any other goes in one call, with its own bar where it has one.
    """
    in_memory = amplitude.chunks is None
    split = in_memory and method.rows_independent and not method.is_3d(options)
    if in_memory and not split and "progress" in method.options:
        return {**options, "progress": True}, None, None  # its bar is the one that moves during the call
    if "progress" in method.options:
        options = {**options, "progress": False}  # one bar
    if bricks:
        bar = _Bar(_n_bricks(amplitude.chunksizes[row_name], target), "brick")
    else:
        bar = _Bar(target.shape[0], row_name)
    return options, bar, -(-target.shape[0] // _UPDATES) if split else None


def _by_groups(
    block: Callable[..., np.ndarray], bar: _Bar, group: int | None, data: np.ndarray, live: np.ndarray,
    target: np.ndarray, rows: np.ndarray,
) -> np.ndarray:
    """``block`` on ``group`` rows at a time (None: all at once), counting them on ``bar``."""
    if group is None:
        out = block(data, live, target)
        bar.rows_done(rows)
        return out
    out = np.empty_like(data)
    for a in range(0, data.shape[0], group):
        out[a : a + group] = block(data[a : a + group], live[a : a + group], target[a : a + group])
        bar.rows_done(rows[a : a + group])
    return out


def _n_bricks(row_chunks: tuple[int, ...], target: np.ndarray) -> int:
    """Bricks a dask-backed cube is filled in: the row chunks holding a slot to fill."""
    bounds = np.cumsum((0,) + tuple(row_chunks))
    return sum(bool(target[a:b].any()) for a, b in zip(bounds[:-1], bounds[1:], strict=True))


class _Bar:
    """One tqdm bar over rows (each counted once) or bricks, fed from any thread; closes when full.

    Dask-backed data are filled when computed, maybe more than once (a
    writer reading them piece by piece): a row counts once, bricks up to the total.
    """

    def __init__(self, total: int, unit: str):
        from tqdm import tqdm

        self.total = int(total)
        self.seen = np.zeros(self.total, dtype=bool)
        self.lock = threading.Lock()
        self.tqdm = tqdm(total=self.total, desc="fill", unit=unit, dynamic_ncols=True)

    def rows_done(self, rows: np.ndarray) -> None:
        with self.lock:
            new = int(np.count_nonzero(~self.seen[rows]))
            self.seen[rows] = True
            self._advance(new)

    def counting(self, block: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        """``block`` that counts one brick per call."""

        def counted(*args: Any, **kwargs: Any) -> np.ndarray:
            out = block(*args, **kwargs)
            with self.lock:
                self._advance(min(1, self.total - self.tqdm.n))
            return out

        return counted

    def _advance(self, n: int) -> None:
        if n:
            self.tqdm.update(n)
        if self.tqdm.n >= self.total:
            self.close()

    def close(self) -> None:
        self.tqdm.close()
