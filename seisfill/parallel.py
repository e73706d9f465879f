"""Fill a SEG-Y file of any size with Dask workers, streaming, resumable.

:func:`fill_file` is ``seisfill fill --workers N``.  The main process scans the
trace headers once (:func:`seisfill.read_segy` with ``lazy=True``: no samples
in memory), finds the gathers that hold dead traces and cuts them into tasks
of ``gathers_per_task`` gathers.  Each task, on a Dask worker, reads its
gathers from the input file itself (``pread``), fills them with the chosen
method and returns only the bytes of the traces it filled (header with
TraceIdentificationCode and the flag word set, samples encoded in the file's
own format) -- exactly the bytes :func:`seisfill.write_segy` writes for them.

The output is a copy of the input in which the filled traces are overwritten
in place as tasks complete, so memory stays bounded whatever the file size:
the main process holds the headers, each worker one task.  The copy is named
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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
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
    import seisfill
    from seisfill.fill import METHODS, NETWORK_METHODS, fill_targets

    start = time.perf_counter()
    source, out = Path(input_path), Path(output_path)
    if method not in METHODS:
        raise SeisfillError(f"unknown method '{method}'; choose one of: {', '.join(sorted(METHODS))}")
    if gathers_per_task < 1:
        raise SeisfillError(f"gathers per task must be >= 1, got {gathers_per_task}")
    if workers < 0:
        raise SeisfillError(f"--workers must be >= 0, got {workers}")
    read = dict(key=key, sort=sort, cube=cube, rms_outlier=rms_outlier, lazy=True)
    # headers of the geometry only (~45 B per trace, not ~550): the full headers are needed
    # only to give new traces (regularisation, absent cube nodes) their headers
    ds = seisfill.read_segy(source, **read, headers="all" if regularize else "geometry")
    if not regularize and np.any(~ds[names.LIVE].values & ~ds[names.PAD].values & (ds[names.TRACE_INDEX].values < 0)):
        ds = seisfill.read_segy(source, **read)
    if regularize:
        from seisfill.io.regularize import regularize_layout

        ds = regularize_layout(ds, step=step, extent=extent)
    g_dim, _ = names.slot_dims(ds)
    live = ds[names.LIVE].values
    pad = ds[names.PAD].values if names.PAD in ds else np.zeros_like(live)
    slot_trace = ds[names.TRACE_INDEX].values.astype(np.int64)
    layout = open_layout(source)
    target = ~live & ~pad
    target &= fill_targets(ds, skip_empty)
    # slots without a trace in the file (regularisation, missing cube nodes) become new traces
    absent_slots = np.flatnonzero((target & (slot_trace < 0)).ravel())
    three_d = method == "pocs" and int(options.get("ndim", 2)) == 3
    if method in NETWORK_METHODS:
        from seisfill.models import resolve_model

        model = resolve_model(options.get("model"), options.get("device", "auto"), ndim=3 if g_dim == "inline" else 2)
        three_d = model.ndim == 3
        options = dict(options, model=model.name if model.card is not None else str(options.get("model")))
    flag = resolve_field(flag_word) if flag_word else None
    bricks: list[Brick] = []
    if three_d:
        # bricks: blocks of gathers_per_task inlines (gathers) that hold a target, each read with
        # `halo` neighbours on both sides for context and blended with its neighbours at the seams
        n_rows, per = target.shape[0], int(gathers_per_task)
        bricks = plan_bricks([(a, min(n_rows, a + per)) for a in range(0, n_rows, per)], target.any(axis=1), halo)
        tasks = [np.arange(br.lo, br.hi) for br in bricks]
        task_target = [needed_target(br, target) for br in bricks]
        zones = [br.zone_rows() for br in bricks]
    else:
        tasks = _tasks(np.flatnonzero(target.any(axis=1)), int(gathers_per_task))
        task_target = [target[t] for t in tasks]
        zones = [None] * len(tasks)
    part, journal = partial_paths(out)
    task_opts = {k: v for k, v in options.items() if k != "progress"}
    fingerprint = _fingerprint(
        source, {"method": method, "options": task_opts, "key": key, "sort": sort, "cube": cube,
                 "rms": rms_outlier, "flag": flag, "trace_id": trace_id, "per_task": gathers_per_task,
                 "skip_empty": skip_empty, "n_tasks": len(tasks), "halo": halo if three_d else None,
                 "blend": "sin2" if three_d else None,
                 "regularize": [regularize, step, extent]},
    )
    if out.resolve() == source.resolve() or (out.exists() and os.path.samefile(out, source)):
        raise SeisfillError(f"{out}: output path equals the input; choose another output file")
    if not out.parent.exists():
        raise SeisfillError(f"{out}: folder {out.parent} does not exist")
    side = journal.with_name(journal.name.replace("-journal", "-inserted"))
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
    # headers of the new traces only, one row per absent slot
    headers_new = ds[names.TRACE_HEADER].values.reshape(-1, TRACE_HEADER_SIZE)[absent_slots] if absent_slots.size else None
    n_trace_axis = slot_trace.shape[1]
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
    n_filled = 0
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
            nonlocal n_filled
            traces = slot_trace.ravel()[flat]
            here = traces >= 0
            if here.any():
                raw = header_reader.read_raw(traces[here])
                _set_filled(raw, values[here], layout, flag, trace_id)
                _pwrite_traces(fd, layout, traces[here], raw)
            if (~here).any():
                _write_inserted(side_fd, flat[~here], values[~here], absent_slots, headers_new, layout, flag,
                                trace_id)
            n_filled += flat.size

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
            nonlocal last_sync, n_filled
            _pwrite_traces(fd, layout, traces, raw)
            if new_at.size:
                _write_inserted(side_fd, to_global(idx, new_at), new_values, absent_slots, headers_new, layout,
                                flag, trace_id)
            n_filled += traces.size + new_at.size
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

        args = [
            (str(source), slot_trace[tasks[i]], live[tasks[i]], task_target[i], method, task_opts, flag, trace_id,
             threads, zones[i])
            for i in todo
        ]
        if client is None:
            for i, a in zip(todo, args, strict=True):
                record(i, *_fill_task(*a))
        else:
            for i, result in _run_distributed(client, todo, args, max(1, workers or 4) * 2):
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
            part.unlink(missing_ok=True)
            journal.unlink(missing_ok=True)
            side.unlink(missing_ok=True)
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
    source_trace, slot, kind = _plan(ds, target)
    if absent_slots.size:
        _assemble(part, side, out, source, layout, source_trace, slot, kind, absent_slots)
        part.unlink(missing_ok=True)
        side.unlink(missing_ok=True)
    else:
        os.replace(part, out)
    journal.unlink(missing_ok=True)
    sidecar = f"{out}.seisfill.json"
    record_json = {
        "source": str(input_path),
        "method": method,
        "flag_word": flag,
        "flag_values": {"filled": FILLED_FLAG, "inserted": INSERTED_FLAG},
        "filled_output_traces": np.flatnonzero(kind == 1).tolist(),
        "filled_source_traces": source_trace[kind == 1].tolist(),
        "inserted_output_traces": np.flatnonzero(kind == 2).tolist(),
    }
    with atomic_output(sidecar, (source,)) as tmp:
        Path(tmp).write_text(json.dumps(record_json, indent=1))
    return FillFileSummary(
        str(out), int(live.shape[0]), int(kind.size), int(np.sum(kind != 0)), len(tasks), n_resumed,
        time.perf_counter() - start, sidecar, dashboard, g_dim,
    )


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


def _run_distributed(client: Any, todo: list[int], args: list[tuple], in_flight: int) -> Iterator[tuple[int, tuple[np.ndarray, np.ndarray]]]:
    """Submit tasks with at most ``in_flight`` outstanding; yield (task, result) as they complete."""
    from dask.distributed import as_completed

    queue = list(zip(todo, args, strict=True))
    futures = {}

    def submit(n: int) -> list:
        new = []
        for _ in range(n):
            if not queue:
                break
            i, a = queue.pop(0)
            fut = client.submit(_fill_task, *a, pure=False)
            futures[fut.key] = i
            new.append(fut)
        return new

    ac = as_completed(submit(in_flight))
    for fut in ac:
        result = fut.result()
        yield futures.pop(fut.key), result
        for nf in submit(1):
            ac.add(nf)
