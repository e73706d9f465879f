"""``seisfill.fill``: fill every dead or missing trace of a seisfill dataset.

Works on a dataset gather by gather (or inline by inline for a cube) through
the fill core (:func:`seisfill.core.fill_block`), per dask chunk when the data
are dask-backed; a 3-D method (a 3-D network, ``pocs`` with ``ndim=3``) takes
the whole cube in memory, or, dask-backed, brick by brick with blended seams
(:mod:`seisfill.bricks`).  Live traces come back bit-identical; the slots that
were dead or missing get the method's estimate and are marked in a ``filled``
variable that :func:`seisfill.write_segy` uses.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import xarray as xr

from seisfill.bricks import fill_bricks_lazy
from seisfill.core import fill_block, fill_targets
from seisfill.io import dataset as names
from seisfill.methods import DEFAULT_METHOD, get_method

__all__ = ["fill"]


def fill(
    ds: xr.Dataset, method: str = DEFAULT_METHOD, *, skip_empty: bool = False, halo: int = 4, **options
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
    block = partial(fill_block, method=m, options=options)
    amplitude, live = ds[names.AMPLITUDE], ds[names.LIVE]
    if m.is_3d(options) and amplitude.chunks is not None:
        filled_amp = _fill_bricks(block, amplitude, live, target, halo)
    else:
        filled_amp = _fill_blocks(block, amplitude, live, target)
    out = ds.copy()
    out[names.AMPLITUDE] = filled_amp.assign_attrs(ds[names.AMPLITUDE].attrs)
    previous = ds[names.FILLED].values if names.FILLED in ds else np.zeros_like(target)
    out[names.FILLED] = ((g_dim, t_dim), previous | target, {"long_name": "slot got new samples"})
    out.attrs["fill_method"] = m.name
    out.attrs.update(m.describe(options))
    return out


def _fill_blocks(
    block: Callable[..., np.ndarray], amplitude: xr.DataArray, live: xr.DataArray, target: np.ndarray
) -> xr.DataArray:
    """Gathers (or a whole cube) through ``block``, per dask chunk when the data are dask-backed."""
    g_dim, t_dim = live.dims
    return xr.apply_ufunc(
        block,
        amplitude,
        live,
        xr.DataArray(target, dims=(g_dim, t_dim)),
        input_core_dims=[[t_dim, "time"], [t_dim], [t_dim]],
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
