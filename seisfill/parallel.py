"""Fill a SEG-Y file of any size with Dask workers, streaming, resumable.

:func:`fill_file` is ``seisfill fill --workers N``.  The main process reads the
file once (no samples kept), finds the gathers that hold dead traces and cuts
them into tasks of ``gathers_per_task`` gathers.  A file whose gathers are
contiguous -- the usual pre-stack sort -- is planned gather by gather
(:mod:`seisfill.io.gather_runs`: 32 bytes per gather, nothing per trace, so
the main process's memory does not grow with the file); cubes, 3-D bricks,
regularisation and interleaved gathers are planned on the whole grid of
:func:`seisfill.read_segy` (``lazy=True, headers="geometry"``: ~12 bytes per
trace).  Each task, on a Dask worker, reads its
gathers from the input file itself (``pread``), fills them with the chosen
method and returns only the bytes of the traces it filled (header with
TraceIdentificationCode and the flag word set, samples encoded in the file's
own format) -- exactly the bytes :func:`seisfill.write_segy` writes for them.

The output is a copy of the input in which the filled traces are overwritten
in place as tasks complete, so memory stays bounded whatever the file size:
the main process holds the plan, each worker one task.  The copy is named
``.<output>.seisfill-part`` beside the output until the end, and a journal
``.<output>.seisfill-journal`` records every task whose traces are on disk
(data fsync'ed before the journal line).  A killed run restarted with
``resume=True`` redoes only the tasks not in the journal; the final file is
renamed into place only when every task is written, so it equals an
uninterrupted run byte for byte.

The task decomposition depends only on the input and the options, never on the
number of workers, so 1, 2 or N workers -- or none (``workers=0``: tasks run
one after another in this process) -- give the same bytes.

Scheduler: ``dask.distributed.LocalCluster(n_workers=workers,
threads_per_worker=1)`` by default, or any running scheduler (``scheduler=
"tcp://host:8786"``); workers must see the input and output paths.  Model
weights are loaded once per worker process (:func:`seisfill.models.resolve_model`
caches them).

3-D methods (a 3-D network, ``pocs`` with ``ndim=3``) work on bricks
(:mod:`seisfill.bricks`): blocks of ``gathers_per_task`` inlines read with
``halo`` inlines of context on each side.  Slots near a seam get the blend of
the two neighbouring bricks' estimates: the main process holds each brick's
seam-zone samples until the other brick's arrive, then writes the blend; the
journal records seams (``s<i>``) as well as tasks, and a task counts as done
only once its seams are written.  The bytes equal those of
``seisfill.fill`` on the same cube chunked by ``gathers_per_task`` inlines.

Limits: slots absent from the file (``--regularize``, missing cube nodes) are
not inserted here: a clear error points at the in-memory path.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seisfill.bricks import Brick, blend, needed_target, plan_bricks
from seisfill.errors import SeisfillError
from seisfill.io import dataset as names
from seisfill.io.formats import encode_samples
from seisfill.io.headers import TRACE_HEADER_SIZE, resolve_field
from seisfill.io.layout import TraceReader, open_layout
from seisfill.io.write import (
    DEFAULT_FLAG_WORD,
    FILLED_FLAG,
    INSERTED_FLAG,
    _plan,
    atomic_output,
    mark_new_traces,
)

__all__ = ["fill_file", "FillFileSummary", "partial_paths"]


@dataclass
class FillFileSummary:
    """What :func:`fill_file` did."""

    path: str
    n_gathers: int
    n_traces: int
    n_filled: int
    n_tasks: int
    n_resumed: int
    seconds: float
    sidecar: str | None
    dashboard: str | None = None
    #: what a row of the layout is: "gather" or "inline" (a cube)
    row_name: str = "gather"
    #: how the main process planned: "gathers" (per gather, grouped files) or "grid" (per trace)
    plan: str = "grid"


def partial_paths(output: str | os.PathLike) -> tuple[Path, Path]:
    """The partial output and the journal of an unfinished run writing ``output``."""
    out = Path(output)
    return out.with_name(f".{out.name}.seisfill-part"), out.with_name(f".{out.name}.seisfill-journal")


@contextmanager
def _torch_threads(n: int) -> Iterator[None]:
    """Run torch with ``n`` intra-op threads (0: leave it), restoring the count after."""
    if n <= 0:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _fill_task(
    path: str,
    slot_trace: np.ndarray,
    live: np.ndarray,
    target: np.ndarray,
    method: str,
    options: Mapping[str, Any],
    flag: str | None,
    trace_id: int,
    threads: int,
    zone_rows: np.ndarray | None = None,
    data: np.ndarray | None = None,
) -> tuple[np.ndarray, ...]:
    """Fill ``k`` gathers (2-D methods) or one brick (3-D methods, ``zone_rows`` given).

    Returns the file trace indices (m,) and raw bytes (m, trace_size) of the
    filled traces that are in the file, the positions (flat, in the task's
    ``slot_trace``) and float32 samples (n, n_samples) of filled slots that are
    not (inserted by regularisation, absent cube nodes), and the positions and
    float32 samples of the targets in ``zone_rows`` (a brick's seam zones,
    blended with the neighbouring brick by the caller; empty for 2-D methods).

    ``threads``: torch intra-op threads for the task.  Every task runs with the
    same count whatever the number of workers (convolution results depend on
    it in the last bits), so any worker count gives the same bytes.

    ``data`` (k, n_slot, n_samples): the samples of the slots, when the caller has read them already.
    """
    from seisfill.bricks import fill_brick
    from seisfill.fill import NETWORK_METHODS, fill_array

    layout = open_layout(path)
    present = slot_trace >= 0
    opts = dict(options)
    if method == "pocs":
        opts.setdefault("workers", 1)  # one FFT thread per task: workers scale out, not threads
    zone = np.zeros_like(target) if zone_rows is None else target & zone_rows[:, None]
    with TraceReader(layout) as reader:
        if data is None:
            data = np.zeros(slot_trace.shape + (layout.n_samples,), dtype=np.float32)
            data[present] = reader.read_samples(slot_trace[present])
        with _torch_threads(threads if method in NETWORK_METHODS else 0):
            if zone_rows is not None:
                estimate = fill_brick(data, live, target, method, opts)
            else:
                extra = {"target": target} if method in NETWORK_METHODS else {}
                estimate = fill_array(data, live, method, **opts, **extra)
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
    _set_filled(raw, values, layout, flag, trace_id)
    return traces, raw, np.flatnonzero(inserted.ravel()), new_values, np.flatnonzero(zone.ravel()), zone_values


def _fingerprint(path: Path, extra: Mapping[str, Any]) -> dict[str, Any]:
    st = path.stat()
    return {
        "input": str(path.resolve()),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "options": hashlib.sha256(json.dumps(extra, sort_keys=True, default=str).encode()).hexdigest(),
    }


def _read_journal(journal: Path, fingerprint: Mapping[str, Any]) -> tuple[set[int], set[int]]:
    """The tasks (lines ``i``) and brick seams (lines ``s<i>``: between bricks i and i+1) already on disk."""
    lines = journal.read_text().splitlines()
    if not lines:
        raise SeisfillError(f"{journal}: empty journal; delete it and run without --resume")
    try:
        head = json.loads(lines[0])
    except json.JSONDecodeError as exc:
        raise SeisfillError(f"{journal}: unreadable journal; delete it and run without --resume") from exc
    if head != dict(fingerprint):
        raise SeisfillError(
            f"cannot resume: {journal.name} was written for another input or other options; "
            "run without --resume to start again"
        )
    done, seams = set(), set()
    for line in lines[1:]:
        line = line.strip()
        if line.isdigit():
            done.add(int(line))
        elif line.startswith("s") and line[1:].isdigit():
            seams.add(int(line[1:]))
    return done, seams


def _tasks(rows: np.ndarray, per_task: int) -> list[np.ndarray]:
    return [rows[i : i + per_task] for i in range(0, rows.size, per_task)]


def fill_file(
    input_path: str | os.PathLike,
    output_path: str | os.PathLike,
    method: str = "hybrid",
    *,
    key: str | None = None,
    sort: str | None = None,
    cube: bool | None = None,
    rms_outlier: float | None = None,
    regularize: bool = False,
    step: int | None = None,
    extent: str = "gather",
    workers: int = 0,
    scheduler: str | None = None,
    gathers_per_task: int = 8,
    halo: int = 4,
    resume: bool = False,
    flag_word: str | None = DEFAULT_FLAG_WORD,
    skip_empty: bool = False,
    trace_id: int = 1,
    progress: bool = False,
    **options: Any,
) -> FillFileSummary:
    """Fill every dead trace of a SEG-Y file on Dask workers; write the output in place, resumably.

    Parameters
    ----------
    input_path, output_path : path-like
        Source SEG-Y (never modified) and output (appears only when complete).
    method : str
        ``hybrid`` (the default of ``seisfill fill``), ``unet``, ``pocs``, ``fx`` or ``linear``.
    key, sort, cube, rms_outlier
        As for :func:`seisfill.read_segy`.
    regularize, step, extent
        Insert the slots missing from each gather's key sequence and fill them
        as new traces (:func:`seisfill.regularize`; its layout is computed from
        the headers only).
    workers : int
        Dask worker processes on a LocalCluster; 0 runs the tasks in this
        process, one after another (the same bytes).
    scheduler : str, optional
        Address of a running ``distributed`` scheduler (instead of a LocalCluster).
    gathers_per_task : int
        Gathers per task (the unit of work, of memory per worker and of resume);
        inlines per brick for 3-D methods.
    halo : int
        3-D methods (a 3-D network, ``pocs`` with ``ndim=3``): inlines (gathers)
        read on each side of a brick for context; only the brick's own traces
        are written, so neighbouring bricks meet without a seam of missing context.
    resume : bool
        Continue an interrupted run writing the same output with the same options.
    flag_word, skip_empty, trace_id
        As for :func:`seisfill.fill` / :func:`seisfill.write_segy`.
    progress : bool
        tqdm bar over the tasks.
    **options
        Passed to the method (``model``, ``device``, ``batch_size``...).

    Returns
    -------
    FillFileSummary
    """
    from seisfill.fill import METHODS, NETWORK_METHODS

    start = time.perf_counter()
    source, out = Path(input_path), Path(output_path)
    if method not in METHODS:
        raise SeisfillError(f"unknown method '{method}'; choose one of: {', '.join(sorted(METHODS))}")
    if gathers_per_task < 1:
        raise SeisfillError(f"gathers per task must be >= 1, got {gathers_per_task}")
    if workers < 0:
        raise SeisfillError(f"--workers must be >= 0, got {workers}")
    layout = open_layout(source)
    if out.resolve() == source.resolve() or (out.exists() and os.path.samefile(out, source)):
        raise SeisfillError(f"{out}: output path equals the input; choose another output file")
    if not out.parent.exists():
        raise SeisfillError(f"{out}: folder {out.parent} does not exist")
    part, journal = partial_paths(out)
    side = journal.with_name(journal.name.replace("-journal", "-inserted"))
    filled_list = journal.with_name(journal.name.replace("-journal", "-filled"))
    flag = resolve_field(flag_word) if flag_word else None
    task_opts = {k: v for k, v in options.items() if k != "progress"}
    if method in NETWORK_METHODS:
        task_opts.pop("model", None)

    plan = None
    if not regularize and not (method == "pocs" and int(options.get("ndim", 2)) == 3):
        plan = _plan_runs(layout, filled_list, method, options, task_opts, key, sort, cube, rms_outlier,
                          skip_empty, int(gathers_per_task), progress)
    if plan is None:
        plan = _plan_grid(layout, method, options, task_opts, key, sort, cube, rms_outlier, regularize, step,
                          extent, skip_empty, int(gathers_per_task), halo)
    tasks, bricks = plan.tasks, plan.bricks
    absent_slots = plan.absent_slots
    fingerprint = _fingerprint(
        source, {"method": method, "options": task_opts, "key": key, "sort": sort, "cube": cube,
                 "rms": rms_outlier, "flag": flag, "trace_id": trace_id, "per_task": gathers_per_task,
                 "skip_empty": skip_empty, "n_tasks": len(tasks), "halo": halo if bricks else None,
                 "blend": "sin2" if bricks else None, "plan": plan.kind,
                 "regularize": [regularize, step, extent]},
    )
    done: set[int] = set()
    seams_done: set[int] = set()
    if resume and part.exists() and journal.exists() and (absent_slots.size == 0 or side.exists()):
        done, seams_done = _read_journal(journal, fingerprint)
    else:
        shutil.copyfile(source, part)
        if absent_slots.size:
            with open(side, "wb") as fh:  # one row per inserted trace, filled in as tasks complete
                fh.truncate(int(absent_slots.size) * layout.trace_size)
        journal.write_text(json.dumps(fingerprint) + "\n")
    n_trace_axis = plan.n_slots
    n_resumed = len(done)
    todo = [i for i in range(len(tasks)) if i not in done]

    threads = 1  # one thread per task, in every mode: identical bytes for any worker count
    client = cluster = None
    dashboard = None
    if workers > 0 or scheduler:
        from dask.distributed import Client, LocalCluster

        if scheduler:
            client = Client(scheduler)
        else:
            single = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                silence_logs=40, env=single,
            )
            client = Client(cluster)
        dashboard = getattr(client, "dashboard_link", None)

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), initial=n_resumed, desc="fill", unit="task", dynamic_ncols=True)
    fd = os.open(part, os.O_RDWR)
    side_fd = os.open(side, os.O_RDWR) if absent_slots.size else -1
    header_reader = TraceReader(layout) if bricks else None
    try:
        pending: list[str] = []
        # bricks: each seam's two contributions (global flat slots, float32 samples) until both are in
        seam_parts: dict[int, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
        own_written: set[int] = set()
        last_sync = time.perf_counter()
        # seconds between fsyncs of data + journal (tests set 0: every task)
        sync_every = float(os.environ.get("SEISFILL_SYNC_S", "2.0"))

        def to_global(idx: int, at: np.ndarray) -> np.ndarray:
            return tasks[idx][at // n_trace_axis] * n_trace_axis + at % n_trace_axis

        def write_slots(flat: np.ndarray, values: np.ndarray) -> None:
            """Filled slots given by global flat index: in-file traces in place, absent ones to the side file."""
            traces = plan.slot_trace.ravel()[flat]
            here = traces >= 0
            if here.any():
                raw = header_reader.read_raw(traces[here])
                _set_filled(raw, values[here], layout, flag, trace_id)
                _pwrite_traces(fd, layout, traces[here], raw)
            if (~here).any():
                _write_inserted(side_fd, flat[~here], values[~here], absent_slots, plan.headers_new, layout, flag,
                                trace_id)

        def complete(idx: int) -> bool:
            br = bricks[idx] if bricks else None
            return idx in own_written and (
                br is None or ((not br.left or idx - 1 in seams_done) and (not br.right or idx in seams_done))
            )

        def add_seam_part(seam: int, side_name: str, flat: np.ndarray, values: np.ndarray) -> None:
            if seam in seams_done:  # written by an earlier run (resume)
                return
            parts = seam_parts.setdefault(seam, {})
            parts[side_name] = (flat, values)
            if len(parts) == 2:
                (fl, vl), (fr, vr) = parts.pop("left"), parts.pop("right")
                del seam_parts[seam]
                if not np.array_equal(fl, fr):  # pragma: no cover - both bricks see the same targets
                    raise SeisfillError("internal error: the two bricks of a seam disagree on its slots")
                br = bricks[seam]
                zrow = fl // n_trace_axis - (br.b - br.right)
                write_slots(fl, blend(vl, vr, zrow, br.right))
                seams_done.add(seam)
                pending.append(f"s{seam}")
                for j in (seam, seam + 1):
                    if j not in done and complete(j):
                        done.add(j)
                        pending.append(str(j))

        def record(idx: int, traces: np.ndarray, raw: np.ndarray, new_at: np.ndarray, new_values: np.ndarray,
                   zone_at: np.ndarray, zone_values: np.ndarray) -> None:
            nonlocal last_sync
            _pwrite_traces(fd, layout, traces, raw)
            if new_at.size:
                _write_inserted(side_fd, to_global(idx, new_at), new_values, absent_slots, plan.headers_new, layout,
                                flag, trace_id)
            own_written.add(idx)
            if bricks:
                flat = to_global(idx, zone_at)
                left = flat // n_trace_axis < bricks[idx].a + bricks[idx].left
                if bricks[idx].left:
                    add_seam_part(idx - 1, "right", flat[left], zone_values[left])
                if bricks[idx].right:
                    add_seam_part(idx, "left", flat[~left], zone_values[~left])
            if idx not in done and complete(idx):
                done.add(idx)
                pending.append(str(idx))
            if bar is not None:
                bar.update(1)
            if time.perf_counter() - last_sync > sync_every:
                _sync(fd, journal, pending, side_fd)
                last_sync = time.perf_counter()

        # task arguments are made as tasks are submitted: the main process never holds them all
        calls = ((i, plan.call(i, str(source), method, task_opts, flag, trace_id, threads)) for i in todo)
        if client is None:
            for i, (fn, args) in calls:
                record(i, *fn(*args))
        else:
            for i, result in _run_distributed(client, calls, max(1, workers or 4) * 2):
                record(i, *result)
        _sync(fd, journal, pending, side_fd)
        if seam_parts or len(done) != len(tasks):  # pragma: no cover - every seam has both bricks by now
            raise SeisfillError("internal error: some brick seams were never completed")
    except BaseException as exc:
        os.close(fd)
        fd = -1
        if side_fd >= 0:
            os.close(side_fd)
            side_fd = -1
        if bar is not None:
            bar.close()
        if not isinstance(exc, KeyboardInterrupt):  # an error, not an interruption: nothing to resume
            for path in (part, journal, side, filled_list):
                path.unlink(missing_ok=True)
        raise
    finally:
        if header_reader is not None:
            header_reader.close()
        if fd >= 0:
            os.close(fd)
        if side_fd >= 0:
            os.close(side_fd)
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    if bar is not None:
        bar.close()
    sidecar = f"{out}.seisfill.json"
    head = {
        "source": str(input_path),
        "method": method,
        "flag_word": flag,
        "flag_values": {"filled": FILLED_FLAG, "inserted": INSERTED_FLAG},
    }
    n_out, n_new = plan.finish(part, side, out, source, sidecar, head)
    for path in (part, side, journal, filled_list):
        path.unlink(missing_ok=True)
    return FillFileSummary(
        str(out), plan.n_rows, n_out, n_new, len(tasks), n_resumed, time.perf_counter() - start, sidecar,
        dashboard, plan.row_name, plan.kind,
    )


@dataclass
class _Plan:
    """How :func:`fill_file` cuts a file into tasks, and how it finishes the output.

    ``kind`` "gathers": a grouped file planned gather by gather
    (:mod:`seisfill.io.gather_runs`; memory per gather); "grid": the whole
    (gather, trace) or (inline, crossline) grid (memory per trace; cubes,
    bricks, regularisation, files whose gathers are not contiguous).
    """

    kind: str
    tasks: list[np.ndarray]
    call: Callable[..., tuple[Callable[..., tuple], tuple]]
    finish: Callable[..., tuple[int, int]]
    n_rows: int
    row_name: str
    n_slots: int
    bricks: list[Brick] = field(default_factory=list)
    absent_slots: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    headers_new: np.ndarray | None = None
    slot_trace: np.ndarray | None = None


def _network_ndim(options: Mapping[str, Any], task_opts: dict, default_ndim: int) -> int:
    """Load the network once here (a bad name fails before any work), name it in ``task_opts`` for the
    workers, and return its ndim (2: gathers; 3: bricks)."""
    from seisfill.models import resolve_model

    model = resolve_model(options.get("model"), options.get("device", "auto"), ndim=default_ndim)
    task_opts["model"] = model.name if model.card is not None else str(options.get("model"))
    return model.ndim


def _plan_runs(
    layout: Any, filled_list: Path, method: str, options: Mapping[str, Any], task_opts: dict, key: str | None,
    sort: str | None, cube: bool | None, rms_outlier: float | None, skip_empty: bool, per_task: int,
    progress: bool,
) -> _Plan | None:
    """Plan a grouped file gather by gather; None where the whole grid is needed (cubes, one-gather files,
    interleaved gathers, a 3-D network)."""
    from seisfill.fill import NETWORK_METHODS
    from seisfill.io.gather_runs import NotGrouped, plan_gather_runs

    if method in NETWORK_METHODS and _network_ndim(options, task_opts, default_ndim=2) == 3:
        return None  # a 3-D network on a stack of gathers: bricks of the grid
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=layout.n_traces, desc="scan", unit="trace", unit_scale=True, dynamic_ncols=True)
    try:
        with open(filled_list, "wb") as fh:
            runs = plan_gather_runs(
                layout, key, sort, cube=cube, rms_outlier=rms_outlier, skip_empty=skip_empty, filled_list=fh,
                on_chunk=None if bar is None else bar.update,
            )
    except NotGrouped:
        filled_list.unlink(missing_ok=True)
        return None
    except BaseException:
        filled_list.unlink(missing_ok=True)
        raise
    finally:
        if bar is not None:
            bar.close()
    order = runs.key_order()
    tasks = _tasks(order[runs.n_target[order] > 0], per_task)

    def call(i: int, path: str, method: str, opts: dict, flag: str | None, trace_id: int, threads: int):
        t = tasks[i]
        return _fill_runs_task, (path, runs.first[t], runs.count[t], runs.width, runs.sort_key, rms_outlier,
                                 skip_empty, method, opts, flag, trace_id, threads)

    def finish(part: Path, side: Path, out: Path, source: Path, sidecar: str, head: dict) -> tuple[int, int]:
        os.replace(part, out)
        n_filled = int(runs.n_target.sum())
        _write_sidecar_streamed(sidecar, source, head, filled_list, n_filled)
        return runs.n_traces, n_filled

    return _Plan("gathers", tasks, call, finish, runs.n_gathers, "gather", runs.width)


def _plan_grid(
    layout: Any, method: str, options: Mapping[str, Any], task_opts: dict, key: str | None, sort: str | None,
    cube: bool | None, rms_outlier: float | None, regularize: bool, step: int | None, extent: str,
    skip_empty: bool, per_task: int, halo: int,
) -> _Plan:
    """Plan on the whole (gather, trace) or (inline, crossline) grid of :func:`seisfill.read_segy`."""
    import seisfill
    from seisfill.fill import NETWORK_METHODS, fill_targets

    source = layout.path
    read = dict(key=key, sort=sort, cube=cube, rms_outlier=rms_outlier, lazy=True)
    # headers of the geometry only (~12 B per trace kept, not ~330): the full headers are needed
    # only to give new traces (regularisation, absent cube nodes) their headers
    ds = seisfill.read_segy(source, **read, headers="all" if regularize else "geometry")
    if not regularize and np.any(~ds[names.LIVE].values & ~ds[names.PAD].values & (ds[names.TRACE_INDEX].values < 0)):
        ds = seisfill.read_segy(source, **read)
    if regularize:
        from seisfill.io.regularize import regularize_layout

        ds = regularize_layout(ds, step=step, extent=extent)
    g_dim, _ = names.slot_dims(ds)
    live = ds[names.LIVE].values
    slot_trace = ds[names.TRACE_INDEX].values.astype(np.int64)
    target = fill_targets(ds, skip_empty)
    # slots without a trace in the file (regularisation, missing cube nodes) become new traces
    absent_slots = np.flatnonzero((target & (slot_trace < 0)).ravel())
    three_d = method == "pocs" and int(options.get("ndim", 2)) == 3
    if method in NETWORK_METHODS:
        three_d = _network_ndim(options, task_opts, default_ndim=3 if g_dim == "inline" else 2) == 3
    bricks: list[Brick] = []
    if three_d:
        # bricks: blocks of per_task inlines (gathers) that hold a target, each read with
        # `halo` neighbours on both sides for context and blended with its neighbours at the seams
        n_rows = target.shape[0]
        bricks = plan_bricks([(a, min(n_rows, a + per_task)) for a in range(0, n_rows, per_task)],
                             target.any(axis=1), halo)
        tasks = [np.arange(br.lo, br.hi) for br in bricks]
    else:
        tasks = _tasks(np.flatnonzero(target.any(axis=1)), per_task)
    # headers of the new traces only, one row per absent slot
    headers_new = ds[names.TRACE_HEADER].values.reshape(-1, TRACE_HEADER_SIZE)[absent_slots] if absent_slots.size else None

    def call(i: int, path: str, method: str, opts: dict, flag: str | None, trace_id: int, threads: int):
        t = tasks[i]
        if bricks:
            return _fill_task, (path, slot_trace[t], live[t], needed_target(bricks[i], target), method, opts, flag,
                                trace_id, threads, bricks[i].zone_rows())
        return _fill_task, (path, slot_trace[t], live[t], target[t], method, opts, flag, trace_id, threads)

    def finish(part: Path, side: Path, out: Path, source: Path, sidecar: str, head: dict) -> tuple[int, int]:
        source_trace, slot, kind = _plan(ds, target)
        if absent_slots.size:
            _assemble(part, side, out, source, layout, source_trace, slot, kind, absent_slots)
        else:
            os.replace(part, out)
        record_json = dict(
            head,
            filled_output_traces=np.flatnonzero(kind == 1).tolist(),
            filled_source_traces=source_trace[kind == 1].tolist(),
            inserted_output_traces=np.flatnonzero(kind == 2).tolist(),
        )
        with atomic_output(sidecar, (source,)) as tmp:
            Path(tmp).write_text(json.dumps(record_json, indent=1))
        return int(kind.size), int(np.sum(kind != 0))

    return _Plan("grid", tasks, call, finish, int(live.shape[0]), g_dim, slot_trace.shape[1], bricks, absent_slots,
                 headers_new, slot_trace)


def _fill_runs_task(
    path: str, first: np.ndarray, count: np.ndarray, width: int, sort_key: str | None, rms_outlier: float | None,
    skip_empty: bool, method: str, options: Mapping[str, Any], flag: str | None, trace_id: int, threads: int,
) -> tuple[np.ndarray, ...]:
    """Fill ``k`` whole gathers of a grouped file, given by first trace and count (:class:`GatherRuns`).

    The task puts its gathers on their grid rows itself (:func:`read_gather_rows`),
    so the main process never holds a per-trace plan; then as :func:`_fill_task`.
    """
    from seisfill.io.gather_runs import read_gather_rows

    layout = open_layout(path)
    with TraceReader(layout) as reader:
        rows = read_gather_rows(reader, first, count, width, sort_key, rms_outlier)
    target = ~rows.live & ~rows.pad
    target &= rows.live.any(axis=1)[:, None]  # gathers with no live trace: left alone (skip_empty)
    return _fill_task(path, rows.slot_trace, rows.live, target, method, options, flag, trace_id, threads,
                      data=rows.data)


def _write_sidecar_streamed(sidecar: str, source: Path, head: dict, filled_list: Path, n_filled: int,
                            chunk: int = 1 << 16) -> None:
    """The JSON record of :func:`seisfill.write_segy`, its trace lists streamed from ``filled_list`` (int64).

    Byte for byte what ``json.dumps(record, indent=1)`` gives, without holding the lists.
    """
    marker = "\x00filled\x00"
    text = json.dumps(dict(head, filled_output_traces=marker, filled_source_traces=marker,
                           inserted_output_traces=[]), indent=1)
    pieces = text.split(json.dumps(marker))
    traces = np.memmap(filled_list, dtype=np.int64, mode="r", shape=(n_filled,)) if n_filled else None
    with atomic_output(sidecar, (source,)) as tmp, open(tmp, "w") as fh:
        fh.write(pieces[0])
        for piece in pieces[1:]:
            if traces is None:
                fh.write("[]")
            else:
                fh.write("[\n  ")
                for a in range(0, n_filled, chunk):
                    fh.write(",\n  ".join(map(str, traces[a : a + chunk].tolist())))
                    fh.write(",\n  " if a + chunk < n_filled else "\n ]")
            fh.write(piece)
    del traces


def _write_inserted(
    side_fd: int, flat: np.ndarray, values: np.ndarray, absent_slots: np.ndarray, headers_new: np.ndarray,
    layout: Any, flag: str | None, trace_id: int,
) -> None:
    """New traces (header from the regularised layout, trid, flag 2, encoded samples) into the side file."""
    rows = np.searchsorted(absent_slots, flat)
    raw = np.empty((flat.size, layout.trace_size), dtype=np.uint8)
    raw[:, :TRACE_HEADER_SIZE] = headers_new[rows]
    raw[:, TRACE_HEADER_SIZE:] = encode_samples(values, layout.format, layout.endian)
    mark_new_traces(raw, INSERTED_FLAG, layout.endian, flag, trace_id)
    for r, row in zip(rows, raw, strict=True):
        os.pwrite(side_fd, row.tobytes(), int(r) * layout.trace_size)


def _assemble(
    part: Path, side: Path, out: Path, source: Path, layout: Any, source_trace: np.ndarray, slot: np.ndarray,
    kind: np.ndarray, absent_slots: np.ndarray, chunk: int = 2048,
) -> None:
    """Write the final file in output order: traces of the in-place copy, inserted ones from the side file."""
    side_map = np.memmap(side, dtype=np.uint8, mode="r", shape=(absent_slots.size, layout.trace_size))
    part_layout = open_layout(part)
    with TraceReader(part_layout) as reader, atomic_output(out, (source,)) as tmp, open(tmp, "wb") as fh:
        with open(part, "rb") as src:
            fh.write(src.read(layout.data_offset))
        for a in range(0, kind.size, chunk):
            k = kind[a : a + chunk]
            buf = np.empty((k.size, layout.trace_size), dtype=np.uint8)
            from_file = k != 2
            if from_file.any():
                buf[from_file] = reader.read_raw(source_trace[a : a + chunk][from_file])
            if (~from_file).any():
                buf[~from_file] = side_map[np.searchsorted(absent_slots, slot[a : a + chunk][~from_file])]
            fh.write(buf)
        fh.flush()
        os.fsync(fh.fileno())
    del side_map


def _set_filled(raw: np.ndarray, values: np.ndarray, layout: Any, flag: str | None, trace_id: int) -> None:
    """Put filled samples into raw traces (m, trace_size), encoded in the file's format; trid and flag 1."""
    raw[:, TRACE_HEADER_SIZE:] = encode_samples(values, layout.format, layout.endian)
    mark_new_traces(raw, FILLED_FLAG, layout.endian, flag, trace_id)


def _pwrite_traces(fd: int, layout: Any, traces: np.ndarray, raw: np.ndarray) -> None:
    """Overwrite file traces ``traces`` (m,) of the output in place with ``raw`` (m, trace_size)."""
    for off, row in zip(layout.data_offset + traces * layout.trace_size, raw, strict=True):
        os.pwrite(fd, row.tobytes(), int(off))


def _sync(fd: int, journal: Path, pending: list[str], side_fd: int = -1) -> None:
    """Make the written traces durable, then record their tasks as done."""
    if not pending:
        return
    os.fsync(fd)
    if side_fd >= 0:
        os.fsync(side_fd)
    with open(journal, "a") as fh:
        fh.write("".join(f"{i}\n" for i in pending))
        fh.flush()
        os.fsync(fh.fileno())
    pending.clear()


def _run_distributed(
    client: Any, calls: Iterable[tuple[int, tuple[Callable[..., tuple], tuple]]], in_flight: int
) -> Iterator[tuple[int, tuple]]:
    """Submit ``(task, (function, args))`` calls with at most ``in_flight`` outstanding; yield (task, result)
    as they complete.  ``calls`` is consumed as tasks are submitted."""
    from dask.distributed import as_completed

    queue = iter(calls)
    futures = {}

    def submit(n: int) -> list:
        new = []
        for i, (fn, args) in queue:
            fut = client.submit(fn, *args, pure=False)
            futures[fut.key] = i
            new.append(fut)
            if len(new) == n:
                break
        return new

    ac = as_completed(submit(in_flight))
    for fut in ac:
        result = fut.result()
        yield futures.pop(fut.key), result
        for nf in submit(1):
            ac.add(nf)
