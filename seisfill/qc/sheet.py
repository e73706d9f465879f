"""The standard QC sheet: input | filled | reference | difference, f-k spectra, per-trace SNR."""

from __future__ import annotations

from typing import Any

import numpy as np

from seisfill.metrics import snr_per_trace
from seisfill.qc.panels import plot_fk, plot_gather, symmetric_clip

__all__ = ["qc_sheet"]


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
) -> Any:
    """One figure that shows what was filled and how well.

    Top row: the input with its gaps, the filled gather, the reference (when
    known) and the difference (filled - reference, else filled - input on the
    live traces, i.e. zero), all at the same clip.  Bottom row: f-k spectra of
    input, output and difference, and the per-trace SNR of the filled traces
    (when the reference is known).

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
    fig = Figure(figsize=(16, 9), layout="constrained")
    top = fig.subplots(2, 4, gridspec_kw={"height_ratios": [3, 2]})
    plot_gather(shown, dt, ax=top[0, 0], clip=clip, title="input (gaps)", missing=~live, cmap=cmap)
    plot_gather(filled, dt, ax=top[0, 1], clip=clip, title="filled", missing=~live, cmap=cmap)
    if reference is not None:
        plot_gather(reference, dt, ax=top[0, 2], clip=clip, title="reference", cmap=cmap)
    else:
        top[0, 2].set_axis_off()
        top[0, 2].text(0.5, 0.5, "no reference", ha="center", va="center", transform=top[0, 2].transAxes)
    plot_gather(diff, dt, ax=top[0, 3], clip=clip, title="difference (same clip)", cmap=cmap)
    plot_fk(shown, dt, dx=dx, ax=top[1, 0], title="f-k input")
    plot_fk(filled, dt, dx=dx, ax=top[1, 1], title="f-k filled")
    plot_fk(diff if np.any(diff) else filled * 0, dt, dx=dx, ax=top[1, 2], title="f-k difference")
    ax = top[1, 3]
    if reference is not None and np.any(~live):
        per = snr_per_trace(reference, filled)
        idx = np.flatnonzero(~live)
        ax.bar(idx, np.clip(per[idx], -10, 60), color="tab:red", width=1.0)
        ax.set_xlim(-0.5, live.size - 0.5)
        ax.set_xlabel("trace")
        ax.set_ylabel("SNR of filled trace (dB)")
        ax.set_title("per-trace SNR")
    else:
        ax.set_axis_off()
    if title:
        fig.suptitle(title)
    return fig
