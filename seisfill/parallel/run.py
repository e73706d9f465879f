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

import math
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from seisfill.adapt import AdaptSettings, survey_options
from seisfill.errors import SeisfillError
from seisfill.io.headers import resolve_field
from seisfill.io.layout import SegyLayout, open_layout
from seisfill.io.write import DEFAULT_FLAG_WORD, FILLED_FLAG, INSERTED_FLAG, default_mode
from seisfill.methods import DEFAULT_METHOD, Method, get_method, sidecar_details
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
    #: of ``n_filled``, the traces inserted (slots absent from the file, ``regularize``, ``densify``)
    n_inserted: int = 0
    #: traces in the input file
    n_input: int = 0
    #: what the method chose and ``adapt`` did, as in the sidecar (``{"auto": {...}, "adapt": {...}}``)
    details: dict = field(default_factory=dict)


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
    densify: int | None = None,
    densify_axis: str = "crossline",
    workers: int = 0,
    scheduler: str | None = None,
    gathers_per_task: int = 8,
    halo: int = 4,
    resume: bool = False,
    flag_word: str | None = DEFAULT_FLAG_WORD,
    skip_empty: bool = False,
    trace_id: int = 1,
    progress: bool = False,
    adapt: AdaptSettings | None = None,
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
    densify : int, optional
        A factor (2-4): ``densify - 1`` new traces between every pair of neighbouring
        traces of each gather (inline), filled and written after their predecessor
        (:func:`seisfill.densify`; the same bytes).
    densify_axis : {"crossline", "inline", "both"}
        As for :func:`seisfill.densify` (``inline``, ``both``: cubes).  A 2-D method
        fills a cube densified along ``inline`` crossline by crossline (tasks of
        ``gathers_per_task`` crosslines); along ``both`` in two passes: the recorded
        inlines first (their samples kept in a temporary float32 file beside the
        output, about the size of the output), then the new inlines from them.  A
        3-D method takes bricks of the densified cube (the in-memory bytes when one
        brick holds it: ``gathers_per_task`` at least its inlines).
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
    adapt : AdaptSettings, optional
        Fine-tune the network once, here, on a sample of the file's gathers
        (:mod:`seisfill.adapt`); the workers load the adapted weights from a
        temporary file beside the output (kept for ``resume``).
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
    first_pass = journal.with_name(journal.name.replace("-journal", "-first-pass"))
    flag = resolve_field(flag_word) if flag_word else None
    plan, prepared = _make_plan(layout, filled_list, m, {k: v for k, v in options.items() if k != "progress"},
                                key, sort, cube, rms_outlier, regularize, step, extent, skip_empty,
                                int(gathers_per_task), halo, progress, densify, densify_axis, first_pass)
    adapted_weights = journal.with_name(journal.name.replace("-journal", "-adapted.pt"))
    temporary = (part, journal, side, filled_list, adapted_weights, first_pass)
    try:
        prepared, adapted = _survey(m, prepared, plan, source, adapt, adapted_weights, resume)
    except BaseException:
        for path in temporary:
            path.unlink(missing_ok=True)
        raise
    ctx = TaskContext(str(source), m, m.portable(prepared), flag, trace_id)
    identity = fingerprint(
        source, {"method": m.name, "options": ctx.options, "key": key, "sort": sort, "cube": cube,
                 "rms": rms_outlier, "flag": flag, "trace_id": trace_id, "per_task": gathers_per_task,
                 "skip_empty": skip_empty, "n_tasks": len(plan.tasks), "halo": halo if plan.bricks else None,
                 "blend": "sin2" if plan.bricks else None, "plan": plan.kind,
                 "regularize": [regularize, step, extent], "densify": densify,
                 "densify_axis": densify_axis if densify else None},
    )
    done, seams_done = _start_output(source, layout, plan, part, side, journal, identity, resume)
    n_resumed = len(done)
    writer = StreamWriter(plan, layout, part, side, journal, flag, trace_id, done, seams_done,
                          sync_every=float(os.environ.get("SEISFILL_SYNC_S", "2.0")))  # tests set 0
    bar = _bar(progress, len(plan.tasks), n_resumed, "fill", "task")
    try:
        with open_client(workers, scheduler) as (client, dashboard):
            if bar is not None and dashboard:  # while the cluster lives, above the bar
                bar.write(f"seisfill fill: Dask dashboard at {dashboard}", file=sys.stderr)
            for phase in plan.phases():  # a phase's tasks read what the one before wrote
                calls = ((i, plan.call(i, ctx)) for i in phase if i not in done)
                for i, result in run_tasks(calls, client, max(1, workers or 4) * 2):
                    writer.record(i, plan.take_result(i, result))
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
    details = sidecar_details(m.describe(prepared))
    if adapted is not None:
        details["adapt"] = adapted
        if "steps" in adapted:
            head["model"] = f"{adapted['model']}+adapted"
    head.update(details)
    os.chmod(part, default_mode())  # as a normal write makes it, whatever made or resumed the part file
    n_out, n_new = plan.finish(part, side, out, source, f"{out}.seisfill.json", head)
    for path in temporary:
        path.unlink(missing_ok=True)
    return FillFileSummary(
        str(out), plan.n_rows, n_out, n_new, len(plan.tasks), n_resumed, time.perf_counter() - start,
        f"{out}.seisfill.json", dashboard, plan.row_name, plan.kind, head["model"],
        int(plan.absent_slots.size), layout.n_traces, details=details,
    )


def _survey(
    method: Method, prepared: dict[str, Any], plan: Plan, source: Path, adapt: AdaptSettings | None,
    weights: Path, resume: bool,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``--adapt`` and the method's calibration on the plan's sample of gathers (the rows ``seisfill.fill``
    samples); a resumed run reuses the weights its first part adapted."""
    sample = partial(plan.sample, str(source))
    if adapt is not None and resume and weights.exists():
        from seisfill.models import resolve_model

        prepared, _ = survey_options(method, prepared, sample)  # the choice, made as the first part made it
        if prepared.get("model") is not None:
            prepared["model"] = resolve_model(str(weights), prepared.get("device", "auto"))
        return prepared, {"reused": str(weights)}
    return survey_options(method, prepared, sample, adapt, weights if adapt is not None else None)


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
    extent: str, skip_empty: bool, per_task: int, halo: int, progress: bool, densify: int | None = None,
    densify_axis: str = "crossline", first_pass: Path | None = None,
) -> tuple[Plan, dict[str, Any]]:
    """Gather by gather where the file allows it (grouped gathers, a 2-D method, no regularisation),
    else on the whole grid; returns the plan and the method's prepared options."""
    prepared = method.prepare(options, 2)  # a bad model name fails here, before any work
    if not regularize and not densify and not method.is_3d(prepared):
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
                     per_task, halo, densify, densify_axis, first_pass)


def _start_output(
    source: Path, layout: SegyLayout, plan: Plan, part: Path, side: Path, journal: Path, identity: dict,
    resume: bool,
) -> tuple[set[int], set[int]]:
    """Resume the partial output (tasks and seams on disk), or start it: a copy of the input, an empty side file
    for new traces, a journal holding the run's fingerprint."""
    first_pass = getattr(plan, "first_pass", None)
    if (resume and part.exists() and journal.exists() and (plan.absent_slots.size == 0 or side.exists())
            and (first_pass is None or first_pass.exists())):
        return read_journal(journal, identity)
    shutil.copyfile(source, part)
    if plan.absent_slots.size:
        with open(side, "wb") as fh:  # one row per inserted trace, filled in as tasks complete
            fh.truncate(int(plan.absent_slots.size) * layout.trace_size)
    if first_pass is not None:  # the first pass's rows, float32, filled in as its tasks complete
        with open(first_pass, "wb") as fh:
            fh.truncate(math.prod(plan.first_pass_shape) * 4)
    start_journal(journal, identity)
    return set(), set()
