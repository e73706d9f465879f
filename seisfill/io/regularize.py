"""Missing slots: traces the geometry says should exist but the file lacks.

A shot gather recorded on channels 1..240 whose file holds no trace for
channel 17 has a *missing slot* there.  :func:`regularize` finds such gaps in
a gather's sort-key sequence (channel, station, offset...) at the nominal
spacing and inserts slots for them (``live`` False, ``dead_reason`` MISSING,
``trace_index`` -1), each with a trace header interpolated from its
neighbours, so a method can fill them and :func:`seisfill.write_segy` can
write them out as new traces.

For a post-stack cube the grid itself defines the slots; :func:`cube_headers`
gives missing grid nodes their headers.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.spatial import cKDTree

from seisfill.errors import SeisfillError
from seisfill.io import dataset as names
from seisfill.io.headers import (
    FIELD_SIZE,
    TRACE_FIELDS,
    parse_trace_headers,
    resolve_field,
    set_trace_field,
)
from seisfill.masks import DeadReason

__all__ = ["regularize", "regularize_layout", "interpolate_headers", "cube_headers"]


def _parse_all(raw: np.ndarray, endian: str) -> np.ndarray:
    """Raw headers (n, 240) -> int64 array (n, n_fields) of all words."""
    parsed = parse_trace_headers(raw, endian)
    return np.stack([parsed[name].astype(np.int64) for name in TRACE_FIELDS], axis=1)


def _encode_all(values: np.ndarray, template: np.ndarray, endian: str) -> np.ndarray:
    """Write all words (n, n_fields) into copies of template headers (n, 240)."""
    raw = np.ascontiguousarray(template.copy())
    for k, name in enumerate(TRACE_FIELDS):
        size_max = 32767 if FIELD_SIZE[name] == 2 else 2**31 - 1
        set_trace_field(raw, name, np.clip(values[:, k], -size_max - 1, size_max), endian)
    return raw


def interpolate_headers(
    raw: np.ndarray, positions: np.ndarray, targets: np.ndarray, endian: str
) -> np.ndarray:
    """Headers for new traces at ``targets``, interpolated from known traces.

    Every header word is interpolated linearly in position between the two
    known traces that bracket the target (extrapolated from the two nearest
    on one side at the ends of a gather) and rounded; words equal on both
    neighbours are copied unchanged.

    Parameters
    ----------
    raw : numpy.ndarray of uint8, shape (n_known, 240)
        Headers of the known traces.
    positions : numpy.ndarray, shape (n_known,)
        Their positions along the gather (sort-key values), increasing.
    targets : numpy.ndarray, shape (n_new,)
        Positions of the new traces.
    endian : {"big", "little"}

    Returns
    -------
    numpy.ndarray of uint8, shape (n_new, 240)
    """
    positions = np.asarray(positions, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    if positions.size == 0:
        raise SeisfillError("cannot interpolate headers: the gather has no trace to start from")
    values = _parse_all(raw, endian)
    if positions.size == 1:
        left = right = np.zeros(targets.size, dtype=np.int64)
    else:
        right = np.clip(np.searchsorted(positions, targets), 1, positions.size - 1)
        left = right - 1
    span = positions[right] - positions[left]
    weight = np.where(span != 0, (targets - positions[left]) / np.where(span != 0, span, 1), 0.0)
    va, vb = values[left], values[right]
    new = np.where(va == vb, va, np.rint(va + (vb - va) * weight[:, None])).astype(np.int64)
    nearest = np.where(np.abs(targets - positions[left]) <= np.abs(targets - positions[right]), left, right)
    return _encode_all(new, raw[nearest], endian)


def cube_headers(
    raw_grid: np.ndarray, present: np.ndarray, endian: str
) -> np.ndarray:
    """Headers for the missing nodes of a cube grid.

    Each word is fitted as an affine function of the (inline, crossline) node
    position over the present traces; where the fit is exact (inline and
    crossline numbers, CDP, CDP_X/CDP_Y on a regular grid) the missing node
    gets the fitted value, elsewhere the value of the nearest present trace.

    Parameters
    ----------
    raw_grid : numpy.ndarray of uint8, shape (n_inline, n_crossline, 240)
    present : numpy.ndarray of bool, shape (n_inline, n_crossline)
    endian : {"big", "little"}

    Returns
    -------
    numpy.ndarray of uint8, shape (n_inline, n_crossline, 240)
        ``raw_grid`` with the missing nodes' headers filled in.
    """
    if present.all() or not present.any():
        return raw_grid
    ii, jj = np.nonzero(present)
    mi, mj = np.nonzero(~present)
    known = _parse_all(raw_grid[ii, jj], endian).astype(np.float64)
    design = np.stack([np.ones(ii.size), ii, jj], axis=1).astype(np.float64)
    coef, *_ = np.linalg.lstsq(design, known, rcond=None)
    exact = np.all(np.abs(design @ coef - known) < 0.5, axis=0)
    # nearest present node for the words that are not affine
    nearest = cKDTree(np.stack([ii, jj], axis=1)).query(np.stack([mi, mj], axis=1))[1]
    new = known[nearest].copy()
    fitted = np.stack([np.ones(mi.size), mi, mj], axis=1) @ coef
    new[:, exact] = np.rint(fitted[:, exact])
    out = raw_grid.copy()
    out[mi, mj] = _encode_all(new.astype(np.int64), raw_grid[ii[nearest], jj[nearest]], endian)
    return out


def _lattice(values: np.ndarray, step: int, lo: int | None, hi: int | None) -> np.ndarray | None:
    """Positions on the nominal lattice from lo to hi, or None if values are off it."""
    lo = values.min() if lo is None else lo
    hi = values.max() if hi is None else hi
    if np.any((values - lo) % step):
        return None
    return np.arange(lo, hi + 1, step)


def regularize(
    ds: xr.Dataset,
    key: str | None = None,
    step: int | None = None,
    extent: str = "gather",
    max_insert: int = 256,
) -> xr.Dataset:
    """Insert the slots missing from each gather's nominal trace sequence.

    Parameters
    ----------
    ds : xarray.Dataset
        A seisfill dataset with dims (gather, trace, time).
    key : str, optional
        Header word whose sequence defines the slots (``TraceNumber``,
        ``offset``, a station number...).  Default: the dataset's sort key.
    step : int, optional
        Nominal spacing of ``key``.  Default: the most common difference
        between neighbouring traces over all gathers.
    extent : {"gather", "survey"}
        ``gather``: fill gaps between a gather's first and last trace;
        ``survey``: also extend every gather to the survey-wide first and last
        key value (channels missing at the ends of the cable).
    max_insert : int
        Refuse to insert more slots than this into one gather (a wrong key or
        step would otherwise blow up the dataset).

    Returns
    -------
    xarray.Dataset
        Same variables, trace dim possibly longer; inserted slots have
        ``live`` False, ``dead_reason`` MISSING, ``trace_index`` -1 and
        interpolated headers and coordinates.  Gathers whose key values do not
        lie on the lattice (irregular offsets) or do not increase along the
        gather (sorted by another word) are left as they are.
    """
    names.check_dataset(ds)
    g_dim, t_dim = names.slot_dims(ds)
    if ds.attrs.get("layout") == "cube" or g_dim != "gather":
        raise SeisfillError("regularize works on gathers; a cube's grid already has its missing nodes")
    key = resolve_field(key or ds.attrs.get("sort_key", "none"))
    if extent not in ("gather", "survey"):
        raise SeisfillError(f"extent must be 'gather' or 'survey', not '{extent}'")
    endian = str(ds.attrs["segy_endian"])
    trace_index = ds[names.TRACE_INDEX].values
    raw = ds[names.TRACE_HEADER].values
    present = (trace_index >= 0) | (ds[names.DEAD_REASON].values & DeadReason.MISSING).astype(bool)
    key_values = parse_trace_headers(raw.reshape(-1, raw.shape[-1]), endian, [key])[key].reshape(trace_index.shape)
    if step is None:
        diffs = np.concatenate([np.diff(key_values[g][present[g]]) for g in range(trace_index.shape[0])])
        step = _mode_step(diffs)
    if step <= 0:
        raise SeisfillError(f"regularize: step must be positive, got {step}")
    lo = hi = None
    if extent == "survey":
        lo, hi = int(key_values[present].min()), int(key_values[present].max())

    plans = []
    for g in range(trace_index.shape[0]):
        slots = np.flatnonzero(present[g])
        values = key_values[g, slots]
        lattice = _lattice(values, step, lo, hi) if slots.size else None
        if lattice is None or np.any(np.diff(values) <= 0):
            # left as it is: the slots keep their order (the key values may
            # decrease or repeat, so they cannot be looked up in themselves)
            plans.append((slots, values, np.arange(slots.size), values))
            continue
        if lattice.size - slots.size > max_insert:
            raise SeisfillError(
                f"gather {ds[g_dim].values[g]}: regularizing on {key} with step {step} would insert "
                f"{lattice.size - slots.size} traces (more than max_insert={max_insert}); check --key/--step"
            )
        plans.append((slots, values, np.searchsorted(lattice, values), lattice))
    return _rebuild(ds, plans, key, endian, g_dim, t_dim)


def _mode_step(diffs: np.ndarray) -> int:
    diffs = np.abs(diffs[diffs != 0])
    if diffs.size == 0:
        return 1
    steps, counts = np.unique(diffs, return_counts=True)
    return int(steps[np.argmax(counts)])


def _rebuild(ds, plans, key, endian, g_dim, t_dim) -> xr.Dataset:
    """New dataset with each gather's slots laid out on its lattice.

    ``plans`` holds, per gather, (old slots, their key values, their new
    positions, key values of all new positions).
    """
    n_g = len(plans)
    n_t = max(1, max(lattice.size for *_, lattice in plans))
    source = np.full((n_g, n_t), -1, dtype=np.int64)  # old slot feeding each new slot
    pad = np.ones((n_g, n_t), dtype=bool)
    raw_old = ds[names.TRACE_HEADER].values
    raw_new = np.zeros((n_g, n_t, raw_old.shape[-1]), dtype=np.uint8)
    for g, (slots, values, where, lattice) in enumerate(plans):
        source[g, where] = slots
        pad[g, : lattice.size] = False
        raw_new[g, where] = raw_old[g, slots]
        gaps = np.setdiff1d(np.arange(lattice.size), where)
        if gaps.size:
            headers = interpolate_headers(raw_old[g, slots], values, lattice[gaps], endian)
            # the key word of a new slot is its lattice value, also where the
            # interpolation has a single trace to copy from
            set_trace_field(headers, key, lattice[gaps], endian)
            raw_new[g, gaps] = headers
    has_source = source >= 0
    inserted = ~has_source & ~pad
    take = np.where(has_source, source, 0)
    gi = np.arange(n_g)[:, None]

    def remap(name, fill):
        old = ds[name]
        picked = old.isel({g_dim: xr.DataArray(np.broadcast_to(gi, take.shape), dims=(g_dim, t_dim)),
                           t_dim: xr.DataArray(take, dims=(g_dim, t_dim))})
        mask = xr.DataArray(has_source, dims=(g_dim, t_dim))
        return picked.where(mask, fill).astype(old.dtype).drop_vars([c for c in picked.coords if c not in (g_dim, "time")], errors="ignore")

    out = xr.Dataset(attrs=dict(ds.attrs))
    out[names.AMPLITUDE] = remap(names.AMPLITUDE, 0)
    reasons = np.where(has_source, ds[names.DEAD_REASON].values[gi, take], 0).astype(np.uint8)
    reasons[inserted] |= np.uint8(DeadReason.MISSING)
    out[names.DEAD_REASON] = ((g_dim, t_dim), reasons, ds[names.DEAD_REASON].attrs)
    out[names.LIVE] = ((g_dim, t_dim), np.where(has_source, ds[names.LIVE].values[gi, take], False))
    out[names.TRACE_INDEX] = ((g_dim, t_dim), np.where(has_source, ds[names.TRACE_INDEX].values[gi, take], -1))
    out[names.PAD] = ((g_dim, t_dim), pad)
    out[names.TRACE_HEADER] = ((g_dim, t_dim, "header_byte"), raw_new)
    if names.FILLED in ds:
        out[names.FILLED] = ((g_dim, t_dim), np.where(has_source, ds[names.FILLED].values[gi, take], False))
    # other variables (``decimated`` from seisfill.simulate, IBM fixups, user
    # masks) come along: per-slot ones remapped (False/0 in new slots), the
    # others unchanged
    for name, var in ds.data_vars.items():
        if name in out:
            continue
        if var.dims[:2] == (g_dim, t_dim):
            out[name] = remap(name, False if var.dtype == bool else 0).assign_attrs(var.attrs)
        elif g_dim not in var.dims and t_dim not in var.dims:
            out[name] = var
    out = out.assign_coords({g_dim: ds[g_dim].values, t_dim: np.arange(n_t), "time": ds["time"]})
    for word, (grid, attrs) in names.header_coordinates(raw_new, endian, ~pad, (ds.attrs.get("gather_key"), key)).items():
        out = out.assign_coords({word: ((g_dim, t_dim), grid, attrs)})
    out.attrs["regularized_on"] = key
    return out


def regularize_layout(ds: xr.Dataset, **options) -> xr.Dataset:
    """:func:`regularize` without the samples: the new slot layout of a (lazy) dataset.

    Returns the regularised ``live``, ``pad``, ``trace_index``, ``dead_reason`` and
    ``trace_header`` (and coordinates) with a one-sample ``amplitude`` placeholder,
    for jobs that read the samples themselves (:mod:`seisfill.parallel`): nothing
    of the survey's samples is read or held.
    """
    g_dim, t_dim = names.slot_dims(ds)
    stub = ds.drop_vars(names.AMPLITUDE).isel(time=slice(0, 1))
    stub[names.AMPLITUDE] = ((g_dim, t_dim, "time"), np.zeros((ds.sizes[g_dim], ds.sizes[t_dim], 1), np.float32))
    return regularize(stub, **options)


def count_sequence_gaps(ds: xr.Dataset) -> np.ndarray:
    """Per gather, the slots :func:`regularize` would insert (gaps in the sort key's sequence).

    Headers only (:func:`regularize_layout`); zeros for cubes (absent nodes are
    already missing slots), files without a sort key, or sequences
    :func:`regularize` cannot place on a lattice.

    Returns
    -------
    numpy.ndarray of int64, shape (n_gather,)
    """
    n_gather = ds[names.LIVE].shape[0]
    if ds.attrs.get("layout") == "cube" or ds.attrs.get("sort_key", "none") == "none":
        return np.zeros(n_gather, dtype=np.int64)
    try:
        regular = regularize_layout(ds)
    except SeisfillError:
        return np.zeros(n_gather, dtype=np.int64)
    inserted = (regular[names.TRACE_INDEX].values < 0) & ~regular[names.PAD].values
    return inserted.sum(axis=1).astype(np.int64)
