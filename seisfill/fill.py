"""``fill``: the one entry point for every interpolation method.

Works on a seisfill dataset gather by gather (or inline by inline for a
cube; a 3-D network takes the whole cube).  Live traces come back
bit-identical; the slots that were dead or missing get the method's estimate
and are marked in a ``filled`` variable that :func:`seisfill.write_segy` uses.

Methods: ``unet`` (a shipped or trained masked U-Net, :mod:`seisfill.models`;
needs torch), ``hybrid`` (the mean of ``unet`` and ``fx``; needs torch),
``pocs``, ``fx``, ``linear`` (numpy only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr

from seisfill.classical.fx import fx_interp
from seisfill.classical.linear import fill_linear
from seisfill.classical.pocs import pocs_fk
from seisfill.errors import SeisfillError
from seisfill.io import dataset as names

__all__ = ["fill", "METHODS", "NETWORK_METHODS", "DEFAULT_METHOD", "fill_array"]



def fill_unet(
    data: np.ndarray,
    live: np.ndarray,
    model: Any = None,
    *,
    device: str = "auto",
    batch_size: int = 16,
    window: tuple[int, ...] | None = None,
    overlap: tuple[int, ...] | None = None,
    progress: bool = False,
    target: np.ndarray | None = None,
) -> np.ndarray:
    """Fill with a masked U-Net (sliding windows, :func:`seisfill.nn.inference.fill_with_model`).

    Parameters
    ----------
    data : numpy.ndarray, shape (..., n_trace, n_time)
        Gathers for a 2-D model, ``(n_inline, n_crossline, n_time)`` for a 3-D one.
    live : numpy.ndarray of bool, shape data.shape[:-1]
    model : str, Path or LoadedModel, optional
        Shipped name (``partial2d``...), weights path, or a loaded model
        (default: the shipped 2-D default).
    device, batch_size, window, overlap, progress
        See :class:`seisfill.nn.inference.InferenceOptions` (window/overlap
        default to the model card's).
    target : numpy.ndarray of bool, optional
        Traces to fill (default every non-live one).

    Returns
    -------
    numpy.ndarray
        Live traces bit-identical; traces no window could reach with live
        context (rare: a gap wider than the gather's live part) are filled
        by ``linear``.
    """
    from seisfill.models import resolve_model
    from seisfill.nn.inference import InferenceOptions, fill_with_model

    loaded = resolve_model(model, device, ndim=2)
    opts = InferenceOptions(
        window=tuple(window or loaded.window),
        overlap=tuple(overlap or loaded.overlap),
        batch_size=batch_size,
        device=device,
        normalize=loaded.normalize,
        progress=progress,
    )
    filled, unreached = fill_with_model(data, live, loaded.model, opts, target=target)
    if unreached.any():
        fallback = fill_linear(np.where(live[..., None], data, 0).astype(data.dtype), live)
        filled = np.where(unreached[..., None], fallback, filled).astype(data.dtype, copy=False)
    return filled


def fill_hybrid(data: np.ndarray, live: np.ndarray, model: Any = None, **options: Any) -> np.ndarray:
    """The mean of the network's estimate and f-x prediction's (:func:`fill_unet`, :func:`fx_interp`).

    The two make different errors -- the network smooths across gaps, f-x
    prediction extrapolates dipping events but rings on noise -- so their
    equal-weight mean beats either alone on most held-out real windows (no
    weight is fitted; see docs/benchmarks.md).  Costs both.

    Parameters
    ----------
    data : numpy.ndarray, shape (..., n_trace, n_time)
        As for :func:`fill_unet`; a cube for a 3-D model (f-x then runs inline by inline).
    live : numpy.ndarray of bool, shape data.shape[:-1]
    model, **options
        As for :func:`fill_unet` (``target`` included).

    Returns
    -------
    numpy.ndarray of float32
        Rows (gathers, inlines) with fewer than two live traces take the
        network's estimate alone; f-x runs only on rows holding a target.
    """
    net = fill_unet(data, live, model, **options)
    target = options.get("target")
    # f-x needs two live traces to estimate a prediction filter; other rows keep the network alone
    rows = (live.sum(axis=-1) >= 2) & (~live if target is None else target).any(axis=-1)
    if not rows.any():
        return net
    out = np.array(net, dtype=np.float32, copy=True)
    fx = fx_interp(np.where(live[rows][..., None], data[rows], 0), live[rows])
    out[rows] = np.float32(0.5) * (out[rows] + fx.astype(np.float32))
    return out


#: methods that run a network (take ``model``, ``device``, ``batch_size``, ``target``)
NETWORK_METHODS = ("unet", "hybrid")

#: what ``seisfill fill`` uses without ``--method``: on the held-out real windows and on
#: synthetic shot gathers it beats ``unet`` alone for every decimation pattern but one,
#: and by 1-2.5 dB on gaps (docs/benchmarks.md); it costs the network plus f-x
DEFAULT_METHOD = "hybrid"

#: method name -> function(data (..., n_trace, n_time), live (..., n_trace), **options) -> filled
METHODS: dict[str, Callable[..., np.ndarray]] = {
    "unet": fill_unet,
    "hybrid": fill_hybrid,
    "pocs": pocs_fk,
    "fx": fx_interp,
    "linear": fill_linear,
}


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


def fill(
    ds: xr.Dataset, method: str = "linear", *, skip_empty: bool = False, halo: int = 4, **options
) -> xr.Dataset:
    """Fill every dead or missing trace of a seisfill dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`seisfill.read_segy` (optionally regularised or decimated).
    method : str
        Interpolation method (:data:`METHODS`).
    skip_empty : bool
        Pass gathers with no live trace through unfilled instead of failing.
    halo : int
        Dask-backed data and a 3-D method (a 3-D network, ``pocs`` with
        ``ndim=3``): each chunk of inlines (gathers) is a brick, filled with
        ``halo`` neighbouring inlines of context on each side and blended with
        its neighbours across the seams (:mod:`seisfill.bricks`).  In-memory
        data goes to a 3-D method whole.
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
    target = fill_targets(ds, skip_empty)
    # a 3-D method (network or pocs with ndim=3) takes the whole cube / stack of gathers at once
    whole_cube = method == "pocs" and int(options.get("ndim", 2)) == 3
    if method in NETWORK_METHODS:
        from seisfill.models import resolve_model

        # load once for every block; a 3-D model takes the whole cube (or stack of gathers)
        default_ndim = 3 if g_dim == "inline" else 2
        options["model"] = resolve_model(options.get("model"), options.get("device", "auto"), ndim=default_ndim)
        whole_cube = options["model"].ndim == 3

    def one_block(amplitude: np.ndarray, live_block: np.ndarray, target_block: np.ndarray) -> np.ndarray:
        # only the gathers with something to fill go to the method (empty
        # gathers passed through by skip_empty have no live trace to use)
        rows = target_block.any(axis=-1)
        if not rows.any():
            return amplitude
        out = np.array(amplitude, copy=True)
        if whole_cube:
            extra = {"target": target_block} if method in NETWORK_METHODS else {}
            estimate = fill_array(out, live_block, method, **extra, **options)
            out[...] = np.where(target_block[..., None], estimate, out)
            return out
        extra = {"target": target_block[rows]} if method in NETWORK_METHODS else {}
        estimate = fill_array(out[rows], live_block[rows], method, **extra, **options)
        out[rows] = np.where(target_block[rows][..., None], estimate, out[rows])
        return out

    amplitude, live_da = ds[names.AMPLITUDE], ds[names.LIVE]
    if whole_cube and amplitude.chunks is not None:
        filled_amp = _fill_bricks(amplitude, live_da, target, method, options, halo)
    else:
        filled_amp = _fill_blocks(one_block, amplitude, live_da, target)
    out = ds.copy()
    out[names.AMPLITUDE] = filled_amp.assign_attrs(ds[names.AMPLITUDE].attrs)
    previous = ds[names.FILLED].values if names.FILLED in ds else np.zeros_like(target)
    out[names.FILLED] = ((g_dim, t_dim), previous | target, {"long_name": "slot got new samples"})
    out.attrs["fill_method"] = method
    if method in NETWORK_METHODS:
        out.attrs["fill_model"] = options["model"].name
    return out


def _fill_blocks(
    one_block: Callable[..., np.ndarray], amplitude: xr.DataArray, live: xr.DataArray, target: np.ndarray
) -> xr.DataArray:
    """Gathers (or a whole cube) through ``one_block``, per dask chunk when the data are dask-backed."""
    g_dim, t_dim = live.dims
    return xr.apply_ufunc(
        one_block,
        amplitude,
        live,
        xr.DataArray(target, dims=(g_dim, t_dim)),
        input_core_dims=[[t_dim, "time"], [t_dim], [t_dim]],
        output_core_dims=[[t_dim, "time"]],
        dask="parallelized",
        output_dtypes=[amplitude.dtype],
    ).transpose(*amplitude.dims)


def _fill_bricks(
    amplitude: xr.DataArray, live: xr.DataArray, target: np.ndarray, method: str, options: dict, halo: int
) -> xr.DataArray:
    """A dask-backed cube through a 3-D method: lazily, brick by brick (chunks of inlines), blended at seams."""
    from seisfill.bricks import fill_bricks_lazy

    g_dim, t_dim = live.dims
    arr = amplitude.transpose(g_dim, t_dim, "time").chunk({t_dim: -1, "time": -1})
    data = fill_bricks_lazy(arr.data, np.asarray(live.values, dtype=bool), target, method, options, int(halo))
    return arr.copy(data=data).transpose(*amplitude.dims)
