"""``seisfill info``: what a geophysicist wants to know about a file at a glance."""

from __future__ import annotations

import os

import numpy as np

from seisfill.io import dataset as names
from seisfill.io.formats import sample_format
from seisfill.io.regularize import count_sequence_gaps
from seisfill.io.segy import read_segy
from seisfill.masks import DeadReason

__all__ = ["summarize", "format_summary"]


def _range(values: np.ndarray) -> str:
    values = values[np.isfinite(values)] if values.dtype.kind == "f" else values
    if values.size == 0:
        return "-"
    lo, hi = values.min(), values.max()
    fmt = (lambda v: f"{v:.10g}") if values.dtype.kind == "f" else (lambda v: f"{int(v)}")
    return fmt(lo) if lo == hi else f"{fmt(lo)}..{fmt(hi)}"


def summarize(
    path: str | os.PathLike,
    key: str | None = None,
    sort: str | None = None,
    cube: bool | None = None,
    rms_outlier: float | None = None,
) -> dict:
    """Summary of a SEG-Y file as a JSON-ready dict.

    Keys: ``file``, ``size_bytes``, ``format`` (code and name), ``endian``,
    ``n_samples``, ``dt_ms``, ``time_ms`` (first, last), ``n_traces``,
    ``n_ext_headers``, ``geometry`` (layout, keys, sizes), ``dead`` (counts
    per reason), ``missing_slots``, ``gathers`` (per-gather rows), and
    ``coordinates`` (ranges of the header words found).
    """
    ds = read_segy(path, key=key, sort=sort, cube=cube, lazy=True, rms_outlier=rms_outlier)
    reasons = ds[names.DEAD_REASON].values
    trace_index = ds[names.TRACE_INDEX].values
    present = trace_index >= 0
    g_dim, t_dim = names.slot_dims(ds)
    fmt = int(ds.attrs["segy_format"])
    time = ds["time"].values
    dead_counts = {
        r.name.lower(): int(np.count_nonzero(((reasons & r) != 0) & present))
        for r in DeadReason
        if r != DeadReason.MISSING
    }
    gaps = count_sequence_gaps(ds)
    rows = []
    for g in range(reasons.shape[0]):
        row_present = present[g]
        rows.append({
            g_dim: int(ds[g_dim].values[g]),
            "traces": int(row_present.sum()),
            "live": int(ds[names.LIVE].values[g].sum()),
            "dead": int(np.count_nonzero(row_present & (reasons[g] != 0))),
            "missing": int(np.count_nonzero(reasons[g] & DeadReason.MISSING)) + int(gaps[g]),
        })
    geometry = {
        "layout": ds.attrs["layout"],
        "dims": {g_dim: int(ds.sizes[g_dim]), t_dim: int(ds.sizes[t_dim])},
        "gather_key": ds.attrs["gather_key"],
        "sort_key": ds.attrs["sort_key"],
        "ragged": bool(ds[names.PAD].values.any()),
    }
    coordinates = {
        name: _range(np.asarray(ds[name].values)[present])
        for name in names.HEADER_COORDS
        if name in ds.coords
    }
    return {
        "file": str(path),
        "size_bytes": os.path.getsize(path),
        "format": {"code": fmt, "name": sample_format(fmt).name},
        "endian": ds.attrs["segy_endian"],
        "n_samples": int(time.size),
        "dt_ms": float(ds.attrs["dt_ms"]),
        "time_ms": [float(time[0]), float(time[-1])],
        "n_traces": int(ds.attrs["segy_n_traces"]),
        "n_ext_headers": len(names.decode_bytes(ds.attrs["segy_extended_headers"])) // 3200,
        "geometry": geometry,
        "live": int(ds[names.LIVE].values.sum()),
        "dead": dead_counts,
        "n_dead": int(np.count_nonzero(present & (reasons != 0))),
        "missing_slots": int(np.count_nonzero(reasons & DeadReason.MISSING)) + int(gaps.sum()),
        "gathers": rows,
        "coordinates": coordinates,
    }


def format_summary(summary: dict, max_rows: int = 20) -> str:
    """Human-readable text of :func:`summarize`'s result."""
    geo = summary["geometry"]
    (g_dim, n_g), (t_dim, n_t) = geo["dims"].items()
    if geo["layout"] == "cube":
        layout = f"3D post-stack cube: {n_g} {g_dim}s x {n_t} {t_dim}s ({geo['gather_key']} x {geo['sort_key']})"
    elif geo["layout"] == "bins":
        layout = f"pre-stack 3-D: {n_g} inline/crossline bins of up to {n_t} offsets, sorted by {geo['sort_key']}"
    elif n_g == 1:
        layout = f"one gather / 2D line of {n_t} traces (key {geo['gather_key']}), sorted by {geo['sort_key']}"
    else:
        layout = f"{n_g} gathers by {geo['gather_key']}, up to {n_t} traces each, sorted by {geo['sort_key']}"
        if geo["ragged"]:
            layout += " (ragged: short gathers padded)"
    dead = ", ".join(f"{k} {v}" for k, v in summary["dead"].items() if v) or "none"
    lines = [
        f"file          {summary['file']} ({summary['size_bytes'] / 1e6:.1f} MB)",
        f"format        {summary['format']['code']} ({summary['format']['name']}), {summary['endian']}-endian",
        f"samples       {summary['n_samples']} x {summary['dt_ms']:g} ms ({summary['time_ms'][0]:g}..{summary['time_ms'][1]:g} ms)",
        f"traces        {summary['n_traces']} in file, {summary['live']} live, {summary['n_dead']} dead ({dead})",
        f"missing slots {summary['missing_slots']} (cube nodes, or gaps in each gather's {geo['sort_key']} sequence, without a trace)",
        f"geometry      {layout}",
    ]
    if summary["n_ext_headers"]:
        lines.append(f"ext. headers  {summary['n_ext_headers']}")
    for name, span in summary["coordinates"].items():
        lines.append(f"  {name:<22} {span}")
    rows = summary["gathers"]
    if max_rows:
        shown = rows if max_rows < 0 else rows[:max_rows]
        lines.append(f"{g_dim:>10} {'traces':>7} {'live':>6} {'dead':>6} {'missing':>8}")
        for r in shown:
            lines.append(f"{r[g_dim]:>10} {r['traces']:>7} {r['live']:>6} {r['dead']:>6} {r['missing']:>8}")
        if len(shown) < len(rows):
            lines.append(f"{'...':>10} {len(rows) - len(shown)} more (--gathers -1 shows all)")
    return "\n".join(lines)
