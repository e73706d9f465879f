"""Single panels: a gather in variable density or wiggles, an f-k spectrum."""

from __future__ import annotations

from typing import Any

import numpy as np

from seisfill.qc.spectra import fk_spectrum

__all__ = ["plot_gather", "plot_wiggle", "plot_fk", "label_traces", "symmetric_clip", "colour_map", "mark_missing"]

#: friendly colour-map names -> matplotlib names (grey: black peaks, as on paper sections)
COLOUR_MAPS = {"grey": "gray_r", "gray": "gray_r", "seismic": "seismic"}


def _figure_and_axes(ax: Any, figsize: tuple[float, float]) -> tuple[Any, Any]:
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def colour_map(name: str) -> str:
    """The matplotlib colour map for ``grey``/``gray``/``seismic`` (other names pass through)."""
    return COLOUR_MAPS.get(str(name).lower(), str(name))


def mark_missing(ax: Any, xs: np.ndarray, missing: np.ndarray | None) -> None:
    """Red ticks above the panel at the missing (dead, filled) traces."""
    if missing is None or not np.any(missing):
        return
    missing = np.asarray(missing, bool)
    ax.plot(xs[missing], np.zeros(int(missing.sum())), "v", color="tab:red", markersize=4,
            clip_on=False, label="filled / missing")


def symmetric_clip(data: np.ndarray, percentile: float = 98.0) -> float:
    """``percentile`` of ``|data|`` over its non-zero samples (1.0 for an all-zero gather)."""
    a = np.abs(np.asarray(data, dtype=np.float64))
    a = a[a > 0]
    return float(np.percentile(a, percentile)) if a.size else 1.0


def plot_gather(
    data: np.ndarray,
    dt: float,
    *,
    ax: Any = None,
    clip: float | None = None,
    percentile: float = 98.0,
    cmap: str = "grey",
    title: str | None = None,
    missing: np.ndarray | None = None,
    x: np.ndarray | None = None,
    xlabel: str = "trace",
) -> Any:
    """Variable-density display of one gather, time increasing downward.

    Parameters
    ----------
    data : ndarray, shape (n_trace, n_time)
        Trace-major gather.
    dt : float
        Sample interval, s (the axis is in ms).
    ax : matplotlib Axes, optional
        Draw here (else a new Figure).
    clip : float, optional
        Symmetric amplitude clip; default the ``percentile`` of ``|data|``.
    cmap : str
        ``grey`` (black peaks), ``seismic`` (blue-white-red) or any matplotlib name.
    title : str, optional
    missing : ndarray of bool, shape (n_trace,), optional
        Traces to mark with a red tick above the panel (dead/missing/filled).
    x : ndarray, shape (n_trace,), optional
        Trace coordinate (offset, crossline...) for the horizontal axis.
    xlabel : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _figure_and_axes(ax, (5, 6))
    data = np.asarray(data)
    clip = symmetric_clip(data, percentile) if clip is None else float(clip)
    n_trace, n_time = data.shape
    xs = np.arange(n_trace) if x is None else np.asarray(x, dtype=float)
    half = 0.5 * (xs[1] - xs[0]) if n_trace > 1 else 0.5
    extent = (xs[0] - half, xs[-1] + half, n_time * dt * 1e3, 0.0)
    ax.imshow(data.T, aspect="auto", cmap=colour_map(cmap), vmin=-clip, vmax=clip, extent=extent,
              interpolation="nearest")
    mark_missing(ax, xs, missing)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("time (ms)")
    if title:
        ax.set_title(title)
    return fig


def plot_wiggle(
    data: np.ndarray,
    dt: float,
    *,
    ax: Any = None,
    clip: float | None = None,
    percentile: float = 98.0,
    max_traces: int = 120,
    gain: float = 1.0,
    title: str | None = None,
    missing: np.ndarray | None = None,
    x: np.ndarray | None = None,
    xlabel: str = "trace",
) -> Any:
    """Wiggle display of one gather: positive lobes filled black, time increasing downward.

    Every trace is drawn with a deflection of at most one trace spacing at
    ``clip`` (times ``gain``); with more than ``max_traces`` traces only every
    ``ceil(n_trace / max_traces)``-th is drawn, so a wide gather stays legible.

    Parameters
    ----------
    data : ndarray, shape (n_trace, n_time)
        Trace-major gather.
    dt : float
        Sample interval, s (the axis is in ms).
    ax : matplotlib Axes, optional
        Draw here (else a new Figure).
    clip : float, optional
        Amplitude that deflects one trace spacing; default the ``percentile`` of ``|data|``.
    percentile : float
    max_traces : int
        Most traces drawn (subsampling step chosen to fit).
    gain : float
        Extra scale of the deflection.
    title : str, optional
    missing : ndarray of bool, shape (n_trace,), optional
        Traces to mark with a red tick above the panel (all are marked, drawn or not).
    x : ndarray, shape (n_trace,), optional
        Trace coordinate for the horizontal axis (default the trace number).
    xlabel : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _figure_and_axes(ax, (5, 6))
    data = np.asarray(data, dtype=np.float64)
    n_trace, n_time = data.shape
    clip = symmetric_clip(data, percentile) if clip is None else float(clip)
    xs = np.arange(n_trace, dtype=float) if x is None else np.asarray(x, dtype=float)
    step = max(1, -(-n_trace // max(1, int(max_traces))))
    shown = np.arange(0, n_trace, step)
    spacing = abs(xs[shown[1]] - xs[shown[0]]) if shown.size > 1 else 1.0
    scale = gain * spacing / (clip if clip > 0 else 1.0)
    t_ms = np.arange(n_time) * dt * 1e3
    for i in shown:
        trace = np.clip(data[i], -clip, clip) * scale
        ax.plot(xs[i] + trace, t_ms, color="black", linewidth=0.5)
        ax.fill_betweenx(t_ms, xs[i], xs[i] + trace, where=trace > 0, color="black", linewidth=0,
                         interpolate=True)
    half = spacing if shown.size > 1 else 1.0
    ax.set_xlim(xs.min() - half, xs.max() + half)
    ax.set_ylim(t_ms[-1] if n_time else 1.0, 0.0)
    mark_missing(ax, xs, missing)
    ax.set_xlabel(xlabel if step == 1 else f"{xlabel} (1 in {step} drawn)")
    ax.set_ylabel("time (ms)")
    if title:
        ax.set_title(title)
    return fig


def plot_fk(
    data: np.ndarray,
    dt: float,
    *,
    dx: float | None = None,
    ax: Any = None,
    title: str | None = None,
    vmin: float = -60.0,
    peak: float | None = None,
    norm: Any = None,
) -> Any:
    """f-k amplitude spectrum (dB) of one gather: f >= 0 downward, k centred.

    Parameters
    ----------
    data : ndarray, shape (n_trace, n_time)
    dt : float
        Sample interval, s.
    dx : float, optional
        Trace spacing, m (k in cycles/m; else cycles/trace).
    ax : matplotlib Axes, optional
    title : str, optional
    vmin : float
        Lowest dB shown (the scale runs from ``vmin`` to 0 dB).
    peak : float, optional
        Amplitude that is 0 dB (see :func:`seisfill.qc.spectra.fk_spectrum`);
        default the spectrum's own peak.
    norm : matplotlib.colors.Normalize, optional
        The dB colour scale, to share one between panels (overrides ``vmin``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _figure_and_axes(ax, (5, 4))
    db, freq, k = fk_spectrum(data, dt, dx, peak=peak)
    dk = (k[1] - k[0]) if k.size > 1 else 1.0
    scale = {"norm": norm} if norm is not None else {"vmin": vmin, "vmax": 0.0}
    ax.imshow(db, aspect="auto", cmap="viridis", origin="upper", **scale,
              extent=(k[0] - dk / 2, k[-1] + dk / 2, freq[-1], freq[0]), interpolation="nearest")
    ax.set_xlabel("wavenumber (cycles/m)" if dx else "wavenumber (cycles/trace)")
    ax.set_ylabel("frequency (Hz)")
    if title:
        ax.set_title(title)
    return fig


def label_traces(ax: Any, x: np.ndarray | None, xlabel: str = "trace") -> None:
    """Label a panel drawn at trace positions 0, 1, ... with a header value per trace.

    The ticks stay on whole traces and read ``x[trace]`` (an offset, inline,
    channel...), so an irregular coordinate is labelled truthfully while
    every trace keeps the same width.

    Parameters
    ----------
    ax : matplotlib Axes
        A panel whose horizontal axis is the trace position.
    x : ndarray, shape (n_trace,), optional
        Header value of each trace; None keeps the trace numbers.
    xlabel : str
        Axis label (the header word, e.g. the gather's sort key).
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.set_xlabel(xlabel)
    if x is None:
        return
    values = np.asarray(x)

    def header_value(position: float, _: Any) -> str:
        i = int(round(position))
        if abs(position - i) > 1e-6 or not 0 <= i < values.size:
            return ""
        value = values[i]
        if np.issubdtype(values.dtype, np.floating):
            return f"{value:.10g}" if np.isfinite(value) else ""
        return str(value)

    ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(header_value))
