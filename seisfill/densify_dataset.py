"""``seisfill.densify``: more traces than were recorded, filled in one pass.

A gather (2-D line, cube axis) of ``n`` traces becomes one of
``n + (n - 1)(factor - 1)`` slots (:func:`seisfill.io.densify_grid.densify_grid`:
the new slots, their headers and the header rule), and every slot that is not
live -- the new ones and the input's dead or missing traces -- is filled by
:func:`seisfill.fill` with the chosen method.

Which way the method fills: along the densified axis.  Gathers and
``axis="crossline"`` fill each gather (inline) as :func:`seisfill.fill` does;
``axis="inline"`` fills each crossline (the cube seen crossline by inline); a 3-D
method takes the whole cube (a cube densified along ``crossline`` as
:func:`seisfill.fill` gives it one; along ``inline`` or ``both`` straight through
the fill core, the new inline rows having no live trace of their own).  ``axis="both"`` with a 2-D method takes two
passes, Spitz-style: the inlines densified and filled along the crossline axis,
then new inline rows between them, filled along the inline axis from the first
pass's result.  The streaming path (``seisfill densify --workers``,
:func:`seisfill.parallel.fill_file` with ``densify_axis``) cuts the same fills
into tasks -- crossline blocks along ``inline``, the two passes along ``both``
-- and writes the same bytes.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from seisfill.core import fill_block
from seisfill.fill_dataset import fill
from seisfill.io import dataset as names
from seisfill.io.densify_grid import check_densify, densify_grid
from seisfill.methods import DEFAULT_DENSIFY_METHOD, Method, get_method

__all__ = ["densify"]


def densify(
    ds: xr.Dataset,
    factor: int = 2,
    axis: str = "crossline",
    method: str | None = None,
    *,
    progress: bool = False,
    **options,
) -> xr.Dataset:
    """Insert ``factor - 1`` traces between every pair of neighbouring traces and fill them.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`seisfill.read_segy` (with its trace headers), dims
        (gather, trace, time) or (inline, crossline, time).
    factor : int
        2, 3 or 4: the new trace spacing is the old one divided by ``factor``.
    axis : {"crossline", "inline", "both"}
        Gathers: "crossline" (their trace axis).  Cubes: new traces within
        every inline ("crossline"), new inline rows ("inline"), or both.
    method : str, optional
        A registered method; default :data:`seisfill.methods.DEFAULT_DENSIFY_METHOD`.
    progress : bool
        As for :func:`seisfill.fill`.
    **options
        Passed to the method.

    Returns
    -------
    xarray.Dataset
        The densified dataset, dims (gather, ``(n - 1) * factor + 1``, time) (a
        cube's densified dims likewise), every non-live slot filled and marked in
        ``filled``; recorded slots keep their samples and headers bit for bit.
        ``attrs["densify_factor"]``, ``attrs["densify_axis"]`` and ``fill_method``
        say what was done; :func:`seisfill.write_segy` writes the new traces
        after their predecessors and lists them in the sidecar.

    Raises
    ------
    SeisfillError
        A factor outside 2-4, an unknown axis, ``inline``/``both`` on gathers,
        a gather (line) with fewer than two live traces along the axis, an
        unknown method.
    """
    method = DEFAULT_DENSIFY_METHOD if method is None else method
    m = get_method(method)
    m.require("method")
    check_densify(ds, factor, axis)
    g_dim, t_dim = names.slot_dims(ds)
    if axis == "crossline":
        return fill(densify_grid(ds, factor, axis), method, progress=progress, **options)
    prepared = m.prepare(dict(options), 3)
    if m.is_3d(prepared):
        return _fill_whole(densify_grid(ds, factor, axis), m, prepared)
    if axis == "inline":
        return _fill_across(densify_grid(ds, factor, "inline"), method, progress, options)
    first = fill(densify_grid(ds, factor, "crossline"), method, progress=progress, **options)
    # the first pass's traces are the second pass's data
    known = first.assign({names.LIVE: first[names.LIVE] | first[names.FILLED]})
    for key in ("densify_factor", "densify_axis"):
        known.attrs.pop(key)
    second = _fill_across(densify_grid(known, factor, "inline"), method, progress, options)
    live = np.zeros(second[names.LIVE].shape, dtype=bool)
    live[::factor, ::factor] = ds[names.LIVE].values
    out = second.assign({names.LIVE: ((g_dim, t_dim), live, ds[names.LIVE].attrs)})
    out.attrs["densify_axis"] = "both"
    return out


def _fill_whole(dense: xr.Dataset, method: Method, prepared: dict) -> xr.Dataset:
    """A 3-D method on the whole densified cube through the fill core; :func:`seisfill.fill` would refuse
    the new inline rows (no live trace in the row), which a 3-D method fills from the rows around them."""
    g_dim, t_dim = names.slot_dims(dense)
    live = dense[names.LIVE].values
    target = ~live & ~dense[names.PAD].values
    amplitude = fill_block(np.asarray(dense[names.AMPLITUDE].values), live, target, method, prepared)
    out = dense.assign({
        names.AMPLITUDE: (dense[names.AMPLITUDE].dims, amplitude, dense[names.AMPLITUDE].attrs),
        names.FILLED: ((g_dim, t_dim), target, {"long_name": "slot got new samples"}),
    })
    out.attrs["fill_method"] = method.name
    out.attrs.update(method.describe(prepared))
    return out


def _fill_across(dense: xr.Dataset, method: str, progress: bool, options: dict) -> xr.Dataset:
    """Fill a cube along its inline axis: crossline by crossline (the cube transposed and back)."""
    g_dim, t_dim = names.slot_dims(dense)
    filled = fill(dense.transpose(t_dim, g_dim, ...), method, progress=progress, **options)
    return filled.transpose(g_dim, t_dim, ...)
