"""Plan a file of contiguous gathers in one streaming pass: memory per gather, not per trace.

:func:`seisfill.read_segy` puts every trace of a file on a (gather, trace)
grid, which costs memory per trace (about 225 bytes at the peak of the sort
with ``headers="geometry"``): fine up to a few million traces, not for a
survey of hundreds of millions.  Most pre-stack files are already grouped --
each gather's traces follow one another -- and then a plan needs only, per
gather, its key value, first trace, trace count and number of traces to fill
(:class:`GatherRuns`, 32 bytes per gather).  :func:`plan_gather_runs` builds it
in one pass over the file, chunk by chunk, holding one chunk and one open
gather at a time.  A task then reads its own gathers' traces and puts them on
exactly the grid rows :func:`read_segy` would (:func:`read_gather_rows`): same
gather order (increasing key), same order within a gather (``sort`` key,
ties in file order), same width (the longest gather), same dead traces.

Key detection (no ``key``/``sort`` given) looks at the first
:data:`PREFIX_TRACES` traces, then the pass checks that the choice holds for the
whole file; files where it does not (a gather key whose values recur later, a
detected sort key that repeats within a gather), cubes and one-gather files
raise :class:`NotGrouped`, and the caller plans on the full grid instead.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from seisfill.errors import SeisfillError
from seisfill.io.geometry import GEOMETRY_WORDS, choose_keys, optional_field
from seisfill.io.headers import TRACE_HEADER_SIZE, parse_trace_headers
from seisfill.io.layout import SegyLayout, TraceReader
from seisfill.io.segy import trace_checks
from seisfill.masks import DeadReason, slot_live

__all__ = ["GatherRuns", "GatherRows", "NotGrouped", "plan_gather_runs", "read_gather_rows", "PREFIX_TRACES"]

#: traces whose headers choose the gather and sort keys when the user names none
PREFIX_TRACES = 100_000


class NotGrouped(Exception):
    """The file cannot be planned gather by gather (the message says why)."""


@dataclass
class GatherRuns:
    """Where each gather of a grouped file lies, and how much it needs filling.

    Attributes
    ----------
    gather_key, sort_key : str or None
        As :func:`seisfill.read_segy` chooses them (``sort_key`` None: file order).
    values : numpy.ndarray of int64, shape (n_gather,)
        Key value of each gather, in file order.
    first, count : numpy.ndarray of int64, shape (n_gather,)
        File index of each gather's first trace, and its number of traces.
    n_target : numpy.ndarray of int64, shape (n_gather,)
        Traces to fill (dead, in a gather with a live trace).
    n_traces : int
        Traces in the file.
    """

    gather_key: str
    sort_key: str | None
    values: np.ndarray
    first: np.ndarray
    count: np.ndarray
    n_target: np.ndarray
    n_traces: int

    @property
    def width(self) -> int:
        """Slots per gather row: the longest gather (shorter ones are padded)."""
        return int(self.count.max())

    @property
    def n_gathers(self) -> int:
        return int(self.values.size)

    def key_order(self) -> np.ndarray:
        """Gather indices in increasing key value: the order of :func:`read_segy`'s rows."""
        return np.argsort(self.values, kind="stable")


@dataclass
class GatherRows:
    """Some gathers on their grid rows, as :func:`read_segy` lays them out.

    Attributes
    ----------
    slot_trace : numpy.ndarray of int64, shape (k, width)
        File trace index in each slot, -1 for padding.
    live, pad : numpy.ndarray of bool, shape (k, width)
    data : numpy.ndarray of float32, shape (k, width, n_samples)
        Samples of every trace (dead ones included), zeros in padding.
    dead_reason : numpy.ndarray of uint8, shape (k, width)
        :class:`~seisfill.masks.DeadReason` bits, as ``read_segy``'s ``dead_reason``.
    """

    slot_trace: np.ndarray
    live: np.ndarray
    pad: np.ndarray
    data: np.ndarray
    dead_reason: np.ndarray


def _slot_order(sort_values: np.ndarray | None, c: int) -> np.ndarray:
    """Position in the gather (file order) of the trace in each slot, shape (c,).

    ``sort_values``: the sort word of the gather's ``c`` traces in file order
    (None: file order); ties keep file order, as :func:`seisfill.read_segy` does.
    """
    return np.arange(c) if sort_values is None else np.lexsort((np.arange(c), sort_values))


def _detect_keys(
    reader: TraceReader, key: str | None, sort: str | None, cube: bool | None, prefix: int
) -> tuple[str, str | None]:
    """Gather and sort keys as :func:`seisfill.io.geometry.detect_index` chooses them, from the first traces."""
    layout = reader.layout
    named = [optional_field(w) for w in (key, sort) if w is not None]
    words = sorted(set(GEOMETRY_WORDS) | {w for w in named if w is not None})
    n = min(layout.n_traces, prefix)
    step = max(1, (4 << 20) // layout.trace_size)
    parts = [  # chunk by chunk: the prefix's words only (40 bytes per trace), never its samples
        parse_trace_headers(reader.read_range(a, min(n, a + step))[:, :TRACE_HEADER_SIZE], layout.endian, words)
        for a in range(0, n, step)
    ]
    headers = {w: np.concatenate([p[w] for p in parts]) for w in words}
    kind, gather_key, sort_key = choose_keys(headers, key, sort, cube)
    if kind == "cube":
        raise NotGrouped("a post-stack cube is planned on its (inline, crossline) grid")
    if kind == "bins":
        raise NotGrouped("pre-stack 3-D bins are planned on the whole grid")
    if gather_key is None:
        raise NotGrouped("the file is one gather")
    return gather_key, sort_key


def plan_gather_runs(
    layout: SegyLayout,
    key: str | None = None,
    sort: str | None = None,
    *,
    cube: bool | None = None,
    rms_outlier: float | None = None,
    skip_empty: bool = False,
    filled_list: BinaryIO | None = None,
    prefix: int = PREFIX_TRACES,
    chunk_bytes: int = 4 << 20,
    on_chunk: Callable[[int], None] | None = None,
) -> GatherRuns:
    """One pass over a grouped file: each gather's place and its number of traces to fill.

    Parameters
    ----------
    layout : SegyLayout
    key, sort, cube, rms_outlier
        As for :func:`seisfill.read_segy`.
    skip_empty : bool
        As for :func:`seisfill.fill`: gathers without a live trace are left
        alone instead of raising.
    filled_list : binary file, optional
        Receives the file index (int64, native byte order, increasing) of every
        trace to fill.
    prefix : int
        Traces whose headers choose the keys when ``key``/``sort`` are not given.
    chunk_bytes : int
        Bytes read per call.
    on_chunk : callable, optional
        Called with the number of traces of each chunk read (progress).

    Returns
    -------
    GatherRuns

    Raises
    ------
    NotGrouped
        A cube, one gather, or gathers that are not contiguous in the file.
    SeisfillError
        A gather to fill holds no live trace (unless ``skip_empty``).
    """
    with TraceReader(layout) as reader:
        gather_key, sort_key = _detect_keys(reader, key, sort, cube, prefix)
        check_sort = sort is None and sort_key is not None  # detected: must stay unique within gathers
        words = [gather_key] + ([sort_key] if sort_key and sort_key != gather_key else [])
        values: list[int] = []
        firsts: list[int] = []
        counts: list[int] = []
        n_target: list[int] = []
        empty: list[int] = []
        n_nonfinite = 0
        # the open gather: its key, first trace and per-trace pieces from the chunks read so far
        open_key: int | None = None
        open_first = 0
        pieces: list[tuple[np.ndarray | None, np.ndarray, np.ndarray | None]] = []

        def close() -> None:
            sort_values = None if sort_key is None else np.concatenate([p[0] for p in pieces])
            reasons = np.concatenate([p[1] for p in pieces])
            log_rms = None if rms_outlier is None else np.concatenate([p[2] for p in pieces])
            if check_sort and np.unique(sort_values).size != sort_values.size:
                raise NotGrouped(f"{sort_key} repeats within {gather_key} {open_key}")
            order = _slot_order(sort_values, reasons.size)
            _, live = slot_live(reasons, order, log_rms=log_rms, rms_outlier=rms_outlier)
            target = ~live
            n = int(target.sum())
            if n and not (~target).any():
                empty.append(int(open_key))
                n = 0
            values.append(int(open_key))
            firsts.append(open_first)
            counts.append(reasons.size)
            n_target.append(n)
            if n and filled_list is not None:
                filled_list.write(np.sort(open_first + order[target]).astype(np.int64).tobytes())

        for start, raw in reader.iter_chunks(chunk_bytes):
            headers = parse_trace_headers(raw[:, :TRACE_HEADER_SIZE], layout.endian, words)
            _, reasons, log_rms = trace_checks(raw, layout, rms_outlier is not None)
            n_nonfinite += int(np.count_nonzero(reasons & DeadReason.NONFINITE))
            keys = headers[gather_key].astype(np.int64)
            sort_values = headers[sort_key] if sort_key else None
            bounds = np.concatenate(([0], np.flatnonzero(np.diff(keys)) + 1, [keys.size]))
            for a, b in zip(bounds[:-1], bounds[1:], strict=True):
                if open_key is None or keys[a] != open_key:
                    if open_key is not None:
                        close()
                    open_key, open_first, pieces = int(keys[a]), start + int(a), []
                pieces.append((
                    None if sort_values is None else sort_values[a:b].copy(),
                    reasons[a:b].copy(),
                    None if log_rms is None else log_rms[a:b].copy(),
                ))
            if on_chunk is not None:
                on_chunk(raw.shape[0])
        if open_key is None:
            raise SeisfillError(f"{layout.path}: the file holds no traces")
        close()
    runs = GatherRuns(
        gather_key, sort_key, np.array(values, dtype=np.int64), np.array(firsts, dtype=np.int64),
        np.array(counts, dtype=np.int64), np.array(n_target, dtype=np.int64), layout.n_traces,
    )
    if np.unique(runs.values).size != runs.n_gathers:
        raise NotGrouped(f"the traces of some {gather_key} gathers are not contiguous in the file")
    if runs.n_gathers == layout.n_traces:
        raise NotGrouped(f"every trace has its own {gather_key}")
    if empty and not skip_empty:
        raise SeisfillError(
            f"gather {min(empty)} has no live traces: nothing to interpolate from "
            f"({len(empty)} such gather(s); use --skip-empty to pass them through)"
        )
    if n_nonfinite:
        warnings.warn(
            f"{layout.path}: {n_nonfinite} trace(s) hold NaN or Inf samples and are treated as dead",
            stacklevel=2,
        )
    return runs


def read_gather_rows(
    reader: TraceReader,
    first: np.ndarray,
    count: np.ndarray,
    width: int,
    sort_key: str | None,
    rms_outlier: float | None = None,
) -> GatherRows:
    """Read whole gathers and lay them on grid rows exactly as :func:`seisfill.read_segy` does.

    Parameters
    ----------
    reader : TraceReader
    first, count : numpy.ndarray of int, shape (k,)
        First file trace and trace count of each gather (:class:`GatherRuns`).
    width : int
        Slots per row (:attr:`GatherRuns.width`).
    sort_key : str or None
        Order within a gather (ties in file order); None: file order.
    rms_outlier : float, optional
        As for :func:`seisfill.read_segy`.

    Returns
    -------
    GatherRows
    """
    layout = reader.layout
    first = np.asarray(first, dtype=np.int64)
    count = np.asarray(count, dtype=np.int64)
    k = first.size
    slot_trace = np.full((k, width), -1, dtype=np.int64)
    live = np.zeros((k, width), dtype=bool)
    dead_reason = np.zeros((k, width), dtype=np.uint8)
    pad = np.arange(width)[None, :] >= count[:, None]
    data = np.zeros((k, width, layout.n_samples), dtype=np.float32)
    for g in range(k):
        raw = reader.read_range(int(first[g]), int(first[g] + count[g]))
        samples, reasons, log_rms = trace_checks(raw, layout, rms_outlier is not None)
        sort_values = None
        if sort_key is not None:
            sort_values = parse_trace_headers(raw[:, :TRACE_HEADER_SIZE], layout.endian, [sort_key])[sort_key]
        c = int(count[g])
        order = _slot_order(sort_values, c)
        in_gather = np.full(width, -1, dtype=np.int64)  # slot -> trace of this gather, -1: padding
        in_gather[:c] = order
        dead_reason[g], live[g] = slot_live(reasons, in_gather, pad[g], log_rms=log_rms, rms_outlier=rms_outlier)
        slot_trace[g, :c] = first[g] + order
        data[g, :c] = samples[order]
    return GatherRows(slot_trace, live, pad, data, dead_reason)
