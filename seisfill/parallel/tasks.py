"""What a streaming task does on a worker: read its gathers, fill them, return the bytes to write.

A task reads its gathers (or its brick, with halo rows) from the input file
itself, fills them through the fill core (:func:`seisfill.core.fill_block`,
one thread) and returns only what the main process writes: the raw bytes of
the filled traces that are in the file -- exactly what
:func:`seisfill.write_segy` writes for them (header with
TraceIdentificationCode and the flag word set, samples in the file's own
format) -- the float32 samples of filled slots absent from the file (inserted
traces), and, for a brick, the samples of its seam zones, blended with the
neighbouring brick's by the main process.

A cube densified along its inline axis is filled crossline by crossline
(:func:`fill_columns_task`: a block of grid columns, transposed); along both
axes in two passes, the recorded inlines first (:func:`fill_first_pass_task`,
which also returns their samples) and then the columns over the new inlines,
whose data are those samples -- the two passes of :func:`seisfill.densify`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from seisfill.core import fill_block
from seisfill.errors import SeisfillError
from seisfill.io.formats import encode_samples
from seisfill.io.gather_runs import read_gather_rows
from seisfill.io.layout import SegyLayout, TraceReader, open_layout
from seisfill.io.write import FILLED_FLAG, mark_new_traces
from seisfill.methods import Method

__all__ = ["TaskResult", "fill_task", "fill_first_pass_task", "fill_columns_task", "fill_runs_task", "set_filled"]

#: file traces (m,), their raw bytes (m, trace_size); flat slots (n,) and float32 samples (n, n_time) of
#: filled slots absent from the file; flat slots and samples of targets in a brick's seam zones
TaskResult = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def fill_task(
    path: str,
    slot_trace: np.ndarray,
    live: np.ndarray,
    target: np.ndarray,
    method: Method,
    options: Mapping[str, Any],
    flag: str | None,
    trace_id: int,
    threads: int,
    zone_rows: np.ndarray | None = None,
    data: np.ndarray | None = None,
) -> TaskResult:
    """Fill ``k`` gathers (2-D methods) or one brick (3-D methods, ``zone_rows`` given).

    Parameters
    ----------
    path : str
        The input SEG-Y file.
    slot_trace : numpy.ndarray of int, shape (k, n_slot)
        File trace of each slot (-1: absent from the file).
    live, target : numpy.ndarray of bool, shape (k, n_slot)
        ``target``: the slots whose estimate is needed.
    method, options
        The method and its portable options (:attr:`Method.portable`).
    flag, trace_id
        Flag word and TraceIdentificationCode of filled traces.
    threads : int
        Threads of the method (1: the same bytes whatever the number of workers).
    zone_rows : numpy.ndarray of bool, shape (k,), optional
        A brick's rows in a seam zone: their targets are returned as samples, not written.
    data : numpy.ndarray, shape (k, n_slot, n_time), optional
        The slots' samples, when the caller has read them already.

    Returns
    -------
    TaskResult
        Positions of absent and seam-zone slots are flat indices into ``slot_trace``.
    """
    return _fill(path, (slot_trace, live, target), method, options, (flag, trace_id), threads, zone_rows, data)[0]


def fill_first_pass_task(
    path: str, slot_trace: np.ndarray, live: np.ndarray, target: np.ndarray, method: Method,
    options: Mapping[str, Any], flag: str | None, trace_id: int, threads: int,
) -> tuple[TaskResult, np.ndarray]:
    """:func:`fill_task` on ``k`` rows, and the rows' samples after filling: the next pass's data.

    Returns
    -------
    result : TaskResult
        As :func:`fill_task`.
    rows : numpy.ndarray of float32, shape (k, n_slot, n_time)
        Live traces as read, targets filled, padding zero.
    """
    result, estimate = _fill(path, (slot_trace, live, target), method, options, (flag, trace_id), threads)
    return result, np.ascontiguousarray(estimate, dtype=np.float32)


def fill_columns_task(
    path: str, slot_trace: np.ndarray, live: np.ndarray, target: np.ndarray, method: Method,
    options: Mapping[str, Any], flag: str | None, trace_id: int, threads: int, columns: np.ndarray, n_slots: int,
    first_pass: tuple[str, int, tuple[int, int, int]] | None = None,
) -> TaskResult:
    """Fill ``k`` columns of the grid along its row axis: each column a gather (a crossline of a cube).

    Parameters
    ----------
    slot_trace : numpy.ndarray of int, shape (n_row, k)
        File trace of each slot of the columns (-1: absent from the file).
    live, target : numpy.ndarray of bool, shape (n_row, k)
    method, options, flag, trace_id, threads
        As for :func:`fill_task`.
    columns : numpy.ndarray of int, shape (k,)
        The columns, in the grid of ``n_slots`` columns.
    n_slots : int
        Columns of the grid.
    first_pass : (str, int, (int, int, int)), optional
        The first pass's samples (:func:`fill_first_pass_task`) as a float32 file of the given
        shape ((n_row - 1) // step + 1, n_slots, n_time), one row for every ``step``-th grid row: the
        data of those rows (the other rows are zero).  None: the data are read from ``path``.

    Returns
    -------
    TaskResult
        Absent slots as flat indices into the whole grid (n_row * n_slots): the task's
        rows are every row of the grid.
    """
    data = None
    if first_pass is not None:
        store, step, shape = first_pass
        known = np.memmap(store, dtype=np.float32, mode="r", shape=shape)
        data = np.zeros((columns.size, slot_trace.shape[0], shape[2]), dtype=np.float32)
        data[:, ::step] = known[:, columns].transpose(1, 0, 2)
        del known
    traces, raw, new_at, new_values, zone_at, zone_values = fill_task(
        path, slot_trace.T, live.T, target.T, method, options, flag, trace_id, threads, data=data)
    column, row = np.divmod(new_at, slot_trace.shape[0])
    return traces, raw, row * n_slots + columns[column], new_values, zone_at, zone_values


def _fill(
    path: str, block: tuple[np.ndarray, np.ndarray, np.ndarray], method: Method, options: Mapping[str, Any],
    marks: tuple[str | None, int], threads: int, zone_rows: np.ndarray | None = None, data: np.ndarray | None = None,
) -> tuple[TaskResult, np.ndarray]:
    """:func:`fill_task`'s work on ``block`` = (slot_trace, live, target), ``marks`` = (flag, trace_id); also
    returns the filled block (k, n_slot, n_time)."""
    slot_trace, live, target = block
    flag, trace_id = marks
    layout = open_layout(path)
    present = slot_trace >= 0
    zone = np.zeros_like(target) if zone_rows is None else target & zone_rows[:, None]
    with TraceReader(layout) as reader:
        if data is None:
            data = np.zeros(slot_trace.shape + (layout.n_samples,), dtype=np.float32)
            data[present] = reader.read_samples(slot_trace[present])
        estimate = fill_block(data, live, target, method, options, threads=threads)
        zone_values = np.ascontiguousarray(estimate[zone], dtype=np.float32)
        target = target & ~zone
        in_file = target & present
        traces = slot_trace[in_file]
        raw = reader.read_raw(traces)
    values = estimate[in_file]
    inserted = target & ~present
    new_values = np.ascontiguousarray(estimate[inserted], dtype=np.float32)
    if not all(np.all(np.isfinite(v)) for v in (values, new_values, zone_values)):
        raise SeisfillError("a filled trace holds NaN or Inf samples; refusing to write it")
    set_filled(raw, values, layout, flag, trace_id)
    result = traces, raw, np.flatnonzero(inserted.ravel()), new_values, np.flatnonzero(zone.ravel()), zone_values
    return result, estimate


def fill_runs_task(
    path: str, first: np.ndarray, count: np.ndarray, width: int, sort_key: str | None, rms_outlier: float | None,
    method: Method, options: Mapping[str, Any], flag: str | None, trace_id: int, threads: int,
) -> TaskResult:
    """Fill ``k`` whole gathers of a grouped file, given by first trace and count (:class:`GatherRuns`).

    The task puts its gathers on their grid rows itself (:func:`read_gather_rows`),
    so the main process never holds a per-trace plan; then as :func:`fill_task`.
    Gathers with no live trace (passed through by ``skip_empty``) are left alone.
    """
    layout = open_layout(path)
    with TraceReader(layout) as reader:
        rows = read_gather_rows(reader, first, count, width, sort_key, rms_outlier)
    target = ~rows.live & ~rows.pad
    target &= rows.live.any(axis=1)[:, None]
    return fill_task(path, rows.slot_trace, rows.live, target, method, options, flag, trace_id, threads,
                     data=rows.data)


def set_filled(raw: np.ndarray, values: np.ndarray, layout: SegyLayout, flag: str | None, trace_id: int) -> None:
    """Put filled samples into raw traces (m, trace_size), encoded in the file's format; trid and flag 1."""
    raw[:, layout.header_size :] = encode_samples(values, layout.format, layout.endian)
    mark_new_traces(raw, FILLED_FLAG, layout.endian, flag, trace_id)
