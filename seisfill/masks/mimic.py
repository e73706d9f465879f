"""Hide live traces in the pattern of a survey's real gaps (the self-check of ``auto`` and ``--adapt``).

:func:`mimic_gaps` picks live traces to hide so that, gather by gather, the
hidden set looks like the real gaps: the same lengths of runs of consecutive
missing traces (single traces, runs of 8...), a regular lattice where the real
gaps are regular (every N-th trace missing), random placement otherwise.  A
method that restores the hidden traces well is then expected to fill the real
gaps well.  Pure numpy, deterministic given the generator.
"""

from __future__ import annotations

import numpy as np

from seisfill.errors import SeisfillError
from seisfill.masks.runs import true_runs

__all__ = ["mimic_gaps", "gap_lengths"]

#: traces a gather keeps live, whatever is hidden
_MIN_LIVE = 2


def gap_lengths(live: np.ndarray, gaps: np.ndarray | None = None) -> np.ndarray:
    """Lengths of the runs of consecutive gap traces, over every row, shape (n_runs,).

    Parameters
    ----------
    live : numpy.ndarray of bool, shape (..., n_trace)
    gaps : numpy.ndarray of bool, shape live.shape, optional
        The real gaps (default: every non-live trace).
    """
    gaps = ~np.asarray(live, dtype=bool) if gaps is None else np.asarray(gaps, dtype=bool)
    rows = gaps.reshape(-1, gaps.shape[-1]) if gaps.ndim else gaps.reshape(1, 1)
    return np.array([n for row in rows for _, n in true_runs(row)], dtype=np.int64)


def mimic_gaps(
    live: np.ndarray, share: float, rng: np.random.Generator, gaps: np.ndarray | None = None
) -> np.ndarray:
    """Live traces to hide, shaped like the real gaps of each gather.

    Parameters
    ----------
    live : numpy.ndarray of bool, shape (..., n_trace)
        Recorded traces of each gather (row).
    share : float
        Fraction of each row's live traces to hide, in (0, 1), in whole runs:
        the nearest total that whole runs give (at least one run).
    rng : numpy.random.Generator
        The only source of randomness: the same state gives the same set.
    gaps : numpy.ndarray of bool, shape live.shape, optional
        The real gaps, whose pattern is copied (default: every non-live
        trace; pass the fill targets to leave padding out).

    Returns
    -------
    numpy.ndarray of bool, shape live.shape
        Hidden traces: all live; runs of hidden traces never touch each other;
        every row keeps at least 2 live traces (rows with fewer than 3 hide none).

    Notes
    -----
    Per row: where the gaps are *regular* (every gap of one length ``L``,
    every live run of one length, at least 3 gaps), every ``k``-th live run
    (``k`` from ``share``, random offset) is hidden -- a coarser lattice of
    the same kind.  Otherwise run lengths are drawn from the row's own gap
    lengths (a row without gaps draws from all rows', a survey without gaps
    hides single traces) and each run is placed uniformly among the live
    stretches it fits in, away from other hidden runs -- and, where there is
    room, away from the real gaps too, so that it is a gap of its own length.
    """
    live = np.asarray(live, dtype=bool)
    if not 0.0 < float(share) < 1.0:
        raise SeisfillError(f"share of live traces to hide must be in (0, 1), got {share}")
    gaps = ~live if gaps is None else np.asarray(gaps, dtype=bool) & ~live
    if gaps.shape != live.shape:
        raise SeisfillError(f"gaps of shape {gaps.shape} do not match live traces of shape {live.shape}")
    pooled = gap_lengths(live, gaps)
    if pooled.size == 0:
        pooled = np.ones(1, dtype=np.int64)
    rows_live = live.reshape(-1, live.shape[-1])
    rows_gaps = gaps.reshape(rows_live.shape)
    hidden = np.zeros_like(rows_live)
    for r in range(rows_live.shape[0]):
        hidden[r] = _hide_row(rows_live[r], rows_gaps[r], float(share), pooled, rng)
    return hidden.reshape(live.shape)


def _hide_row(live: np.ndarray, gaps: np.ndarray, share: float, pooled: np.ndarray,
              rng: np.random.Generator) -> np.ndarray:
    hidden = np.zeros_like(live)
    n_live = int(live.sum())
    cap = n_live - _MIN_LIVE
    budget = min(max(1, round(share * n_live)), cap)
    if budget <= 0:
        return hidden
    gap_runs = true_runs(gaps)
    live_runs = true_runs(live)
    inner_gaps = [(a, n) for a, n in gap_runs if a > 0 and a + n < live.size]  # runs cut by the row's ends aside
    if _regular(inner_gaps, live_runs):
        return _lattice(live_runs, share, budget, rng, hidden)
    lengths = np.array([n for _, n in gap_runs], dtype=np.int64) if gap_runs else pooled
    n_hidden = 0
    misses = 0
    while n_hidden < budget and misses < 8:
        length = int(min(lengths[rng.integers(lengths.size)], cap - n_hidden))
        # whole runs only (their lengths are the point): stop where one more overshoots more than it helps
        if n_hidden and n_hidden + length - budget > budget - n_hidden:
            break
        start = _place(live, hidden, length, rng)
        while start < 0 and length > 1:  # no live stretch that long left: the longest run that fits
            length -= 1
            start = _place(live, hidden, length, rng)
        if start < 0:
            misses += 1
            continue
        hidden[start : start + length] = True
        n_hidden += length
    return hidden


def _regular(gap_runs: list[tuple[int, int]], live_runs: list[tuple[int, int]]) -> bool:
    """At least 3 gaps, all of one length, and every live run between the first and last gap of one length."""
    if len(gap_runs) < 3 or len({n for _, n in gap_runs}) != 1:
        return False
    first, last = gap_runs[0][0], gap_runs[-1][0]
    between = {n for a, n in live_runs if first < a < last}
    return len(between) == 1


def _lattice(live_runs: list[tuple[int, int]], share: float, budget: int, rng: np.random.Generator,
             hidden: np.ndarray) -> np.ndarray:
    """Every k-th live run hidden, from a random offset (a coarser lattice of the real one)."""
    every = max(2, round(1.0 / share))
    offset = int(rng.integers(every))
    n_hidden = 0
    for a, n in live_runs[offset::every]:
        if n_hidden + n > budget:
            break
        hidden[a : a + n] = True
        n_hidden += n
    return hidden


def _place(live: np.ndarray, hidden: np.ndarray, length: int, rng: np.random.Generator) -> int:
    """A random start of ``length`` live traces in a row, not touching a hidden run; -1 if none.

    Runs that touch no real gap either come first: there the hidden run is a gap of its
    own length, as the real gaps are, not a lengthened real gap.
    """
    free = live & ~hidden
    if length > free.size:
        return -1
    for avoid in (~live | hidden, hidden):
        near = avoid.copy()
        near[1:] |= avoid[:-1]
        near[:-1] |= avoid[1:]
        ok = free & ~near
        # starts whose `length` traces are all ok: a sliding sum
        counts = np.convolve(ok.astype(np.int64), np.ones(length, dtype=np.int64), mode="valid")
        starts = np.flatnonzero(counts == length)
        if starts.size:
            return int(starts[rng.integers(starts.size)])
    return -1
