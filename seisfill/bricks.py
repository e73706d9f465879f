"""Bricks of a cube with a halo, and their blending across seams.

A 3-D method (3-D POCS, a 3-D network) on a cube too large for one call works
on bricks: blocks of whole inlines (or gathers, for a stack of gathers), each
filled with ``halo`` neighbouring inlines of context on both sides.  Where two
neighbouring bricks meet, the slots within ``w = min(halo, size // 2)`` rows of
the seam are filled by both; their two estimates are blended with sine-squared
weights that sum to one (the left brick's weight falls from 1 to 0 across the
``2 w`` rows), so the result has no seam.  Every other slot comes from the one
brick whose core holds it.

Only bricks whose core holds a slot to fill are computed; a seam is blended
only between two computed bricks.  The same plan and the same float32
arithmetic serve :func:`seisfill.fill` on a dask-backed cube (lazily, one Dask
task per brick) and the streaming ``seisfill fill --workers`` path
(:mod:`seisfill.parallel`), so both give the same bytes.  This module knows
nothing of methods: the function that fills one brick is passed in
(:func:`seisfill.core.fill_block` with the method and its options).

Crosslines (traces within a gather) are never cut: a brick holds them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from seisfill.errors import SeisfillError
from seisfill.windows import ramp

__all__ = ["Brick", "plan_bricks", "seam_weights", "blend", "needed_target", "assemble_core", "fill_bricks_lazy"]


@dataclass(frozen=True)
class Brick:
    """One brick: core rows ``[a, b)``, read rows ``[lo, hi)``.

    ``left`` / ``right`` are the half-widths of the blended zones at its two
    seams (0 where the neighbour is not computed or at the cube's edge): the
    brick's estimate is needed on rows ``[a - left, b + right)``, of which it
    alone decides ``[a + left, b - right)``.
    """

    a: int
    b: int
    lo: int
    hi: int
    left: int
    right: int

    @property
    def needed(self) -> tuple[int, int]:
        """Rows where this brick's estimate is used (alone or blended)."""
        return self.a - self.left, self.b + self.right

    @property
    def own(self) -> tuple[int, int]:
        """Rows that take this brick's estimate alone."""
        return self.a + self.left, self.b - self.right

    def zone_rows(self) -> np.ndarray:
        """Which read rows ``[lo, hi)`` lie in one of the brick's seam zones, shape (hi - lo,)."""
        rows = np.arange(self.lo, self.hi)
        return ((rows >= self.a - self.left) & (rows < self.a + self.left)) | (
            (rows >= self.b - self.right) & (rows < self.b + self.right)
        )


def plan_bricks(bounds: Sequence[tuple[int, int]], has_target: np.ndarray, halo: int) -> list[Brick]:
    """The bricks to compute.

    Parameters
    ----------
    bounds : sequence of (a, b)
        Consecutive core row ranges covering ``[0, n)`` (``b`` of one is ``a``
        of the next).
    has_target : numpy.ndarray of bool, shape (n,)
        Rows holding at least one slot to fill.
    halo : int
        Rows of context read on each side of a core.

    Returns
    -------
    list of Brick
        Only the bricks whose core holds a target, in row order.
    """
    if int(halo) < 0:
        raise SeisfillError(f"halo must be >= 0, got {halo}")
    n = int(has_target.size)
    halo = int(halo)
    keep = [(a, b) for a, b in bounds if has_target[a:b].any()]
    bricks = []
    for i, (a, b) in enumerate(keep):
        prev = keep[i - 1] if i > 0 and keep[i - 1][1] == a else None
        nxt = keep[i + 1] if i + 1 < len(keep) and keep[i + 1][0] == b else None
        left = min(halo, (b - a) // 2, (prev[1] - prev[0]) // 2) if prev else 0
        right = min(halo, (b - a) // 2, (nxt[1] - nxt[0]) // 2) if nxt else 0
        bricks.append(Brick(a, b, max(0, a - halo), min(n, b + halo), left, right))
    return bricks


def seam_weights(width: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights of the left and right brick over the ``2 * width`` rows around a seam.

    Returns
    -------
    left, right : numpy.ndarray of float32, shape (2 * width,)
        The falling and the rising sine-squared ramp of :func:`seisfill.windows.ramp`
        (``cos^2`` and ``sin^2`` of a quarter turn sampled at row centres); they sum to 1.
    """
    falling = ramp(2 * width)[::-1]  # float64; cast once, the right weight as its complement
    return falling.astype(np.float32), (1.0 - falling).astype(np.float32)


def blend(left_values: np.ndarray, right_values: np.ndarray, rows: np.ndarray, width: int) -> np.ndarray:
    """Blend the two bricks' estimates of the slots in a seam zone.

    Parameters
    ----------
    left_values, right_values : numpy.ndarray, shape (m, n_time)
        Estimates of the same ``m`` slots by the left and the right brick.
    rows : numpy.ndarray of int, shape (m,)
        Each slot's row within the zone, ``0 <= rows < 2 * width``.
    width : int
        Half-width of the zone.

    Returns
    -------
    numpy.ndarray of float32, shape (m, n_time)
    """
    wl, wr = seam_weights(width)
    a = np.asarray(left_values, dtype=np.float32)
    b = np.asarray(right_values, dtype=np.float32)
    return (wl[rows][:, None] * a + wr[rows][:, None] * b).astype(np.float32, copy=False)


def needed_target(brick: Brick, target: np.ndarray) -> np.ndarray:
    """``target[lo:hi]`` restricted to the rows where the brick's estimate is used."""
    lo, hi = brick.needed
    out = np.array(target[brick.lo : brick.hi], dtype=bool, copy=True)
    rows = np.arange(brick.lo, brick.hi)
    out[(rows < lo) | (rows >= hi)] = False
    return out


def assemble_core(
    brick: Brick,
    original: np.ndarray,
    target: np.ndarray,
    estimate: np.ndarray,
    prev: tuple[Brick, np.ndarray] | None = None,
    nxt: tuple[Brick, np.ndarray] | None = None,
) -> np.ndarray:
    """The filled core rows ``[a, b)`` of a brick, blended with its neighbours at the seams.

    Parameters
    ----------
    brick : Brick
    original : numpy.ndarray, shape (b - a, n_trace, n_time)
        The input's core rows (live traces are kept from here, bit for bit).
    target : numpy.ndarray of bool, shape (b - a, n_trace)
    estimate : numpy.ndarray, shape (hi - lo, n_trace, n_time)
        This brick's estimate (the block function's result on rows ``[lo, hi)``).
    prev, nxt : (Brick, estimate), optional
        The computed neighbours that share a seam zone with this brick.

    Returns
    -------
    numpy.ndarray, shape (b - a, n_trace, n_time), the dtype of ``original``
    """
    out = np.array(original, copy=True)
    a, b = brick.a, brick.b
    own_lo, own_hi = brick.own
    sel = np.zeros(target.shape, dtype=bool)
    sel[own_lo - a : own_hi - a] = target[own_lo - a : own_hi - a]
    out[sel] = estimate[brick.a - brick.lo :][: b - a][sel]
    if brick.left and prev is not None:
        pb, pest = prev
        zone = np.zeros(target.shape, dtype=bool)
        zone[: brick.left] = target[: brick.left]
        r, c = np.nonzero(zone)
        left_vals = pest[r + a - pb.lo, c]
        right_vals = estimate[r + a - brick.lo, c]
        out[r, c] = blend(left_vals, right_vals, r + brick.left, brick.left)
    if brick.right and nxt is not None:
        nb, nest = nxt
        zone = np.zeros(target.shape, dtype=bool)
        zone[b - a - brick.right :] = target[b - a - brick.right :]
        r, c = np.nonzero(zone)
        left_vals = estimate[r + a - brick.lo, c]
        right_vals = nest[r + a - nb.lo, c]
        out[r, c] = blend(left_vals, right_vals, r - (b - a - brick.right), brick.right)
    return out


#: a block function: (data (n, n_trace, n_time), live (n, n_trace), target (n, n_trace)) -> filled data
BlockFunction = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def fill_bricks_lazy(
    amplitude: Any, live: np.ndarray, target: np.ndarray, block: BlockFunction, halo: int
) -> Any:
    """Fill a dask-backed cube brick by brick, lazily, blending across seams.

    Parameters
    ----------
    amplitude : dask.array.Array, shape (n_rows, n_trace, n_time)
        Chunked along rows only (the chunks are the bricks' cores).
    live, target : numpy.ndarray of bool, shape (n_rows, n_trace)
    block : callable
        Fills one brick: ``block(data, live, target)`` with the brick's read
        rows and the slots whose estimate is needed (:func:`needed_target`);
        :func:`seisfill.core.fill_block` with a 3-D method and its options.
    halo : int
        Rows of context on each side of a brick.

    Returns
    -------
    dask.array.Array
        Same shape, dtype and row chunks as ``amplitude``; one task per brick
        estimate and one per output chunk.
    """
    import dask
    import dask.array as da

    bounds = []
    a = 0
    for size in amplitude.chunks[0]:
        bounds.append((a, a + size))
        a += size
    plan = plan_bricks(bounds, target.any(axis=1), halo)
    estimates = [
        dask.delayed(block, pure=True)(amplitude[br.lo : br.hi], live[br.lo : br.hi], needed_target(br, target))
        for br in plan
    ]
    at = {br.a: i for i, br in enumerate(plan)}  # a seam's neighbour is the next or previous brick of the plan
    blocks = []
    for a, b in bounds:
        core = amplitude[a:b]
        if a not in at:
            blocks.append(core)
            continue
        i = at[a]
        br = plan[i]
        prev = (plan[i - 1], estimates[i - 1]) if br.left else None
        nxt = (plan[i + 1], estimates[i + 1]) if br.right else None
        block = dask.delayed(assemble_core, pure=True)(br, core, target[a:b], estimates[i], prev, nxt)
        blocks.append(da.from_delayed(block, shape=core.shape, dtype=amplitude.dtype))
    return da.concatenate(blocks, axis=0)
