"""``seisfill evaluate``: which method should I use on my survey?

Decimate a complete file with each pattern (seeded, as the benchmarks do),
fill it with each method, and score the SNR of the removed traces against
what was recorded there.  One table (method x pattern), in text, CSV or
markdown, and optionally a QC sheet per pattern and method.
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from seisfill.errors import SeisfillError
from seisfill.fill_dataset import fill
from seisfill.io import dataset as names
from seisfill.io.segy import read_segy
from seisfill.masks import parse_pattern
from seisfill.methods import get_method, list_methods
from seisfill.simulate import DECIMATED, decimate_dataset

__all__ = ["evaluate", "format_table", "FORMATS", "PATTERNS"]

#: default decimation patterns of the comparison (the methods: every registered one, :func:`list_methods`)
PATTERNS = ("random50", "regular2", "gap8")
FORMATS = ("text", "csv", "markdown")


def evaluate(
    path: str | os.PathLike,
    patterns: Sequence[str] = PATTERNS,
    methods: Sequence[str] | None = None,
    seed: int = 0,
    out_dir: str | os.PathLike | None = None,
    *,
    key: str | None = None,
    sort: str | None = None,
    cube: bool | None = None,
    dpi: int = 80,
) -> list[dict[str, Any]]:
    """Missing-trace SNR of every method on every decimation pattern of one file.

    Parameters
    ----------
    path : path
        A SEG-Y file with (mostly) complete gathers: the reference.
    patterns : sequence of str
        Decimation patterns (:func:`seisfill.masks.parse_pattern`); gather
        ``g`` is decimated with seed ``seed + g``.
    methods : sequence of str, optional
        Registered fill methods (default: every one that can run here,
        :func:`seisfill.list_methods`).
    seed : int
    out_dir : path, optional
        Write ``qc_<pattern>_<method>.png`` for the first decimated gather.
    key, sort, cube
        Geometry options of :func:`seisfill.read_segy`.
    dpi : int
        Lowest resolution of the QC sheets (raised for a wide gather, :func:`seisfill.qc.sheet.sheet_dpi`).

    Returns
    -------
    list of dict
        One row per (method, pattern), methods outer: ``method``, ``pattern``,
        ``snr_db`` (mean over gathers of the SNR of the removed traces),
        ``snr_min_db`` (worst gather), ``gathers`` (scored), ``traces``
        (removed in all), ``seconds`` (fill time).

    Raises
    ------
    SeisfillError
        Unknown pattern or method, unreadable file, or nothing to score.
    """
    patterns = list(patterns)
    methods = list_methods(available=True) if methods is None else list(methods)
    if not patterns or not methods:
        raise SeisfillError("give at least one pattern and one method")
    for m in methods:
        get_method(m)  # fails early on an unknown method
    specs = [parse_pattern(p) for p in patterns]  # fails early on a bad pattern
    ds = read_segy(path, key=key, sort=sort, cube=cube)
    reference = ds[names.AMPLITUDE].values
    out = None if out_dir is None else Path(out_dir)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    rows = []
    for method in methods:
        for pattern, spec in zip(patterns, specs, strict=True):
            decimated = decimate_dataset(ds, spec, seed=seed)
            removed = decimated[DECIMATED].values
            if not removed.any():
                raise SeisfillError(f"{path}: pattern {pattern} removed no trace (gathers need >= 3 live traces)")
            start = time.perf_counter()
            filled = fill(decimated, method=method, skip_empty=True)
            seconds = time.perf_counter() - start
            estimate = filled[names.AMPLITUDE].values
            per_gather = _snr_per_gather(reference, estimate, removed)
            rows.append({
                "method": method,
                "pattern": pattern,
                "snr_db": float(np.mean(per_gather)) if per_gather.size else float("nan"),
                "snr_min_db": float(np.min(per_gather)) if per_gather.size else float("nan"),
                "gathers": int(per_gather.size),
                "traces": int(removed.sum()),
                "seconds": seconds,
            })
            if out is not None:
                _write_sheet(out, ds, decimated, estimate, removed, pattern, method, filled.attrs.get("fill_model"), dpi)
    return rows


def _snr_per_gather(reference: np.ndarray, estimate: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """SNR (dB) of the removed traces of each gather that lost any, finite or +inf."""
    from seisfill.metrics import snr_missing

    values = [snr_missing(reference[g], estimate[g], removed[g]) for g in np.flatnonzero(removed.any(axis=1))]
    values = np.asarray(values, dtype=np.float64)
    return values[~np.isnan(values)]


def _write_sheet(out: Path, ds: Any, decimated: Any, estimate: np.ndarray, removed: np.ndarray,
                 pattern: str, method: str, model: str | None, dpi: int) -> None:
    from seisfill.qc.report import trace_axis, trace_spacing
    from seisfill.qc.sheet import qc_sheet

    g = int(np.flatnonzero(removed.any(axis=1))[0])
    g_dim = ds[names.LIVE].dims[0]
    dt = float(ds.attrs.get("dt_ms", 4.0)) / 1000
    x, xlabel = trace_axis(ds, g)
    fig = qc_sheet(decimated[names.AMPLITUDE].values[g], estimate[g], ~removed[g], dt,
                   reference=ds[names.AMPLITUDE].values[g], dx=trace_spacing(ds, g), x=x, xlabel=xlabel,
                   method=method, model=model, dpi=dpi, title=f"{pattern}: {g_dim} {ds[g_dim].values[g]}")
    target = out / f"qc_{_safe(pattern)}_{method}.png"
    partial = target.with_name(f".{target.name}.part")
    fig.savefig(partial, dpi="figure", format="png")  # qc_sheet raised it for a wide gather
    partial.replace(target)


def _safe(pattern: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in pattern)


def format_table(rows: Sequence[dict[str, Any]], fmt: str = "text") -> str:
    """The evaluation table as ``text``, ``csv`` or ``markdown``.

    Text and markdown are method x pattern grids of the mean SNR (dB) with the
    total fill time per method and, for text, the best method per pattern;
    CSV has one line per (method, pattern) with every field.
    """
    if fmt not in FORMATS:
        raise SeisfillError(f"unknown format '{fmt}'; choose from: {', '.join(FORMATS)}")
    if fmt == "csv":
        buf = io.StringIO()
        fields = ["method", "pattern", "snr_db", "snr_min_db", "gathers", "traces", "seconds"]
        writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({**r, **{k: f"{r[k]:.3f}" for k in ("snr_db", "snr_min_db", "seconds")}})
        return buf.getvalue()
    methods = list(dict.fromkeys(r["method"] for r in rows))
    patterns = list(dict.fromkeys(r["pattern"] for r in rows))
    cell = {(r["method"], r["pattern"]): r for r in rows}
    seconds = {m: sum(r["seconds"] for r in rows if r["method"] == m) for m in methods}

    def snr(m: str, p: str) -> str:
        return f"{cell[m, p]['snr_db']:.1f}" if (m, p) in cell else "-"

    if fmt == "markdown":
        lines = ["| method | " + " | ".join(patterns) + " | seconds |", "|---|" + "---:|" * (len(patterns) + 1)]
        lines += [f"| {m} | " + " | ".join(snr(m, p) for p in patterns) + f" | {seconds[m]:.1f} |" for m in methods]
        return "\n".join(lines) + "\n"
    width = max(8, *(len(p) for p in patterns))
    lines = [f"{'method':8s} " + " ".join(f"{p:>{width}s}" for p in patterns) + f" {'seconds':>8s}"]
    lines += [f"{m:8s} " + " ".join(f"{snr(m, p):>{width}s}" for p in patterns) + f" {seconds[m]:8.1f}"
              for m in methods]
    best = []
    for p in patterns:
        scored = [(cell[m, p]["snr_db"], m) for m in methods if (m, p) in cell and not np.isnan(cell[m, p]["snr_db"])]
        if scored:
            best.append(f"{p}: {max(scored)[1]}")
    lines.append("missing-trace SNR in dB (mean over gathers); best per pattern: " + ", ".join(best))
    return "\n".join(lines) + "\n"
