"""How a streaming fill cuts a file into tasks, and how it finishes the output.

Two plans:

``RunsPlan`` ("gathers")
    A file whose gathers are contiguous -- the usual pre-stack sort -- is
    planned gather by gather (:mod:`seisfill.io.gather_runs`: 32 bytes per
    gather, nothing per trace); each task puts its gathers on their grid rows
    itself.  The list of filled traces goes to a side file as it is found and
    is streamed into the sidecar at the end.
``GridPlan`` ("grid")
    Cubes, 3-D bricks, regularisation and interleaved gathers are planned on
    the whole (gather, trace) or (inline, crossline) grid of
    :func:`seisfill.read_segy` (``lazy=True, headers="geometry"``: ~12 bytes
    per trace).  3-D methods get bricks of inlines with a halo
    (:mod:`seisfill.bricks`); slots absent from the file become new traces.
    A cube densified along ``inline`` gets column tasks (blocks of crosslines,
    each filled along the inline axis); along ``both``, row tasks over the
    recorded inlines whose samples are kept aside, then column tasks (two phases).

The task decomposition depends only on the input and the options, never on the
number of workers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seisfill.bricks import Brick, needed_target, plan_bricks
from seisfill.core import fill_targets
from seisfill.errors import SeisfillError
from seisfill.io import dataset as names
from seisfill.io.densify_grid import densify_layout, densify_record
from seisfill.io.gather_runs import GatherRuns, NotGrouped, plan_gather_runs, read_gather_rows
from seisfill.io.headers import TRACE_HEADER_SIZE
from seisfill.io.layout import SegyLayout, TraceReader, open_layout
from seisfill.io.regularize import regularize_layout
from seisfill.io.segy import read_segy
from seisfill.io.write import INSERTED_FLAG, atomic_output, extension_rows, output_order
from seisfill.methods import Method, sample_rows
from seisfill.parallel.tasks import (
    TaskResult,
    fill_columns_task,
    fill_first_pass_task,
    fill_runs_task,
    fill_task,
)
from seisfill.parallel.writer import assemble_output, write_sidecar_streamed

__all__ = ["Plan", "RunsPlan", "GridPlan", "plan_runs", "plan_grid"]


@dataclass
class TaskContext:
    """What every task of a run shares: the input, the method and its portable options, the output marks."""

    path: str
    method: Method
    options: dict[str, Any]
    flag: str | None
    trace_id: int
    threads: int = 1  # one thread per task, in every mode: identical bytes for any worker count


@dataclass
class Plan:
    """The tasks of a run and the shape of its grid.

    Attributes
    ----------
    kind : str
        "gathers" (:class:`RunsPlan`) or "grid" (:class:`GridPlan`).
    tasks : list of numpy.ndarray of int
        Grid rows (gathers, inlines) of each task; a brick's core rows for 3-D methods.
    n_rows, row_name : int, str
        Rows of the grid and what a row is ("gather" or "inline").
    n_slots : int
        Slots per row (the trace axis of the grid).
    bricks : list of Brick
        One per task for 3-D methods, else empty.
    absent_slots : numpy.ndarray of int
        Flat grid slots filled as new traces (absent from the file), sorted.
    headers_new : numpy.ndarray of uint8, shape (len(absent_slots), 240), optional
        Their trace headers.
    slot_trace : numpy.ndarray of int, shape (n_rows, n_slots), optional
        File trace of every slot (grid plans only).
    """

    kind: str
    tasks: list[np.ndarray]
    n_rows: int
    row_name: str
    n_slots: int
    bricks: list[Brick] = field(default_factory=list)
    absent_slots: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    headers_new: np.ndarray | None = None
    slot_trace: np.ndarray | None = None

    def call(self, i: int, ctx: TaskContext) -> tuple[Callable[..., tuple], tuple]:
        """The function and arguments of task ``i``."""
        raise NotImplementedError

    def phases(self) -> list[range]:
        """The tasks in the order they may run: a phase starts when the one before it has finished."""
        return [range(len(self.tasks))]

    def take_result(self, i: int, result: Any) -> TaskResult:
        """What the writer records of task ``i``'s result (a first pass keeps its rows aside here)."""
        return result

    def finish(self, part: Path, side: Path, out: Path, source: Path, sidecar: str,
               head: Mapping[str, Any]) -> tuple[int, int]:
        """Put the output in place and write the sidecar; returns (traces written, traces filled or inserted)."""
        raise NotImplementedError

    def sample(self, path: str, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``k`` rows holding a target, spread evenly (:func:`seisfill.methods.sample_rows`), read from ``path``:
        data (k, n_slot, n_time) with non-live traces zeroed, live and target (k, n_slot) -- the rows and
        values :func:`seisfill.fill` samples on the same file."""
        raise NotImplementedError


@dataclass
class RunsPlan(Plan):
    """A grouped file, planned gather by gather."""

    runs: GatherRuns | None = None
    rms_outlier: float | None = None
    filled_list: Path | None = None

    def call(self, i: int, ctx: TaskContext) -> tuple[Callable[..., tuple], tuple]:
        t, runs = self.tasks[i], self.runs
        return fill_runs_task, (ctx.path, runs.first[t], runs.count[t], runs.width, runs.sort_key,
                                self.rms_outlier, ctx.method, ctx.options, ctx.flag, ctx.trace_id, ctx.threads)

    def finish(self, part: Path, side: Path, out: Path, source: Path, sidecar: str,
               head: Mapping[str, Any]) -> tuple[int, int]:
        os.replace(part, out)
        n_filled = int(self.runs.n_target.sum())
        write_sidecar_streamed(sidecar, source, head, self.filled_list, n_filled)
        return self.runs.n_traces, n_filled

    def sample(self, path: str, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        runs = self.runs
        order = runs.key_order()
        rows = order[runs.n_target[order] > 0]
        rows = rows[sample_rows(rows.size, k)]
        with TraceReader(open_layout(path)) as reader:
            got = read_gather_rows(reader, runs.first[rows], runs.count[rows], runs.width, runs.sort_key,
                                   self.rms_outlier)
        target = ~got.live & ~got.pad & got.live.any(axis=1)[:, None]
        return np.where(got.live[..., None], got.data, 0).astype(np.float32), got.live, target


@dataclass
class GridPlan(Plan):
    """The whole grid of :func:`seisfill.read_segy`: cubes, bricks, regularisation, interleaved gathers."""

    ds: Any = None
    live: np.ndarray | None = None
    target: np.ndarray | None = None
    layout: SegyLayout | None = None
    #: column tasks after the row tasks: each a block of columns filled along the row axis (a cube densified
    #: along inline: crossline by crossline, as :func:`seisfill.densify` does); its entry of ``tasks`` is
    #: every row
    columns: list[np.ndarray] = field(default_factory=list)
    #: two passes (a cube densified along both axes by a 2-D method): the rows of the first pass (every
    #: ``step``-th row, in ``tasks``) are filled first and their samples kept in this float32 file, shape
    #: ``first_pass_shape``; the column tasks then fill the other rows from them
    first_pass: Path | None = None
    step: int = 1
    first_pass_shape: tuple[int, int, int] = (0, 0, 0)

    @property
    def n_row_tasks(self) -> int:
        return len(self.tasks) - len(self.columns)

    def phases(self) -> list[range]:
        if self.first_pass is None:
            return [range(len(self.tasks))]
        return [range(self.n_row_tasks), range(self.n_row_tasks, len(self.tasks))]

    def take_result(self, i: int, result: Any) -> TaskResult:
        if self.first_pass is None or i >= self.n_row_tasks:
            return result
        result, rows = result
        # the kept rows are durable before the writer can journal the task
        fd = os.open(self.first_pass, os.O_WRONLY)
        try:
            os.pwrite(fd, rows.tobytes(), int(self.tasks[i][0] // self.step) * rows[0].nbytes)
            os.fsync(fd)
        finally:
            os.close(fd)
        return result

    def call(self, i: int, ctx: TaskContext) -> tuple[Callable[..., tuple], tuple]:
        if i >= self.n_row_tasks:
            return self._call_columns(self.columns[i - self.n_row_tasks], ctx)
        t = self.tasks[i]
        args = (ctx.path, self.slot_trace[t], self.live[t])
        if self.first_pass is not None:
            return fill_first_pass_task, (*args, self.target[t], ctx.method, ctx.options, ctx.flag, ctx.trace_id,
                                          ctx.threads)
        if self.bricks:
            return fill_task, (*args, needed_target(self.bricks[i], self.target), ctx.method, ctx.options,
                               ctx.flag, ctx.trace_id, ctx.threads, self.bricks[i].zone_rows())
        return fill_task, (*args, self.target[t], ctx.method, ctx.options, ctx.flag, ctx.trace_id, ctx.threads)

    def _call_columns(self, cols: np.ndarray, ctx: TaskContext) -> tuple[Callable[..., tuple], tuple]:
        live, target, first = self.live[:, cols], self.target[:, cols], None
        if self.first_pass is not None:  # the first pass's rows are the data, every slot but padding
            old = (np.arange(self.n_rows) % self.step == 0)[:, None]
            live = old & ~self.ds[names.PAD].values[:, cols]
            target = target & ~old & live.any(axis=0)
            first = (str(self.first_pass), self.step, self.first_pass_shape)
        return fill_columns_task, (ctx.path, self.slot_trace[:, cols], live, target, ctx.method, ctx.options,
                                   ctx.flag, ctx.trace_id, ctx.threads, cols, self.n_slots, first)

    def finish(self, part: Path, side: Path, out: Path, source: Path, sidecar: str,
               head: Mapping[str, Any]) -> tuple[int, int]:
        source_trace, slot, kind = output_order(self.ds, self.target)
        if self.absent_slots.size:
            assemble_output(part, side, out, source, self.layout, source_trace, slot, kind, self.absent_slots)
        else:
            os.replace(part, out)
        record = dict(
            head,
            filled_output_traces=np.flatnonzero(kind == 1).tolist(),
            filled_source_traces=source_trace[kind == 1].tolist(),
            inserted_output_traces=np.flatnonzero(kind == 2).tolist(),
        )
        if "densify_factor" in self.ds.attrs:  # as write_segy records them
            record["densify"] = densify_record(self.ds, slot)
        with atomic_output(sidecar, (source,)) as tmp:
            Path(tmp).write_text(json.dumps(record, indent=1))
        return int(kind.size), int(np.sum(kind != 0))

    def sample(self, path: str, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # column tasks alone: the columns, as seisfill.fill sees the transposed cube
        across = bool(self.columns) and self.first_pass is None
        slot_trace, live, target = (a.T if across else a for a in (self.slot_trace, self.live, self.target))
        rows = np.flatnonzero(target.any(axis=1) & live.any(axis=1))
        rows = rows[sample_rows(rows.size, k)]
        slot_trace, live = slot_trace[rows], live[rows]
        layout = open_layout(path)
        data = np.zeros(slot_trace.shape + (layout.n_samples,), dtype=np.float32)
        with TraceReader(layout) as reader:
            data[live] = reader.read_samples(slot_trace[live])
        return data, live, target[rows]


def _new_headers(ds: Any, layout: SegyLayout, target: np.ndarray, absent_slots: np.ndarray) -> np.ndarray:
    """Headers of the new traces only, one row per absent slot, shape (n, layout.header_size): the
    interpolated 240-byte header, then the trace header extensions of the file trace it follows
    (:func:`seisfill.io.write.extension_rows`, as write_segy does)."""
    headers = np.empty((absent_slots.size, layout.header_size), dtype=np.uint8)
    headers[:, :TRACE_HEADER_SIZE] = ds[names.TRACE_HEADER].values.reshape(-1, TRACE_HEADER_SIZE)[absent_slots]
    if layout.n_trace_ext:
        source_trace, slot, kind = output_order(ds, target)
        inserted = kind == INSERTED_FLAG
        donors = source_trace[extension_rows(kind)][inserted]
        rows = np.searchsorted(absent_slots, slot[inserted])
        with TraceReader(layout) as reader:
            headers[rows, TRACE_HEADER_SIZE:] = reader.read_raw(donors)[:, TRACE_HEADER_SIZE : layout.header_size]
    return headers


def _tasks(rows: np.ndarray, per_task: int) -> list[np.ndarray]:
    return [rows[i : i + per_task] for i in range(0, rows.size, per_task)]


def plan_runs(
    layout: SegyLayout, filled_list: Path, key: str | None, sort: str | None, cube: bool | None,
    rms_outlier: float | None, skip_empty: bool, per_task: int, on_chunk: Callable[[int], Any] | None = None,
) -> RunsPlan | None:
    """Plan a grouped file gather by gather; None where the whole grid is needed (cubes, one-gather files,
    interleaved gathers).  Filled traces are listed (int64) in ``filled_list`` as they are found."""
    try:
        with open(filled_list, "wb") as fh:
            runs = plan_gather_runs(layout, key, sort, cube=cube, rms_outlier=rms_outlier, skip_empty=skip_empty,
                                    filled_list=fh, on_chunk=on_chunk)
    except NotGrouped:
        filled_list.unlink(missing_ok=True)
        return None
    except BaseException:
        filled_list.unlink(missing_ok=True)
        raise
    order = runs.key_order()
    tasks = _tasks(order[runs.n_target[order] > 0], per_task)
    return RunsPlan("gathers", tasks, runs.n_gathers, "gather", runs.width, runs=runs, rms_outlier=rms_outlier,
                    filled_list=filled_list)


def plan_grid(
    layout: SegyLayout, method: Method, options: Mapping[str, Any], key: str | None, sort: str | None,
    cube: bool | None, rms_outlier: float | None, regularize: bool, step: int | None, extent: str,
    skip_empty: bool, per_task: int, halo: int, densify: int | None = None, densify_axis: str = "crossline",
    first_pass: Path | None = None,
) -> tuple[GridPlan, dict[str, Any]]:
    """Plan on the whole grid; returns the plan and the method's options prepared for the grid's layout
    (a cube's default network is the 3-D one).

    ``densify``: a factor, new slots along ``densify_axis``
    (:func:`seisfill.io.densify_grid.densify_layout`) filled as new traces, as
    :func:`seisfill.densify` fills them: along the trace axis by row tasks; along
    ``inline`` by column tasks (each crossline a gather); along ``both`` by row tasks
    over the recorded inlines, whose samples are kept in ``first_pass``, then column
    tasks over the new inline rows; a 3-D method by bricks of the densified cube."""
    read = dict(key=key, sort=sort, cube=cube, rms_outlier=rms_outlier, lazy=True)
    # headers of the geometry only (~12 B per trace kept, not ~330): the full headers are needed
    # only to give new traces (regularisation, absent cube nodes) their headers
    ds = read_segy(layout.path, **read, headers="all" if regularize or densify else "geometry")
    if not regularize and np.any(~ds[names.LIVE].values & ~ds[names.PAD].values & (ds[names.TRACE_INDEX].values < 0)):
        ds = read_segy(layout.path, **read)
    if regularize:
        ds = regularize_layout(ds, step=step, extent=extent)
    if densify:
        ds = densify_layout(ds, densify, densify_axis)
    g_dim, _ = names.slot_dims(ds)
    live = ds[names.LIVE].values
    slot_trace = ds[names.TRACE_INDEX].values.astype(np.int64)
    across = bool(densify) and densify_axis != "crossline"
    # new inline rows hold no live trace: filled from the rows around them (as seisfill.densify does)
    target = ~live & ~ds[names.PAD].values if across else fill_targets(ds, skip_empty)
    # slots without a trace in the file (regularisation, missing cube nodes) become new traces
    absent_slots = np.flatnonzero((target & (slot_trace < 0)).ravel())
    prepared = method.prepare(options, 3 if g_dim == "inline" else 2)
    bricks: list[Brick] = []
    if method.is_3d(prepared):
        # bricks: blocks of per_task inlines (gathers) that hold a target, each read with
        # `halo` neighbours on both sides for context and blended with its neighbours at the seams
        n_rows = target.shape[0]
        bricks = plan_bricks([(a, min(n_rows, a + per_task)) for a in range(0, n_rows, per_task)],
                             target.any(axis=1), halo)
        tasks = [np.arange(br.lo, br.hi) for br in bricks]
    elif across:
        return _plan_across(ds, layout, method, prepared, target, absent_slots, per_task, int(densify), densify_axis,
                            first_pass), prepared
    else:
        tasks = _tasks(np.flatnonzero(target.any(axis=1)), per_task)
    headers_new = _new_headers(ds, layout, target, absent_slots) if absent_slots.size else None
    plan = GridPlan("grid", tasks, int(live.shape[0]), g_dim, slot_trace.shape[1], bricks, absent_slots, headers_new,
                    slot_trace, ds=ds, live=live, target=target, layout=layout)
    return plan, prepared


def _plan_across(
    ds: Any, layout: SegyLayout, method: Method, prepared: Mapping[str, Any], target: np.ndarray,
    absent_slots: np.ndarray, per_task: int, factor: int, axis: str, first_pass: Path | None,
) -> GridPlan:
    """A cube densified along ``inline`` (column tasks) or ``both`` (row tasks, then column tasks) by a 2-D method."""
    live = ds[names.LIVE].values
    n_rows, n_cols = live.shape
    tasks: list[np.ndarray] = []
    step, shape = 1, (0, 0, 0)
    if axis == "both":
        if method.calibrate is not None:
            raise SeisfillError(f"--axis both with --workers: method '{method.name}' looks at the survey before "
                                "each of the two passes; leave out --workers or choose another method")
        if first_pass is None:  # pragma: no cover - fill_file always gives one
            raise SeisfillError("internal error: densify --axis both streams through a first-pass file")
        tasks = _tasks(np.arange(0, n_rows, factor), per_task)
        step, shape = factor, ((n_rows - 1) // factor + 1, n_cols, layout.n_samples)
        columns = _tasks(np.arange(n_cols), per_task)
    else:
        first_pass = None
        columns = _tasks(np.flatnonzero(target.any(axis=0)), per_task)
    every_row = np.arange(n_rows)
    headers_new = _new_headers(ds, layout, target, absent_slots) if absent_slots.size else None
    return GridPlan("grid", tasks + [every_row] * len(columns), n_rows, "inline", n_cols, [], absent_slots,
                    headers_new, ds[names.TRACE_INDEX].values.astype(np.int64), ds=ds, live=live, target=target,
                    layout=layout, columns=columns, first_pass=first_pass, step=step, first_pass_shape=shape)
