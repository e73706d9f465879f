"""3D QC: inline, crossline and time-slice views of a cube with its dead-trace map."""

from __future__ import annotations

from typing import Any

import numpy as np

from seisfill.qc.panels import _figure_and_axes, colour_map, plot_gather, symmetric_clip

__all__ = ["plot_cube", "plot_dead_map"]


def plot_dead_map(
    live: np.ndarray,
    *,
    ax: Any = None,
    inlines: np.ndarray | None = None,
    crosslines: np.ndarray | None = None,
    filled: np.ndarray | None = None,
    title: str = "dead-trace map",
) -> Any:
    """Map of live (grey), dead (red) and filled (blue) traces over the survey grid.

    Parameters
    ----------
    live : ndarray of bool, shape (n_inline, n_crossline)
    ax : matplotlib Axes, optional
    inlines, crosslines : ndarray, shape (n_inline,) / (n_crossline,), optional
        Line numbers for the axes (default indices).
    filled : ndarray of bool, shape (n_inline, n_crossline), optional
        Traces that got new samples (drawn blue instead of red).
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.colors import ListedColormap

    fig, ax = _figure_and_axes(ax, (5, 5))
    live = np.asarray(live, bool)
    state = np.where(live, 0, 1)
    if filled is not None:
        state = np.where(np.asarray(filled, bool) & ~live, 2, state)
    il, xl = _line_numbers(live.shape, inlines, crosslines)
    ax.imshow(state, cmap=ListedColormap(["0.8", "tab:red", "tab:blue"]), vmin=0, vmax=2,
              origin="lower", aspect="auto", interpolation="nearest", extent=_extent(xl, il))
    ax.set_xlabel("crossline")
    ax.set_ylabel("inline")
    key = "red: dead" + ("" if filled is None else ", blue: filled")
    ax.set_title(f"{title} ({int((~live).sum())} of {live.size} not live; {key})")
    return fig


def plot_cube(
    cube: np.ndarray,
    live: np.ndarray,
    dt: float,
    *,
    inline: int | None = None,
    crossline: int | None = None,
    time_index: int | None = None,
    inlines: np.ndarray | None = None,
    crosslines: np.ndarray | None = None,
    filled: np.ndarray | None = None,
    cmap: str = "grey",
    percentile: float = 98.0,
    title: str = "",
) -> Any:
    """Inline section, crossline section, time slice and dead-trace map of a cube.

    Parameters
    ----------
    cube : ndarray, shape (n_inline, n_crossline, n_time)
    live : ndarray of bool, shape (n_inline, n_crossline)
    dt : float
        Sample interval, s.
    inline, crossline, time_index : int, optional
        Indices (not line numbers) of the sections shown; default the middle.
    inlines, crosslines : ndarray, optional
        Line numbers for the axes.
    filled : ndarray of bool, shape (n_inline, n_crossline), optional
        Traces that got new samples (marked on the map and the sections).
    cmap : str
        ``grey`` or ``seismic``.
    percentile : float
        Clip percentile over the whole cube.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
        Four axes: inline, crossline, time slice, dead-trace map.
    """
    from matplotlib.figure import Figure

    cube = np.asarray(cube)
    live = np.asarray(live, bool)
    if cube.ndim != 3 or live.shape != cube.shape[:2]:
        raise ValueError(f"cube must be (n_inline, n_crossline, n_time) with live (n_inline, n_crossline); "
                         f"got {cube.shape} and {live.shape}")
    n_il, n_xl, n_t = cube.shape
    i = n_il // 2 if inline is None else int(inline)
    j = n_xl // 2 if crossline is None else int(crossline)
    k = n_t // 2 if time_index is None else int(time_index)
    il, xl = _line_numbers(live.shape, inlines, crosslines)
    clip = symmetric_clip(cube, percentile)
    gaps = ~live if filled is None else (~live | np.asarray(filled, bool))
    fig = Figure(figsize=(14, 9), layout="constrained")
    axes = fig.subplots(2, 2)
    plot_gather(cube[i], dt, ax=axes[0, 0], clip=clip, cmap=cmap, missing=gaps[i], x=xl,
                xlabel="crossline", title=f"inline {il[i]:g}")
    plot_gather(cube[:, j], dt, ax=axes[0, 1], clip=clip, cmap=cmap, missing=gaps[:, j], x=il,
                xlabel="inline", title=f"crossline {xl[j]:g}")
    ax = axes[1, 0]
    ax.imshow(cube[:, :, k], cmap=colour_map(cmap), vmin=-clip, vmax=clip, origin="lower",
              aspect="auto", interpolation="nearest", extent=_extent(xl, il))
    ax.axhline(il[i], color="tab:orange", linewidth=0.8)
    ax.axvline(xl[j], color="tab:orange", linewidth=0.8)
    ax.set_xlabel("crossline")
    ax.set_ylabel("inline")
    ax.set_title(f"time slice {k * dt * 1e3:g} ms")
    plot_dead_map(live, ax=axes[1, 1], inlines=il, crosslines=xl, filled=filled)
    if title:
        fig.suptitle(title)
    return fig


def _line_numbers(shape: tuple[int, ...], inlines: Any, crosslines: Any) -> tuple[np.ndarray, np.ndarray]:
    il = np.arange(shape[0], dtype=float) if inlines is None else np.asarray(inlines, dtype=float)
    xl = np.arange(shape[1], dtype=float) if crosslines is None else np.asarray(crosslines, dtype=float)
    return il, xl


def _extent(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """imshow extent with pixel centres on the given (regular) coordinates."""
    hx = 0.5 * (x[1] - x[0]) if x.size > 1 else 0.5
    hy = 0.5 * (y[1] - y[0]) if y.size > 1 else 0.5
    return (x[0] - hx, x[-1] + hx, y[0] - hy, y[-1] + hy)
