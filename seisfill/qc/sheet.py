"""The standard QC sheet: input | filled | reference | difference, f-k spectra, per-trace SNR."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from seisfill.metrics import snr_per_trace
from seisfill.qc.panels import label_traces, plot_fk, plot_gather, symmetric_clip
from seisfill.qc.spectra import fk_amplitude

__all__ = ["qc_sheet", "sheet_dpi", "fill_label", "SHEET_DPI", "FIGSIZE"]

#: size of a sheet, inches: its layout and lettering are the same for every gather
FIGSIZE = (16.0, 8.0)
#: lowest resolution of a sheet, dpi (1280 px wide)
SHEET_DPI = 80
#: width a gather panel gets per trace, px: a trace (and its SNR bar) stays visible
PX_PER_TRACE = 3.5
#: share of the sheet's width that one gather panel gets (the rest: labels, colour bar, gaps)
PANEL_SHARE = 0.18
#: widest sheet, px: a trace gets 3 px or more up to 200 traces, less past that
MAX_WIDTH_PX = 3200
#: lowest dB of the f-k panels (0 dB: the peak of the input's spectrum)
FK_FLOOR_DB = -60.0


def sheet_dpi(n_trace: int, dpi: float = SHEET_DPI) -> float:
    """Resolution of the QC sheet of a gather of ``n_trace`` traces.

    At least ``dpi``, raised so that each gather panel gets ``PX_PER_TRACE``
    pixels per trace, but the sheet (``FIGSIZE``) at most ``MAX_WIDTH_PX``
    pixels wide.  The lettering scales with it, so the sheet reads the same
    fitted to a window and shows every trace at full size.
    """
    needed = PX_PER_TRACE * int(n_trace) / (PANEL_SHARE * FIGSIZE[0])
    return float(min(MAX_WIDTH_PX / FIGSIZE[0], max(dpi, needed)))


def fill_label(method: str | None, model: str | None = None) -> str:
    """How a file was filled, as the CLI says it: ``'hybrid' (model gated2d)``; ``""`` when unknown."""
    if not method:
        return ""
    return f"'{method}'" + (f" (model {model})" if model else "")


def qc_sheet(
    data: np.ndarray,
    filled: np.ndarray,
    live: np.ndarray,
    dt: float,
    *,
    reference: np.ndarray | None = None,
    dx: float | None = None,
    title: str = "",
    percentile: float = 98.0,
    cmap: str = "grey",
    x: np.ndarray | None = None,
    xlabel: str = "trace",
    method: str | None = None,
    model: str | None = None,
    dpi: float = SHEET_DPI,
) -> Any:
    """One figure that shows what was filled and how well.

    Top row: the input with its gaps, the filled gather, the reference (when
    known) and the difference (filled - reference, else filled - input on the
    live traces, i.e. zero), all at the same clip, with one amplitude colour
    bar.  Bottom row: f-k spectra of input, output and difference on one dB
    scale (0 dB: the peak of the input's spectrum) with its colour bar, and
    the per-trace SNR of the filled traces (when the reference is known).

    Parameters
    ----------
    data : ndarray, shape (n_trace, n_time)
        The input gather (missing traces zero or anything: they are blanked).
    filled : ndarray, shape (n_trace, n_time)
    live : ndarray of bool, shape (n_trace,)
    dt : float
        Sample interval, s.
    reference : ndarray, shape (n_trace, n_time), optional
        The true gather (decimation tests).
    dx : float, optional
        Trace spacing, m.
    title : str
    percentile : float
        Clip percentile of the reference (else the filled gather).
    cmap : str
        ``grey`` or ``seismic`` (see :func:`seisfill.qc.panels.plot_gather`).
    x : ndarray, shape (n_trace,), optional
        Header value of each trace (offset, inline, channel...): the trace
        axes are labelled with it (see :func:`seisfill.qc.panels.label_traces`).
    xlabel : str
        Name of ``x``, e.g. the gather's sort key.
    method, model : str, optional
        The fill method and network that made ``filled``: named in the title.
    dpi : float
        Lowest resolution: raised for a wide gather (:func:`sheet_dpi`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    live = np.asarray(live, bool)
    shown = np.where(live[:, None], data, 0.0)
    base = reference if reference is not None else filled
    clip = symmetric_clip(base, percentile)
    diff = filled - (reference if reference is not None else np.where(live[:, None], data, filled))
    fig = Figure(figsize=FIGSIZE, dpi=sheet_dpi(live.size, dpi), layout="constrained")
    top = fig.subplots(2, 4, gridspec_kw={"height_ratios": [3, 2]})
    plot_gather(shown, dt, ax=top[0, 0], clip=clip, title="input (gaps)", missing=~live, cmap=cmap)
    plot_gather(filled, dt, ax=top[0, 1], clip=clip, title="filled", missing=~live, cmap=cmap)
    if reference is not None:
        plot_gather(reference, dt, ax=top[0, 2], clip=clip, title="reference", cmap=cmap)
    else:
        top[0, 2].set_axis_off()
        top[0, 2].text(0.5, 0.5, "no reference", ha="center", va="center", transform=top[0, 2].transAxes)
    plot_gather(diff, dt, ax=top[0, 3], clip=clip, title="difference (same clip)", cmap=cmap)
    for ax in top[0]:
        if ax.axison:
            label_traces(ax, x, xlabel)
    fig.colorbar(top[0, 1].images[0], ax=list(top[0]), label="amplitude", extend="both", aspect=40,
                 pad=0.01)
    _fk_row(fig, top[1, :3], (shown, filled, diff), dt, dx)
    _snr_bars(top[1, 3], reference, filled, live, x, xlabel)
    how = fill_label(method, model)
    heading = ", ".join(part for part in (title, how and f"filled by {how}") if part)
    if heading:
        fig.suptitle(heading)
    return fig


def _fk_row(fig: Any, axes: Any, gathers: tuple[np.ndarray, ...], dt: float, dx: float | None) -> None:
    """The f-k panels of input, filled and difference on one dB scale referred to the input's peak."""
    from matplotlib.colors import Normalize

    peaks = [float(fk_amplitude(g, dt)[0].max()) for g in gathers]
    peak = peaks[0] or peaks[1] or 1.0  # an input with no live trace: the filled gather's peak
    top_db = 20 * math.log10(max(peaks) / peak) if max(peaks) > 0 else 0.0
    norm = Normalize(vmin=FK_FLOOR_DB, vmax=max(0.0, math.ceil(top_db)))
    for ax, gather, name in zip(axes, gathers, ("input", "filled", "difference"), strict=True):
        plot_fk(gather, dt, dx=dx, ax=ax, title=f"f-k {name}", peak=peak, norm=norm)
    fig.colorbar(axes[0].images[0], ax=list(axes), label="dB re input peak", extend="min", location="bottom",
                 aspect=60, shrink=0.6)


def _snr_bars(ax: Any, reference: np.ndarray | None, filled: np.ndarray, live: np.ndarray,
              x: np.ndarray | None, xlabel: str) -> None:
    """Per-trace SNR of the filled traces, one bar per trace at the gather panels' positions."""
    if reference is None or not np.any(~live):
        ax.set_axis_off()
        return
    per = snr_per_trace(reference, filled)
    idx = np.flatnonzero(~live)
    ax.bar(idx, np.clip(per[idx], -10, 60), color="tab:red", width=0.8)  # a gap between neighbours
    ax.set_xlim(-0.5, live.size - 0.5)
    label_traces(ax, x, xlabel)
    ax.set_ylabel("SNR of filled trace (dB)")
    ax.set_title("per-trace SNR")
