"""The QC report of a filled file: one QC sheet (PNG) per gather and an ``index.html``.

``seisfill qc input.sgy filled.sgy [--reference full.sgy] --out report/`` calls
:func:`write_report`.  The report is built in a temporary folder beside
``out_dir`` and renamed into place at the end, so an interrupted run never
leaves a half-written report (and a previous report is replaced whole).
"""

from __future__ import annotations

import html
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from seisfill.errors import SeisfillError
from seisfill.io import dataset as names
from seisfill.io.regularize import regularize
from seisfill.io.segy import read_segy
from seisfill.io.write import default_mode
from seisfill.metrics import snr_missing

__all__ = ["write_report", "Report", "MAX_SHEETS", "trace_spacing", "trace_axis", "fill_record"]

#: QC sheets drawn at most (1-4 s and 0.2-1 MB each, the more the wider the gather); the table lists every gather
MAX_SHEETS = 50


@dataclass
class Report:
    """What :func:`write_report` wrote."""

    index: Path
    rows: list[dict[str, Any]] = field(default_factory=list)
    n_sheets: int = 0


def write_report(
    input_path: str | os.PathLike,
    filled_path: str | os.PathLike,
    out_dir: str | os.PathLike,
    reference_path: str | os.PathLike | None = None,
    *,
    max_sheets: int = MAX_SHEETS,
    key: str | None = None,
    sort: str | None = None,
    cube: bool | None = None,
    cmap: str = "grey",
    dpi: int | None = None,
) -> Report:
    """QC sheets of a filled SEG-Y file and an HTML page with them and a summary table.

    Parameters
    ----------
    input_path : path
        The file before filling (its dead traces define what was filled).
    filled_path : path
        The output of ``seisfill fill`` (same geometry; a ``--regularize``d
        output is matched by regularising the input the same default way).
    out_dir : path
        Report folder: ``index.html`` and ``qc_<gather>.png``; replaced whole
        if it holds an earlier report, refused if it holds anything else.
    reference_path : path, optional
        The true data (a decimation test): adds the reference panel and the
        SNR of the filled traces.
    max_sheets : int
        QC sheets drawn at most (default :data:`MAX_SHEETS`): gathers with
        filled traces first, in file order.  Every gather is in the table.
    key, sort, cube
        Geometry options of :func:`seisfill.read_segy`.
    cmap : str
        ``grey`` or ``seismic``.
    dpi : int, optional
        Resolution of the PNGs (default :data:`seisfill.qc.sheet.SHEET_DPI`;
        a sheet's size in pixels follows the number of traces).

    Returns
    -------
    Report
        ``index`` (the HTML path), ``rows`` (one dict per gather: ``gather``,
        ``traces``, ``live``, ``filled``, ``snr_db``, ``sheet``) and ``n_sheets``.

    Raises
    ------
    SeisfillError
        Unreadable files, geometries that do not match, or an ``out_dir``
        that holds something other than a report.
    """
    from seisfill.qc.sheet import SHEET_DPI, qc_sheet

    dpi = SHEET_DPI if dpi is None else dpi
    out_dir = Path(out_dir)
    _check_out_dir(out_dir)
    geometry = {"key": key, "sort": sort, "cube": cube}
    source = read_segy(input_path, **geometry)
    filled = read_segy(filled_path, **geometry)
    source = _match_geometry(source, filled, input_path, filled_path)
    reference = None
    if reference_path is not None:
        reference = read_segy(reference_path, **geometry)
        if reference[names.AMPLITUDE].shape != filled[names.AMPLITUDE].shape:
            raise SeisfillError(
                f"{reference_path}: shape {reference[names.AMPLITUDE].shape} differs from the filled "
                f"file's {filled[names.AMPLITUDE].shape}; give the reference the filled file was made from"
            )
    g_dim, _ = names.slot_dims(source)
    live = source[names.LIVE].values
    pad = source[names.PAD].values if names.PAD in source else np.zeros_like(live)
    target = ~live & ~pad
    dt = float(source.attrs.get("dt_ms", 4.0)) / 1000
    labels = source[g_dim].values
    chosen = _choose_sheets(target, max_sheets)
    record = fill_record(filled_path)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        rows = []
        for g in range(live.shape[0]):
            ref_g = None if reference is None else reference[names.AMPLITUDE].values[g]
            out_g = filled[names.AMPLITUDE].values[g]
            row = {
                "gather": labels[g].item() if hasattr(labels[g], "item") else labels[g],
                "traces": int((~pad[g]).sum()),
                "live": int(live[g].sum()),
                "filled": int(target[g].sum()),
                "snr_db": snr_missing(ref_g, out_g, target[g]) if ref_g is not None and target[g].any()
                else float("nan"),
                "sheet": None,
            }
            if g in chosen:
                row["sheet"] = f"qc_{g_dim}_{row['gather']}.png"
                x, xlabel = trace_axis(source, g)
                fig = qc_sheet(source[names.AMPLITUDE].values[g], out_g, live[g] | pad[g], dt,
                               reference=ref_g, dx=trace_spacing(source, g), cmap=cmap, x=x, xlabel=xlabel,
                               method=record["method"], model=record["model"], dpi=dpi,
                               title=f"{Path(filled_path).name}: {g_dim} {row['gather']}")
                fig.savefig(work / row["sheet"], dpi="figure")  # qc_sheet raised it for a wide gather
            rows.append(row)
        overview = None
        if g_dim == "inline" and live.shape[0] > 1:
            overview = _cube_overview(source, filled, target, dt, cmap, work, dpi)
        index = work / "index.html"
        index.write_text(_html(rows, g_dim, input_path, filled_path, reference_path, overview, max_sheets,
                               record), encoding="utf-8")
        _replace_dir(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Report(index=out_dir / "index.html", rows=rows, n_sheets=len(chosen))


def trace_spacing(ds: xr.Dataset, g: int) -> float | None:
    """Median trace spacing (m) of gather ``g`` from ``offset`` or CDP coordinates; None if unknown.

    Parameters
    ----------
    ds : xarray.Dataset
        A seisfill dataset.
    g : int
        Gather (or inline) index.
    """
    live = ds[names.LIVE].values[g]
    if "offset" in ds.coords:
        step = _median_step(np.abs(np.diff(np.asarray(ds["offset"].values[g], float)[live])))
        if step:
            return step
    if "CDP_X" in ds.coords and "CDP_Y" in ds.coords:
        x = np.asarray(ds["CDP_X"].values[g], float)[live]
        y = np.asarray(ds["CDP_Y"].values[g], float)[live]
        return _median_step(np.hypot(np.diff(x), np.diff(y)))
    return None


def trace_axis(ds: xr.Dataset, g: int) -> tuple[np.ndarray | None, str]:
    """Header value of every trace slot of gather ``g`` and its name, for the trace axis of a sheet.

    The gather's sort key (``offset``, ``INLINE_3D``, ``TraceNumber``...) when
    the dataset has it as a coordinate, else the trace dimension's own
    coordinate (a cube's ``crossline``), else ``(None, "trace")``: the slot
    number.  Padding slots (no trace) have NaN.  ``ds`` and ``g`` as for
    :func:`trace_spacing`.

    Returns
    -------
    x : ndarray of float, shape (n_slot,), or None
    name : str
    """
    g_dim, t_dim = names.slot_dims(ds)
    key = str(ds.attrs.get("sort_key", "none"))
    if key in ds.coords and ds[key].dims == (g_dim, t_dim):
        x = np.asarray(ds[key].values[g], dtype=np.float64)
    elif t_dim != "trace" and t_dim in ds.coords:
        key, x = t_dim, np.asarray(ds[t_dim].values, dtype=np.float64)
    else:
        return None, "trace"
    if names.PAD in ds:
        x = np.where(ds[names.PAD].values[g], np.nan, x)
    return x, key


def fill_record(filled_path: str | os.PathLike) -> dict[str, Any]:
    """``method`` and ``model`` that filled a file, from its sidecar ``<file>.seisfill.json``.

    Both None when the sidecar is missing or unreadable (a file written by
    another program); ``sidecar`` is the path looked at.
    """
    sidecar = Path(f"{filled_path}.seisfill.json")
    try:
        record = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    if not isinstance(record, dict):
        record = {}
    return {"method": record.get("method"), "model": record.get("model"), "sidecar": sidecar}


def _median_step(steps: np.ndarray) -> float | None:
    steps = steps[np.isfinite(steps) & (steps > 0)]
    return float(np.median(steps)) if steps.size else None


def _choose_sheets(target: np.ndarray, max_sheets: int) -> set[int]:
    """Gathers with filled traces first, then the rest, in file order, at most ``max_sheets``."""
    order = [*np.flatnonzero(target.any(axis=1)), *np.flatnonzero(~target.any(axis=1))]
    return {int(g) for g in order[: max(0, int(max_sheets))]}


def _match_geometry(source: xr.Dataset, filled: xr.Dataset, input_path: Any, filled_path: Any) -> xr.Dataset:
    shape = filled[names.AMPLITUDE].shape
    if source[names.AMPLITUDE].shape == shape:
        return source
    if names.slot_dims(source)[0] == "gather":
        try:
            regular = regularize(source)
        except SeisfillError:
            regular = None
        if regular is not None and regular[names.AMPLITUDE].shape == shape:
            return regular
    raise SeisfillError(
        f"{filled_path}: shape {shape} does not match {input_path} {source[names.AMPLITUDE].shape}; "
        "give the input the filled file was made from (and the same --key/--sort)"
    )


def _cube_overview(source: xr.Dataset, filled: xr.Dataset, target: np.ndarray, dt: float,
                   cmap: str, work: Path, dpi: int) -> str:
    from seisfill.qc.cube import plot_cube

    fig = plot_cube(filled[names.AMPLITUDE].values, source[names.LIVE].values, dt,
                    inlines=source["inline"].values, crosslines=source["crossline"].values,
                    filled=target, cmap=cmap, title="filled cube")
    fig.savefig(work / "cube.png", dpi=dpi)
    return "cube.png"


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / "index.html").exists())):
        raise SeisfillError(f"{out_dir}: exists and is not a seisfill QC report; choose a new --out folder")


def _replace_dir(work: Path, out_dir: Path) -> None:
    """Move the finished report into place; an earlier report is removed only after that."""
    os.chmod(work, default_mode(directory=True))  # mkdtemp makes it private; a plain mkdir respects the umask
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        out_dir.rename(old)
    work.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _fmt_snr(value: float) -> str:
    return "-" if np.isnan(value) else f"{value:.1f}"


def _how_filled(record: dict[str, Any]) -> str:
    """The report's line on the method and model, HTML."""
    from seisfill.qc.sheet import fill_label

    if record["method"]:
        return f"filled by <b>{html.escape(fill_label(record['method'], record['model']))}</b>"
    return f"fill method unknown: no record in <code>{html.escape(record['sidecar'].name)}</code>"


def _html(rows: list[dict], g_dim: str, input_path: Any, filled_path: Any, reference_path: Any,
          overview: str | None, max_sheets: int, record: dict[str, Any]) -> str:
    esc = html.escape
    filled_total = sum(r["filled"] for r in rows)
    with_ref = reference_path is not None
    head = ["gather", "traces", "live", "filled"] + (["SNR filled (dB)"] if with_ref else []) + ["QC sheet"]
    table = ["<tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr>"]
    for r in rows:
        cells = [r["gather"], r["traces"], r["live"], r["filled"]] + ([_fmt_snr(r["snr_db"])] if with_ref else [])
        link = f'<a href="#{esc(r["sheet"])}">sheet</a>' if r["sheet"] else "-"
        table.append("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in cells) + f"<td>{link}</td></tr>")
    images = []
    if overview:
        images.append(f'<h2>cube</h2>\n<img src="{esc(overview)}" alt="cube overview">')
    for r in rows:
        if r["sheet"]:
            # fitted to the window; the link opens it at full size, where a trace is a few pixels wide
            images.append(f'<h2 id="{esc(r["sheet"])}">{esc(g_dim)} {esc(str(r["gather"]))}</h2>\n'
                          f'<a href="{esc(r["sheet"])}" title="full resolution"><img src="{esc(r["sheet"])}" '
                          f'alt="QC sheet {esc(g_dim)} {esc(str(r["gather"]))}"></a>')
    n_sheets = sum(1 for r in rows if r["sheet"])
    snr = [r["snr_db"] for r in rows if r["filled"] and not np.isnan(r["snr_db"])]
    mean = f"; mean SNR of filled traces {np.mean(snr):.1f} dB over {len(snr)} {g_dim}(s)" if snr else ""
    reference = f", reference <code>{esc(str(reference_path))}</code>" if with_ref else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>seisfill QC: {esc(Path(filled_path).name)}</title>
<style>body{{font-family:sans-serif;margin:1em 2em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #bbb;padding:2px 8px;text-align:right}} img{{max-width:100%}}</style></head>
<body>
<h1>seisfill QC report: {esc(Path(filled_path).name)}</h1>
<p>{_how_filled(record)}</p>
<p>input <code>{esc(str(input_path))}</code>, filled <code>{esc(str(filled_path))}</code>{reference}</p>
<p>{len(rows)} {esc(g_dim)}(s), {filled_total} filled trace(s){esc(mean)};
{n_sheets} QC sheet(s) shown (at most {max_sheets}, {esc(g_dim)}s with filled traces first;
click one for full resolution).</p>
<table>
{chr(10).join(table)}
</table>
{chr(10).join(images)}
</body></html>
"""
