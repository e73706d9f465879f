"""Simulated decimation: seeded keep masks of traces removed on purpose.

Each ``decimate_*`` function returns a boolean *keep* mask (``True`` = trace
kept / live, ``False`` = trace removed), used to simulate missing traces for
tests, benchmarks and network training.  The string language that names them
(``"random50"``, ``"gap16x2"``) is in :mod:`seisfill.masks.specs`.

Shapes
------
``shape`` is either ``n`` (one gather or 2-D line; the mask has shape
``(n,)``) or ``(n_inline, n_crossline)`` (a 3-D grid of traces; the mask has
that shape and whole traces are removed from the grid).

On grids the *axis patterns* (regular, jittered, gaps) take an ``axis``
argument: a single axis (default ``-1``, the crossline axis) removes whole
lines along that axis; ``axis=(0, 1)`` acts on both axes at once (regular: a
sub-grid; jittered: one trace per ``every x every`` cell; gaps: square holes).
The *trace patterns* (random, dead channels) pick individual traces.

Every decimation keeps at least two live traces (along the decimated axis for
axis patterns) and raises :class:`~seisfill.errors.SeisfillError` when the
request makes that impossible.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from seisfill.errors import SeisfillError
from seisfill.masks._args import (
    AxisLike,
    SeedLike,
    ShapeLike,
    as_axes,
    as_rng,
    as_shape,
    check_fraction,
    check_int,
)

__all__ = [
    "decimate_random",
    "decimate_regular",
    "decimate_jittered",
    "decimate_gaps",
    "decimate_dead_channels",
]


def _require_live(keep: np.ndarray, what: str) -> np.ndarray:
    if np.count_nonzero(keep) < 2:
        raise SeisfillError(
            f"{what} on shape {keep.shape} would leave fewer than 2 live traces; "
            "remove fewer traces or use a larger gather"
        )
    return keep


def _along_axis(line: np.ndarray, shape: tuple[int, ...], axis: int) -> np.ndarray:
    """Broadcast a 1-D keep pattern along ``axis`` of ``shape`` (whole lines)."""
    view = [1] * len(shape)
    view[axis] = line.size
    return np.broadcast_to(line.reshape(view), shape).copy()


# ---------------------------------------------------------------------------
# Decimation: placing runs of missing traces
# ---------------------------------------------------------------------------


def _place_runs(
    n: int, lengths: np.ndarray, rng: np.random.Generator, interior: bool, what: str
) -> np.ndarray:
    """Random start positions of non-touching runs of missing traces.

    The ``n - sum(lengths)`` kept traces define ``n_kept + 1`` slots (before
    the first kept trace, between two, after the last); each run takes its own
    slot, chosen uniformly, so runs never touch.  With ``interior`` the two end
    slots are avoided when there are enough inner slots.

    Parameters
    ----------
    n : int
        Number of traces.
    lengths : numpy.ndarray of int, shape (n_runs,)
        Run lengths, in placement order (shuffle beforehand for random order).

    Returns
    -------
    numpy.ndarray of int, shape (n_runs,)
        Start index of each run, increasing.
    """
    n_runs = lengths.size
    n_kept = n - int(lengths.sum())
    if n_kept < 2:
        raise SeisfillError(f"{what} removes {n - n_kept} of {n} traces; at least 2 must stay live")
    if n_runs > n_kept + 1:
        raise SeisfillError(
            f"{what}: {n_runs} separate runs of missing traces do not fit between "
            f"the {n_kept} live traces of a line of {n}"
        )
    if interior and n_runs <= n_kept - 1:
        slots = np.arange(1, n_kept)
    else:
        slots = np.arange(0, n_kept + 1)
    chosen = np.sort(rng.choice(slots, size=n_runs, replace=False))
    return chosen + np.cumsum(lengths) - lengths


def _runs_to_keep(n: int, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Keep mask of length ``n`` with ``lengths[i]`` traces removed from ``starts[i]``."""
    keep = np.ones(n, dtype=bool)
    total = int(lengths.sum())
    if total:
        first = np.repeat(starts, lengths)
        within = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        keep[first + within] = False
    return keep


# ---------------------------------------------------------------------------
# Decimation patterns
# ---------------------------------------------------------------------------


def decimate_random(shape: ShapeLike, fraction: float, seed: SeedLike) -> np.ndarray:
    """Remove exactly ``round(fraction * N)`` traces chosen uniformly at random.

    Parameters
    ----------
    shape : int or tuple of int
        ``n`` or ``(n_inline, n_crossline)``; ``N`` is the total trace count.
    fraction : float
        Fraction of traces removed, in ``[0, 1]`` (Python ``round``: half to even).
    seed : int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray of bool, shape ``shape``
        Keep mask.
    """
    dims = as_shape(shape)
    fraction = check_fraction(fraction, "fraction")
    rng = as_rng(seed, "random decimation")
    n = math.prod(dims)
    n_missing = round(fraction * n)
    if n - n_missing < 2:
        raise SeisfillError(
            f"random decimation of {fraction:.0%} removes {n_missing} of {n} traces; "
            "at least 2 must stay live"
        )
    keep = np.ones(n, dtype=bool)
    keep[rng.choice(n, size=n_missing, replace=False)] = False
    return keep.reshape(dims)


def decimate_regular(
    shape: ShapeLike,
    every: int,
    seed: SeedLike | None = None,
    offset: int | tuple[int, ...] | None = None,
    *,
    axis: AxisLike = -1,
) -> np.ndarray:
    """Keep every ``every``-th trace (``every=2`` removes half).

    Parameters
    ----------
    shape : int or tuple of int
        ``n`` or ``(n_inline, n_crossline)``.
    every : int
        Decimation factor, at least 1 (1 keeps everything).
    seed : int or numpy.random.Generator, optional
        Draw a random offset in ``[0, every)`` when ``offset`` is not given;
        without either the offset is 0 (first trace kept).
    offset : int or tuple of int, optional
        Index of the first kept trace (per axis when ``axis`` has two axes).
    axis : int or tuple of int, default -1
        On grids: a single axis keeps every ``every``-th whole line along it;
        ``(0, 1)`` keeps the regular sub-grid (``1 / every**2`` of the traces).

    Returns
    -------
    numpy.ndarray of bool, shape ``shape``
        Keep mask.
    """
    dims = as_shape(shape)
    every = check_int(every, "every", 1)
    axes = as_axes(axis, len(dims))
    if offset is None:
        rng = None if seed is None else as_rng(seed, "regular decimation")
        offsets = [0 if rng is None else int(rng.integers(every)) for _ in axes]
        if len(axes) == 1 and every > 1 and dims[axes[0]] < 2 * every:
            raise SeisfillError(
                f"regular decimation by {every} along an axis of {dims[axes[0]]} traces "
                f"needs at least {2 * every} traces to keep 2 live"
            )
    else:
        raw = (offset,) * len(axes) if isinstance(offset, numbers.Integral) else tuple(offset)
        if len(raw) != len(axes):
            raise SeisfillError(f"offset {offset!r} needs one value per decimated axis {axes}")
        offsets = [check_int(o, "offset", 0) for o in raw]
        if any(o >= every for o in offsets):
            raise SeisfillError(f"offset {offset!r} must be smaller than every={every}")
    keep = np.ones(dims, dtype=bool)
    for ax, off in zip(axes, offsets, strict=True):
        line = np.zeros(dims[ax], dtype=bool)
        line[off::every] = True
        if len(axes) == 1 and np.count_nonzero(line) < 2:
            raise SeisfillError(
                f"regular decimation by {every} from offset {off} keeps fewer than 2 of "
                f"{dims[ax]} traces"
            )
        keep &= _along_axis(line, dims, ax)
    return _require_live(keep, f"regular decimation by {every}")


def decimate_jittered(
    shape: ShapeLike, every: int, seed: SeedLike, *, axis: AxisLike = -1
) -> np.ndarray:
    """Jittered decimation (Hennenfent & Herrmann, 2008).

    The traces are cut into consecutive cells of ``every`` traces (the last
    cell may be shorter) and exactly one trace per cell is kept, at a uniformly
    random position inside it.  Like regular decimation it keeps about
    ``1 / every`` of the traces, but without the regular aliasing, and the
    distance between two consecutive kept traces stays below ``2 * every``.

    Parameters
    ----------
    shape : int or tuple of int
        ``n`` or ``(n_inline, n_crossline)``.
    every : int
        Cell size, at least 1 (1 keeps everything).
    seed : int or numpy.random.Generator
    axis : int or tuple of int, default -1
        On grids: a single axis keeps one whole line per cell of lines along
        it; ``(0, 1)`` keeps one trace per ``every x every`` cell of the grid.

    Returns
    -------
    numpy.ndarray of bool, shape ``shape``
        Keep mask.
    """
    dims = as_shape(shape)
    every = check_int(every, "every", 1)
    axes = as_axes(axis, len(dims))
    rng = as_rng(seed, "jittered decimation")
    if len(axes) == 1 and every > 1 and dims[axes[0]] <= every:
        raise SeisfillError(
            f"jittered decimation by {every} along an axis of {dims[axes[0]]} traces keeps "
            f"only 1; it needs more than {every} traces"
        )
    cells = [np.arange(0, dims[ax], every) for ax in axes]
    sizes = [np.minimum(every, dims[ax] - c) for ax, c in zip(axes, cells, strict=True)]
    if len(axes) == 1:
        line = np.zeros(dims[axes[0]], dtype=bool)
        line[cells[0] + rng.integers(0, sizes[0])] = True
        keep = _along_axis(line, dims, axes[0])
    else:
        grid = (cells[0].size, cells[1].size)
        pos0 = cells[0][:, None] + rng.integers(0, sizes[0][:, None], size=grid)
        pos1 = cells[1][None, :] + rng.integers(0, sizes[1][None, :], size=grid)
        keep = np.zeros(dims, dtype=bool)
        keep[pos0, pos1] = True
    return _require_live(keep, f"jittered decimation by {every}")


def decimate_gaps(
    shape: ShapeLike,
    gap: int,
    seed: SeedLike,
    n_gaps: int = 1,
    *,
    axis: AxisLike = -1,
) -> np.ndarray:
    """Remove ``n_gaps`` runs of exactly ``gap`` consecutive traces.

    Runs are placed uniformly at random among the arrangements where they
    neither touch each other nor the first or last trace (interior gaps, the
    hard case for interpolation); if there is no room for that, runs may touch
    the ends, but never each other.

    Parameters
    ----------
    shape : int or tuple of int
        ``n`` or ``(n_inline, n_crossline)``.
    gap : int
        Length of each run of missing traces, at least 1.
    seed : int or numpy.random.Generator
    n_gaps : int, default 1
        Number of runs.
    axis : int or tuple of int, default -1
        On grids: a single axis removes runs of ``gap`` whole lines along it;
        ``(0, 1)`` cuts ``gap x gap`` square holes (on separate, non-adjacent
        inline ranges, interior along both axes when there is room).

    Returns
    -------
    numpy.ndarray of bool, shape ``shape``
        Keep mask.
    """
    dims = as_shape(shape)
    gap = check_int(gap, "gap", 1)
    n_gaps = check_int(n_gaps, "n_gaps", 1)
    axes = as_axes(axis, len(dims))
    rng = as_rng(seed, "gap decimation")
    what = f"{n_gaps} gap(s) of {gap} traces"
    lengths = np.full(n_gaps, gap, dtype=np.intp)
    starts = _place_runs(dims[axes[0]], lengths, rng, interior=True, what=what)
    if len(axes) == 1:
        line = _runs_to_keep(dims[axes[0]], starts, lengths)
        return _along_axis(line, dims, axes[0])
    n_cols = dims[1]
    if gap > n_cols:
        raise SeisfillError(f"{what}: a hole of {gap} does not fit in {n_cols} crosslines")
    lo, hi = (1, n_cols - gap - 1) if n_cols - gap >= 2 else (0, n_cols - gap)
    cols = rng.integers(lo, hi + 1, size=n_gaps)
    keep = np.ones(dims, dtype=bool)
    for r, c in zip(starts, cols, strict=True):
        keep[r : r + gap, c : c + gap] = False
    return _require_live(keep, what)


_CABLE_GAP_PROB = 0.2  # chance, per line, of one long cable gap
_CABLE_GAP_RANGE = (6, 48)  # its length, at most half the line's missing budget
_CLUSTER_SHARE = 0.3  # share of the remaining budget spent on 2-4 trace clusters


def decimate_dead_channels(shape: ShapeLike, fraction: float, seed: SeedLike) -> np.ndarray:
    """Realistic field pattern of dead channels.

    Exactly ``round(fraction * N)`` traces are removed.  Per line (the whole
    ``n``, or each inline of a grid, taken as a cable along the crossline axis,
    with the total spread evenly over the inlines), the missing budget is made
    of: with probability 0.2, one long cable gap of 6-48 traces (at most half
    of the line's budget, so only when the budget is 12 or more); then about
    30 % of the rest as clusters of 2-4 adjacent dead channels; the remainder as
    isolated dead channels.  Runs are placed at random and never touch, so
    clusters and isolated channels keep their size; only when the request is
    so dense that they cannot be separated are runs merged into longer ones.

    Parameters
    ----------
    shape : int or tuple of int
        ``n`` or ``(n_inline, n_crossline)``.
    fraction : float
        Fraction of traces removed, in ``[0, 1]``.
    seed : int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray of bool, shape ``shape``
        Keep mask.
    """
    dims = as_shape(shape)
    fraction = check_fraction(fraction, "fraction")
    rng = as_rng(seed, "dead-channel decimation")
    lines = dims[0] if len(dims) == 2 else 1
    n = dims[-1]
    total = round(fraction * n * lines)
    per_line = np.full(lines, total // lines, dtype=np.intp)
    per_line[rng.choice(lines, size=total - int(per_line.sum()), replace=False)] += 1
    keep = np.empty((lines, n), dtype=bool)
    for i, m in enumerate(per_line):
        lengths = _dead_channel_runs(n, int(m), rng)
        starts = _place_runs(
            n, lengths, rng, interior=False, what=f"dead channels ({fraction:.0%})"
        )
        keep[i] = _runs_to_keep(n, starts, lengths)
    return keep.reshape(dims)


def _dead_channel_runs(n: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """Run lengths (shuffled) adding up to ``m`` missing traces on a line of ``n``."""
    runs: list[np.ndarray] = []
    budget = m
    lo, hi = _CABLE_GAP_RANGE
    if budget // 2 >= lo and rng.random() < _CABLE_GAP_PROB:
        cable = int(rng.integers(lo, min(hi, budget // 2) + 1))
        runs.append(np.array([cable]))
        budget -= cable
    cluster_budget = round(_CLUSTER_SHARE * budget)
    sizes = rng.integers(2, 5, size=cluster_budget // 2 + 1)
    sizes = sizes[np.cumsum(sizes) <= cluster_budget]
    runs.append(sizes)
    budget -= int(sizes.sum())
    runs.append(np.ones(budget, dtype=np.intp))
    lengths = rng.permutation(np.concatenate(runs).astype(np.intp))
    slots = n - m + 1
    if lengths.size > slots > 0:  # too dense to keep every run separate: merge runs
        lengths = np.bincount(np.arange(lengths.size) % slots, weights=lengths).astype(np.intp)
    return lengths
