"""``fill_file``: the streaming fill, put together from its pieces.

1. check the options and the paths;
2. plan (:mod:`seisfill.parallel.plan`): gather by gather for grouped files,
   else on the whole grid (bricks for 3-D methods);
3. start or resume the partial output and its journal (:mod:`.journal`);
4. run the tasks (:mod:`.tasks`) here or on Dask workers (:mod:`.schedule`),
   writing each result as it comes (:class:`.writer.StreamWriter`);
5. finish: the output and its sidecar in place, temporary files gone.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seisfill.errors import SeisfillError
from seisfill.io.headers import resolve_field
from seisfill.io.layout import SegyLayout, open_layout
from seisfill.io.write import DEFAULT_FLAG_WORD, FILLED_FLAG, INSERTED_FLAG, default_mode
from seisfill.methods import DEFAULT_METHOD, Method, get_method
from seisfill.parallel.journal import fingerprint, read_journal, start_journal
from seisfill.parallel.plan import Plan, TaskContext, plan_grid, plan_runs
from seisfill.parallel.schedule import open_client, run_tasks
from seisfill.parallel.writer import StreamWriter

__all__ = ["fill_file", "FillFileSummary", "partial_paths"]


@dataclass
class FillFileSummary:
    """What :func:`fill_file` did."""

    path: str
    n_gathers: int
    n_traces: int
    #: traces that got new samples: dead ones filled and missing ones inserted (``n_inserted`` of them)
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
    #: the network that filled, for network methods
    model: str | None = None
    #: of ``n_filled``, the traces inserted (slots absent from the file, ``regularize``)
    n_inserted: int = 0


def partial_paths(output: str | os.PathLike) -> tuple[Path, Path]:
    """The partial output and the journal of an unfinished run writing ``output``."""
    out = Path(output)
    return out.with_name(f".{out.name}.seisfill-part"), out.with_name(f".{out.name}.seisfill-journal")


def _side_paths(journal: Path) -> tuple[Path, Path]:
    """The side file of inserted traces and the list of filled traces of a run."""
    return (journal.with_name(journal.name.replace("-journal", "-inserted")),
            journal.with_name(journal.name.replace("-journal", "-filled")))


def fill_file(
    input_path: str | os.PathLike,
    output_path: str | os.PathLike,
    method: str | Method = DEFAULT_METHOD,
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
    method : str or Method
        A registered method (:func:`seisfill.list_methods`; default :data:`seisfill.DEFAULT_METHOD`).
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
        tqdm bars over the scan and the tasks (on stderr), and the Dask
        dashboard's address there when a cluster starts.
    **options
        Passed to the method (``Method.options``: ``model``, ``device``...).

    Returns
    -------
    FillFileSummary
    """
    start = time.perf_counter()
    source, out = Path(input_path), Path(output_path)
    m = get_method(method)
    m.require("--method")
    if gathers_per_task < 1:
        raise SeisfillError(f"gathers per task must be >= 1, got {gathers_per_task}")
    if workers < 0:
        raise SeisfillError(f"--workers must be >= 0, got {workers}")
    layout = open_layout(source)
    _check_output(source, out)
    part, journal = partial_paths(out)
    side, filled_list = _side_paths(journal)
    flag = resolve_field(flag_word) if flag_word else None
    plan, prepared = _make_plan(layout, filled_list, m, {k: v for k, v in options.items() if k != "progress"},
                                key, sort, cube, rms_outlier, regularize, step, extent, skip_empty,
                                int(gathers_per_task), halo, progress)
    ctx = TaskContext(str(source), m, m.portable(prepared), flag, trace_id)
    identity = fingerprint(
        source, {"method": m.name, "options": ctx.options, "key": key, "sort": sort, "cube": cube,
                 "rms": rms_outlier, "flag": flag, "trace_id": trace_id, "per_task": gathers_per_task,
                 "skip_empty": skip_empty, "n_tasks": len(plan.tasks), "halo": halo if plan.bricks else None,
                 "blend": "sin2" if plan.bricks else None, "plan": plan.kind,
                 "regularize": [regularize, step, extent]},
    )
    done, seams_done = _start_output(source, layout, plan, part, side, journal, identity, resume)
    n_resumed = len(done)
    temporary = (part, journal, side, filled_list)
    writer = StreamWriter(plan, layout, part, side, journal, flag, trace_id, done, seams_done,
                          sync_every=float(os.environ.get("SEISFILL_SYNC_S", "2.0")))  # tests set 0
    bar = _bar(progress, len(plan.tasks), n_resumed, "fill", "task")
    try:
        with open_client(workers, scheduler) as (client, dashboard):
            if bar is not None and dashboard:  # while the cluster lives, above the bar
                bar.write(f"seisfill fill: Dask dashboard at {dashboard}", file=sys.stderr)
            calls = ((i, plan.call(i, ctx)) for i in range(len(plan.tasks)) if i not in done)
            for i, result in run_tasks(calls, client, max(1, workers or 4) * 2):
                writer.record(i, result)
                if bar is not None:
                    bar.update(1)
            writer.sync()
            writer.check_complete()
    except BaseException as exc:
        writer.close()
        if not isinstance(exc, KeyboardInterrupt):  # an error, not an interruption: nothing to resume
            for path in temporary:
                path.unlink(missing_ok=True)
        raise
    finally:
        writer.close()
        if bar is not None:
            bar.close()
    head = {"source": str(input_path), "method": m.name, "model": m.describe(prepared).get("fill_model"),
            "flag_word": flag,
            "flag_values": {"filled": FILLED_FLAG, "inserted": INSERTED_FLAG}}
    os.chmod(part, default_mode())  # as a normal write makes it, whatever made or resumed the part file
    n_out, n_new = plan.finish(part, side, out, source, f"{out}.seisfill.json", head)
    for path in temporary:
        path.unlink(missing_ok=True)
    return FillFileSummary(
        str(out), plan.n_rows, n_out, n_new, len(plan.tasks), n_resumed, time.perf_counter() - start,
        f"{out}.seisfill.json", dashboard, plan.row_name, plan.kind, m.describe(prepared).get("fill_model"),
        int(plan.absent_slots.size),
    )


def _check_output(source: Path, out: Path) -> None:
    if out.resolve() == source.resolve() or (out.exists() and os.path.samefile(out, source)):
        raise SeisfillError(f"{out}: output path equals the input; choose another output file")
    if not out.parent.exists():
        raise SeisfillError(f"{out}: folder {out.parent} does not exist")


def _bar(progress: bool, total: int, initial: int, desc: str, unit: str) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc=desc, unit=unit, unit_scale=unit == "trace", dynamic_ncols=True)


def _make_plan(
    layout: SegyLayout, filled_list: Path, method: Method, options: dict[str, Any], key: str | None,
    sort: str | None, cube: bool | None, rms_outlier: float | None, regularize: bool, step: int | None,
    extent: str, skip_empty: bool, per_task: int, halo: int, progress: bool,
) -> tuple[Plan, dict[str, Any]]:
    """Gather by gather where the file allows it (grouped gathers, a 2-D method, no regularisation),
    else on the whole grid; returns the plan and the method's prepared options."""
    prepared = method.prepare(options, 2)  # a bad model name fails here, before any work
    if not regularize and not method.is_3d(prepared):
        bar = _bar(progress, layout.n_traces, 0, "scan", "trace")
        try:
            plan = plan_runs(layout, filled_list, key, sort, cube, rms_outlier, skip_empty, per_task,
                             on_chunk=None if bar is None else bar.update)
        finally:
            if bar is not None:
                bar.close()
        if plan is not None:
            return plan, prepared
    return plan_grid(layout, method, options, key, sort, cube, rms_outlier, regularize, step, extent, skip_empty,
                     per_task, halo)


def _start_output(
    source: Path, layout: SegyLayout, plan: Plan, part: Path, side: Path, journal: Path, identity: dict,
    resume: bool,
) -> tuple[set[int], set[int]]:
    """Resume the partial output (tasks and seams on disk), or start it: a copy of the input, an empty side file
    for new traces, a journal holding the run's fingerprint."""
    if resume and part.exists() and journal.exists() and (plan.absent_slots.size == 0 or side.exists()):
        return read_journal(journal, identity)
    shutil.copyfile(source, part)
    if plan.absent_slots.size:
        with open(side, "wb") as fh:  # one row per inserted trace, filled in as tasks complete
            fh.truncate(int(plan.absent_slots.size) * layout.trace_size)
    start_journal(journal, identity)
    return set(), set()
