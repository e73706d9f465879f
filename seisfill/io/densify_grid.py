"""Densify a grid: ``factor - 1`` new trace slots between every pair of neighbouring slots.

:func:`densify_grid` turns a gather of ``n`` traces into one of
``n + (n - 1)(factor - 1)`` slots: old slot ``j`` moves to ``j * factor`` and
the slots in between are new, with the representation
:func:`seisfill.regularize` gives inserted slots (``live`` False,
``dead_reason`` MISSING, ``trace_index`` -1, a 240-byte header of their own),
so that :func:`seisfill.fill`, :func:`seisfill.write_segy` and the streaming
writer fill and write them as they do regularised ones: each new trace right
after its predecessor in the gather (line), flag word 2, TraceIdentificationCode 1.

Axes
----
A gather (or 2-D line) is densified along its trace axis (``axis="crossline"``,
the default; nothing else exists there).  A cube (``inline``, ``crossline``) is
densified along ``crossline`` (new traces within every inline), ``inline``
(new inline rows between neighbouring inlines) or ``both`` (crossline first,
then new rows over the densified lines).  In the file a new inline row's
traces come right after the last trace of the row before it, in crossline
order.  Neighbours are adjacent slots that are not padding: dead traces and
missing slots count as neighbours (they are filled in the same pass).
"Predecessor" is the neighbour before it in the gather's sort order (the
slot order); where the file holds a gather in the opposite order (sorted by
offset while the offsets decrease in the file) the new traces are written
between their neighbours all the same, right after the file's earlier one
(:func:`seisfill.io.write.output_order`).

Header rule
-----------
* Recorded traces keep every byte.
* A new trace at fraction ``k / factor`` of the way from its predecessor to its
  successor gets every header word interpolated linearly between the two and
  rounded to the nearest integer (:func:`seisfill.io.regularize.interpolate_headers`;
  words equal on both neighbours are copied): offset, source, group and CDP
  coordinates, elevations, depths, statics, mute times...  Bytes that belong
  to no word come from the nearer neighbour (the predecessor at a tie).
* The integer grid, count and code words of :data:`FROM_PREDECESSOR` cannot
  take an in-between value (trace and channel numbers, field record, CDP and
  its trace number, inline and crossline numbers, shot point, scalars, units,
  codes, dates): a new trace takes its **predecessor's** value, so a file
  re-read and sorted by one of them keeps each new trace after its
  predecessor (a stable sort).  The scalars are assumed equal on both
  neighbours; where they differ the coordinate words are interpolated as raw
  words.
* The sidecar (:func:`densify_record`) lists for each new trace its output
  trace number, its two neighbours' output trace numbers, its fraction and its
  fractional position on the grid (e.g. crossline 300.5, offset 137.5).
* The writer then sets the flag word to 2 (inserted) and
  TraceIdentificationCode to 1.

The rule is the same for gathers and cubes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from seisfill.errors import SeisfillError
from seisfill.io import dataset as names
from seisfill.io.headers import parse_trace_headers, set_trace_field
from seisfill.io.regularize import interpolate_headers
from seisfill.masks import DeadReason

__all__ = [
    "FACTORS",
    "AXES",
    "FROM_PREDECESSOR",
    "densify_grid",
    "densify_layout",
    "densify_neighbours",
    "densify_record",
    "check_densify",
]

#: densification factors offered
FACTORS = (2, 3, 4)
#: axes of a cube that can be densified (a gather: its trace axis, named "crossline")
AXES = ("crossline", "inline", "both")
#: integer grid, count and code words: a new trace takes its predecessor's value
FROM_PREDECESSOR = (
    "TRACE_SEQUENCE_LINE", "TRACE_SEQUENCE_FILE", "FieldRecord", "TraceNumber", "EnergySourcePoint",
    "CDP", "CDP_TRACE", "TraceIdentificationCode", "NSummedTraces", "NStackedTraces", "DataUse",
    "ElevationScalar", "SourceGroupScalar", "CoordinateUnits", "GainType", "Correlated", "SweepType",
    "TaperType", "YearDataRecorded", "DayOfYear", "HourOfDay", "MinuteOfHour", "SecondOfMinute",
    "TimeBaseCode", "GeophoneGroupNumberRoll1", "GeophoneGroupNumberFirstTraceOrigField",
    "GeophoneGroupNumberLastTraceOrigField", "INLINE_3D", "CROSSLINE_3D", "ShotPoint", "ShotPointScalar",
    "TraceValueMeasurementUnit", "TransductionUnit", "TraceIdentifier", "ScalarTraceHeader", "SourceType",
    "SourceMeasurementUnit", "UnassignedInt1", "UnassignedInt2",
)


def _dims_of(ds: xr.Dataset, axis: str) -> list[str]:
    """The slot dims to densify, in order (crossline first for ``both``)."""
    g_dim, t_dim = names.slot_dims(ds)
    return {"crossline": [t_dim], "inline": [g_dim], "both": [t_dim, g_dim]}[axis]


def check_densify(ds: xr.Dataset, factor: int, axis: str) -> None:
    """Raise a one-line :class:`SeisfillError` for a factor, axis or grid that cannot be densified.

    Parameters
    ----------
    ds : xarray.Dataset
        A seisfill dataset, dims (gather, trace) or (inline, crossline).
    factor : int
        2, 3 or 4.
    axis : {"crossline", "inline", "both"}
        ``inline`` and ``both`` need a cube.
    """
    names.check_dataset(ds)
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or factor not in FACTORS:
        raise SeisfillError(f"densify factor must be one of {', '.join(map(str, FACTORS))}, got {factor!r}")
    if axis not in AXES:
        raise SeisfillError(f"unknown densify axis {axis!r}: choose {', '.join(AXES)}")
    g_dim, t_dim = names.slot_dims(ds)
    if axis != "crossline" and g_dim != "inline":
        raise SeisfillError(f"--axis {axis} needs a cube (inline x crossline); a {g_dim} has only its trace axis "
                            "(use the default, --axis crossline)")
    live = np.asarray(ds[names.LIVE].values, dtype=bool)
    for dim in _dims_of(ds, axis):
        along = 1 if dim == t_dim else 0
        counts = live.sum(axis=along)
        short = np.flatnonzero(counts < 2)
        if short.size:
            other = g_dim if along == 1 else t_dim
            first = ds[other].values[short[0]]
            raise SeisfillError(
                f"{other} {first} has {int(counts[short[0]])} live trace(s) along the {dim} axis: densify needs "
                f"at least two to interpolate between ({short.size} such {other}(s))"
            )


def densify_grid(ds: xr.Dataset, factor: int = 2, axis: str = "crossline") -> xr.Dataset:
    """Insert ``factor - 1`` new slots between every pair of neighbouring slots along ``axis``.

    Parameters
    ----------
    ds : xarray.Dataset
        A seisfill dataset with its ``trace_header`` (``read_segy`` with all headers).
    factor : int
        2, 3 or 4: the new trace spacing is the old one divided by ``factor``.
    axis : {"crossline", "inline", "both"}
        The trace axis of gathers ("crossline"); for a cube also "inline" or "both".

    Returns
    -------
    xarray.Dataset
        Dims (gather, ``(n - 1) * factor + 1``) (a cube's densified dims likewise);
        old slot ``j`` at ``j * factor``, new slots ``live`` False, ``dead_reason``
        MISSING, ``trace_index`` -1, zero samples and headers by the module's rule;
        a densified cube dim's coordinate holds the fractional inline/crossline
        numbers.  ``attrs["densify_factor"]`` and ``attrs["densify_axis"]`` record it.

    Raises
    ------
    SeisfillError
        A factor outside 2-4, an unknown axis, ``inline``/``both`` on gathers, a
        row with fewer than two live traces along the axis, no trace headers.
    """
    check_densify(ds, factor, axis)
    if names.TRACE_HEADER not in ds:
        raise SeisfillError("densify needs the trace headers: read the file with headers='all'")
    if "densify_factor" in ds.attrs:
        raise SeisfillError("this dataset is densified already")
    out = ds
    for dim in _dims_of(ds, axis):
        out = _densify_dim(out, int(factor), dim)
    out.attrs["densify_factor"] = int(factor)
    out.attrs["densify_axis"] = axis
    return out


def densify_layout(ds: xr.Dataset, factor: int = 2, axis: str = "crossline") -> xr.Dataset:
    """:func:`densify_grid` without the samples (a one-sample placeholder), for the streaming plan."""
    g_dim, t_dim = names.slot_dims(ds)
    stub = ds.drop_vars(names.AMPLITUDE).isel(time=slice(0, 1))
    stub[names.AMPLITUDE] = ((g_dim, t_dim, "time"), np.zeros((ds.sizes[g_dim], ds.sizes[t_dim], 1), np.float32))
    return densify_grid(stub, factor, axis)


def _densify_dim(ds: xr.Dataset, factor: int, dim: str) -> xr.Dataset:
    """One densified dim: old slot j at j * factor, new slots in between."""
    g_dim, t_dim = names.slot_dims(ds)
    n_old = ds.sizes[dim]
    n_new = (n_old - 1) * factor + 1
    position = np.arange(n_new)
    src = position // factor
    is_old = position % factor == 0
    take = xr.DataArray(src, dims=dim)
    old_slot = xr.DataArray(is_old, dims=dim)
    bare = ds.drop_vars(list(ds.coords))  # coordinates are rebuilt below
    pad_old = np.asarray(bare[names.PAD].transpose(g_dim, t_dim).values) if names.PAD in ds else (
        np.zeros(ds[names.LIVE].shape, dtype=bool))
    along = 1 if dim == t_dim else 0
    # a new slot is padding when its successor is (padding trails every row)
    pad = np.take(pad_old, src, axis=along) | (
        ~is_old[None, :] if along else ~is_old[:, None]) & np.take(pad_old, np.minimum(src + 1, n_old - 1), axis=along)
    out = xr.Dataset(attrs=dict(ds.attrs))
    for name, var in bare.data_vars.items():
        if dim not in var.dims:
            out[name] = var
            continue
        if name == names.DEAD_REASON:
            new_value: Any = np.uint8(DeadReason.MISSING)
        elif name == names.TRACE_INDEX:
            new_value = -1
        else:
            new_value = False if var.dtype == bool else 0
        out[name] = var.isel({dim: take}).where(old_slot, new_value).astype(var.dtype).assign_attrs(var.attrs)
    out[names.PAD] = ((g_dim, t_dim), pad, ds[names.PAD].attrs if names.PAD in ds else {})
    raw = _new_headers(ds, factor, dim, out[names.PAD].values)
    out[names.TRACE_HEADER] = ((g_dim, t_dim, "header_byte"), raw, ds[names.TRACE_HEADER].attrs)
    coords = {c: ds[c].variable for c in (g_dim, t_dim, "time") if c != dim}
    values = ds[dim].values
    if dim == "trace":
        coords[dim] = xr.DataArray(np.arange(n_new), dims=dim)
    else:  # fractional inline/crossline numbers
        succ = values[np.minimum(src + 1, n_old - 1)]
        frac = (position % factor) / factor
        coords[dim] = xr.DataArray(values[src] + (succ - values[src]) * frac, dims=dim)
    out = out.assign_coords(coords)
    endian = str(ds.attrs["segy_endian"])
    keys = (ds.attrs.get("gather_key"), ds.attrs.get("sort_key"))
    for word, (grid, attrs) in names.header_coordinates(raw, endian, ~out[names.PAD].values, keys).items():
        if word not in (g_dim, t_dim):
            out = out.assign_coords({word: ((g_dim, t_dim), grid, attrs)})
    return out


def _new_headers(ds: xr.Dataset, factor: int, dim: str, pad_new: np.ndarray) -> np.ndarray:
    """Headers of the densified grid (n_row, n_new, 240): old ones copied, new ones by the module's rule."""
    g_dim, t_dim = names.slot_dims(ds)
    endian = str(ds.attrs["segy_endian"])
    other = g_dim if dim == t_dim else t_dim
    raw = np.asarray(ds[names.TRACE_HEADER].transpose(other, dim, "header_byte").values)
    pad_old = np.asarray(ds[names.PAD].transpose(other, dim).values) if names.PAD in ds else np.zeros(raw.shape[:2], bool)
    pad_new = pad_new if dim == t_dim else pad_new.T
    n_row, n_old = raw.shape[:2]
    n_new = (n_old - 1) * factor + 1
    out = np.zeros((n_row, n_new, raw.shape[2]), dtype=np.uint8)
    out[:, ::factor] = raw
    # all rows in one call: positions laid end to end, a row's span apart, so that each new slot
    # is bracketed by its own row's neighbours (span exactly `factor`: weight k / factor)
    span = n_new + factor
    rows, cols = np.nonzero(~pad_old)
    row_new, col_new = np.nonzero(~pad_new & (np.arange(n_new) % factor != 0)[None, :])
    if row_new.size:
        headers = interpolate_headers(raw[rows, cols], rows * span + cols * factor, row_new * span + col_new, endian)
        before = raw[row_new, col_new // factor]
        words = parse_trace_headers(before, endian, FROM_PREDECESSOR)
        for word in FROM_PREDECESSOR:
            set_trace_field(headers, word, words[word], endian)
        out[row_new, col_new] = headers
    return out if dim == t_dim else out.transpose(1, 0, 2).copy()


def densify_neighbours(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """The new slots of a densified dataset and their neighbours, as flat slots of its grid.

    Returns
    -------
    dict of str -> numpy.ndarray, each shape (n_new,)
        ``slot`` (flat index of the new slot), ``left``/``right`` (its predecessor and
        successor in slot order along the axis it was inserted on), ``fraction`` (k / factor) and
        ``axis`` (0: inserted on the row axis, i.e. a new inline row; 1: on the trace axis).
    """
    factor, axis = int(ds.attrs["densify_factor"]), str(ds.attrs["densify_axis"])
    n_row, n_col = ds[names.LIVE].shape
    pad = ds[names.PAD].values if names.PAD in ds else np.zeros((n_row, n_col), bool)
    r, c = np.meshgrid(np.arange(n_row), np.arange(n_col), indexing="ij")
    new_row = (r % factor != 0) if axis in ("inline", "both") else np.zeros_like(pad)
    new_col = (c % factor != 0) if axis in ("crossline", "both") else np.zeros_like(pad)
    new = (new_row | new_col) & ~pad
    r, c, on_rows = r[new], c[new], new_row[new]
    k = np.where(on_rows, r % factor, c % factor)
    left = np.where(on_rows, (r - k) * n_col + c, r * n_col + c - k)
    right = np.where(on_rows, (r - k + factor) * n_col + c, r * n_col + c - k + factor)
    return {"slot": r * n_col + c, "left": left, "right": right, "fraction": k / factor,
            "axis": np.where(on_rows, 0, 1)}


def densify_record(ds: xr.Dataset, slot: np.ndarray) -> dict[str, Any]:
    """The sidecar's ``densify`` entry: the header rule and, per new trace written, its neighbours.

    Parameters
    ----------
    ds : xarray.Dataset
        A densified dataset (:func:`densify_grid`).
    slot : numpy.ndarray of int, shape (n_out,)
        Flat slot of each output trace, in output order (:func:`seisfill.io.write.output_order`).

    Returns
    -------
    dict
        ``factor``, ``axis``, ``header_rule``, and per new trace (in output order)
        ``new_output_traces``, ``left_output_traces``, ``right_output_traces``
        (its neighbours' output trace numbers; -1 for a neighbour not written),
        ``fraction`` (k / factor) and ``position`` (per grid word: the new trace's
        fractional value, e.g. crossline 300.5).
    """
    g_dim, t_dim = names.slot_dims(ds)
    n_row, n_col = ds[names.LIVE].shape
    output_of = np.full(n_row * n_col, -1, dtype=np.int64)
    output_of[slot] = np.arange(slot.size)
    nb = densify_neighbours(ds)
    written = output_of[nb["slot"]] >= 0
    nb = {k: v[written] for k, v in nb.items()}
    order = np.argsort(output_of[nb["slot"]], kind="stable")
    nb = {k: v[order] for k, v in nb.items()}
    row_word = str(ds.attrs.get("gather_key", g_dim))
    col_word = str(ds.attrs.get("sort_key", "none"))
    row_value = np.asarray(ds[g_dim].values)[nb["slot"] // n_col]
    if t_dim == "trace":  # gathers: the sort key's value between the neighbours' (their headers)
        if col_word == "none":
            col_word, col_value = "trace", (nb["slot"] % n_col) / int(ds.attrs["densify_factor"])
        else:
            raw = ds[names.TRACE_HEADER].values.reshape(n_row * n_col, -1)
            endian = str(ds.attrs["segy_endian"])
            a = parse_trace_headers(raw[nb["left"]], endian, [col_word])[col_word].astype(np.float64)
            b = parse_trace_headers(raw[nb["right"]], endian, [col_word])[col_word].astype(np.float64)
            col_value = a + (b - a) * nb["fraction"]
    else:
        col_value = np.asarray(ds[t_dim].values, dtype=np.float64)[nb["slot"] % n_col]
    return {
        "factor": int(ds.attrs["densify_factor"]),
        "axis": str(ds.attrs["densify_axis"]),
        "header_rule": {
            "interpolated": "every other word, linearly between the two neighbours, rounded",
            "from_predecessor": list(FROM_PREDECESSOR),
            "order": "each new trace right after its predecessor; a new inline row after the row before it",
        },
        "new_output_traces": output_of[nb["slot"]].tolist(),
        "left_output_traces": output_of[nb["left"]].tolist(),
        "right_output_traces": output_of[nb["right"]].tolist(),
        "fraction": nb["fraction"].tolist(),
        "position": {row_word: np.asarray(row_value, dtype=np.float64).tolist(), col_word: col_value.tolist()},
    }
