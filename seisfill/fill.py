"""``fill``: the one entry point for every interpolation method.

Works on a seisfill dataset gather by gather (or inline by inline for a
cube).  Live traces come back bit-identical; the slots that were dead or
missing get the method's estimate and are marked in a ``filled`` variable
that :func:`seisfill.write_segy` uses.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

from seisfill.classical.fx import fx_interp
from seisfill.classical.linear import fill_linear
from seisfill.classical.pocs import pocs_fk
from seisfill.errors import SeisfillError
from seisfill.io import dataset as names

__all__ = ["fill", "METHODS", "fill_array"]

#: method name -> function(data (..., n_trace, n_time), live (..., n_trace), **options) -> filled
METHODS: dict[str, Callable[..., np.ndarray]] = {"linear": fill_linear, "fx": fx_interp, "pocs": pocs_fk}


def fill_array(data: np.ndarray, live: np.ndarray, method: str = "linear", **options) -> np.ndarray:
    """Fill non-live traces of numpy gathers with ``method``.

    Parameters
    ----------
    data : numpy.ndarray, shape (..., n_trace, n_time)
    live : numpy.ndarray of bool, shape (..., n_trace)
    method : str
        One of :data:`METHODS`.
    **options
        Passed to the method.

    Returns
    -------
    numpy.ndarray, shape (..., n_trace, n_time)
        Live traces bit-identical to ``data``.
    """
    if method not in METHODS:
        raise SeisfillError(f"unknown method '{method}'; choose one of: {', '.join(sorted(METHODS))}")
    estimate = METHODS[method](np.where(live[..., None], data, 0).astype(data.dtype), live, **options)
    return np.where(live[..., None], data, estimate).astype(data.dtype, copy=False)


def fill(ds: xr.Dataset, method: str = "linear", *, skip_empty: bool = False, **options) -> xr.Dataset:
    """Fill every dead or missing trace of a seisfill dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`seisfill.read_segy` (optionally regularised or decimated).
    method : str
        Interpolation method (:data:`METHODS`).
    skip_empty : bool
        Pass gathers with no live trace through unfilled instead of failing.
    **options
        Passed to the method.

    Returns
    -------
    xarray.Dataset
        A copy with new ``amplitude`` values in the filled slots and a boolean
        ``filled`` variable; ``attrs["fill_method"]`` records the method.

    Raises
    ------
    SeisfillError
        If a gather that needs filling has no live trace (unless ``skip_empty``).
    """
    names.check_dataset(ds)
    if method not in METHODS:
        raise SeisfillError(f"unknown method '{method}'; choose one of: {', '.join(sorted(METHODS))}")
    g_dim, t_dim = names.slot_dims(ds)
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
    target &= ~empty[:, None]

    def one_block(amplitude: np.ndarray, live_block: np.ndarray, target_block: np.ndarray) -> np.ndarray:
        # only the gathers with something to fill go to the method (empty
        # gathers passed through by skip_empty have no live trace to use)
        rows = target_block.any(axis=-1)
        if not rows.any():
            return amplitude
        out = np.array(amplitude, copy=True)
        estimate = fill_array(out[rows], live_block[rows], method, **options)
        out[rows] = np.where(target_block[rows][..., None], estimate, out[rows])
        return out

    filled_amp = xr.apply_ufunc(
        one_block,
        ds[names.AMPLITUDE],
        ds[names.LIVE],
        xr.DataArray(target, dims=(g_dim, t_dim)),
        input_core_dims=[[t_dim, "time"], [t_dim], [t_dim]],
        output_core_dims=[[t_dim, "time"]],
        dask="parallelized",
        output_dtypes=[ds[names.AMPLITUDE].dtype],
    ).transpose(*ds[names.AMPLITUDE].dims)
    out = ds.copy()
    out[names.AMPLITUDE] = filled_amp.assign_attrs(ds[names.AMPLITUDE].attrs)
    previous = ds[names.FILLED].values if names.FILLED in ds else np.zeros_like(target)
    out[names.FILLED] = ((g_dim, t_dim), previous | target, {"long_name": "slot got new samples"})
    out.attrs["fill_method"] = method
    return out
