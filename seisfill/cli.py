"""The ``seisfill`` command line: thin, it parses, calls the library, prints.

Every user error (bad file, bad key, bad option) ends with one line on
stderr and a non-zero exit code: 1 for problems with the input, 2 for
wrong usage.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from seisfill import __version__
from seisfill.errors import SeisfillError

__all__ = ["main", "build_parser"]

EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line, not a usage block, naming the subcommand's help."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.commands: dict[str, argparse.ArgumentParser] = {}  # the subcommands' parsers, by name

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(EXIT_USAGE)

    def parse_args(self, args: Any = None, namespace: Any = None) -> argparse.Namespace:  # type: ignore[override]
        """Options a subcommand does not know are its error (argparse leaves them to the top level)."""
        parsed, unknown = self.parse_known_args(args, namespace)
        if unknown:
            command = self.commands.get(getattr(parsed, "command", None) or "", self)
            known = [o for a in command._actions for o in a.option_strings if o.startswith("--")]
            guesses = [g for u in unknown if u.startswith("--")
                       for g in difflib.get_close_matches(u.partition("=")[0], known, n=1)]
            hint = f" (did you mean {' '.join(guesses)}?)" if guesses else ""
            command.error(f"unrecognized arguments: {' '.join(unknown)}{hint}")
        return parsed


def _add_geometry(p: argparse.ArgumentParser) -> None:
    p.add_argument("--key", help="header word that defines gathers (FieldRecord, CDP, fldr, ...; 'none': one gather). Default: detected")
    p.add_argument("--sort", help="header word to sort traces within a gather (offset, TraceNumber, ...). Default: detected")
    cube = p.add_mutually_exclusive_group()
    cube.add_argument("--cube", dest="cube", action="store_true", default=None, help="read as an (inline, crossline) post-stack cube")
    cube.add_argument("--no-cube", dest="cube", action="store_false", help="never read as a cube")


def _takers(option: str) -> str:
    """The methods that take ``option``, for help texts: "hybrid / unet"."""
    from seisfill.methods import get_method, list_methods

    return " / ".join(m for m in list_methods() if option in get_method(m).options)


def _add_method(p: argparse.ArgumentParser, default: str | None = None) -> None:
    """--method (default: ``default``, else DEFAULT_METHOD) and the network options, from the method registry."""
    from seisfill.methods import DEFAULT_METHOD, get_method, list_methods

    default = default or DEFAULT_METHOD
    lines = "; ".join(f"{name}: {get_method(name).summary}" + (" (needs torch)" if get_method(name).needs_torch else "")
                      for name in list_methods())
    p.add_argument("--method", default=default, choices=list_methods(), metavar="METHOD",
                   help=f"interpolation method (default: {default}). {lines}")
    p.add_argument("--model", default=None, metavar="NAME|PATH", help=f"network for --method {_takers('model')}: a shipped name (seisfill models) or a .pt file from seisfill train (default: gated2d for gathers and lines, partial3d for cubes)")
    p.add_argument("--device", default=None, help=f"auto (CUDA when available; the default), cpu, cuda or cuda:N (--method {_takers('device')})")
    p.add_argument("--batch-size", type=int, default=None, metavar="N", help=f"windows per forward pass (--method {_takers('batch_size')}; default 16)")
    p.add_argument("--option", action="append", default=[], metavar="NAME=VALUE", help="any other option of the method (repeatable; values read as YAML), e.g. --option ndim=3 --option fast=true; seisfill methods lists each method's options")


def _add_progress(p: argparse.ArgumentParser) -> None:
    prog = p.add_mutually_exclusive_group()
    prog.add_argument("--progress", dest="progress", action="store_true", default=None, help="show a progress bar over the gathers (or tasks) on stderr (default: when stderr is a terminal)")
    prog.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")


def _add_densify(p: argparse.ArgumentParser) -> None:
    """The ``densify`` subcommand's own options."""
    from seisfill.io.densify_grid import AXES, FACTORS
    from seisfill.methods import DEFAULT_DENSIFY_METHOD

    p.add_argument("input", type=Path, help="the SEG-Y file")
    p.add_argument("output", type=Path, help="the SEG-Y file to write, never the input")
    _add_geometry(p)
    p.add_argument("--factor", type=int, default=2, choices=FACTORS, metavar="N", help="N - 1 new traces between every two neighbouring traces: the trace spacing divided by N (2, 3 or 4; default 2)")
    p.add_argument("--axis", default="crossline", choices=AXES, help="cubes: new traces within each inline (crossline), new inlines (inline) or both; gathers and lines have only their trace axis (crossline, the default)")
    _add_method(p, DEFAULT_DENSIFY_METHOD)
    _add_progress(p)
    p.add_argument("--workers", type=int, default=None, metavar="N", help="densify on N Dask worker processes, streaming (0: the same streaming job in this process); the same bytes")
    p.add_argument("--gathers-per-task", type=int, default=8, metavar="N", help="gathers (inlines) per Dask task with --workers (default 8)")
    p.add_argument("--rms-outlier", type=float, metavar="K", help="treat traces whose RMS is K robust sigmas off their gather as dead (filled too)")
    p.add_argument("--flag-word", default="UnassignedInt1", help="header word that records filled (1) and inserted (2) traces; 'none' to leave headers alone (default: UnassignedInt1, bytes 233-236)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``seisfill`` command."""
    parser = _Parser(prog="seisfill", description="Fill missing and dead traces in seismic surveys.")
    parser.add_argument("--version", action="version", version=f"seisfill {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def command(name: str, summary: str, description: str, **kwargs: Any) -> argparse.ArgumentParser:
        parser.commands[name] = sub.add_parser(name, help=summary, description=description, **kwargs)
        return parser.commands[name]

    p = command("info", "summarise a SEG-Y file: format, geometry, dead and missing traces",
                "Summarise a SEG-Y file without changing it: sample format, interval and count, how the traces "
                "group into gathers (or an inline x crossline cube), and per gather the dead traces (flagged dead by "
                "TraceIdentificationCode, all zero, constant or not finite) and the slots missing from its sequence "
                "of the sort key.")
    p.add_argument("input", type=Path, help="the SEG-Y file")
    _add_geometry(p)
    p.add_argument("--rms-outlier", type=float, metavar="K", help="also count traces whose RMS is K robust sigmas off their gather")
    p.add_argument("--gathers", type=int, default=20, metavar="N", help="rows of the per-gather table (0: none, -1: all; default 20)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")

    p = command("fill", "fill dead and missing traces, write SEG-Y",
                "Fill the dead traces (with --regularize also the missing ones) of a survey and write a new file. "
                "Live traces are copied byte for byte, headers and all; filled traces keep their headers but for "
                "TraceIdentificationCode (1) and the --flag-word flag, get new samples, and are listed in a JSON "
                "record beside a SEG-Y output (OUTPUT.seisfill.json). With --workers the file is filled in "
                "streaming tasks, in bounded memory and resumably.")
    p.add_argument("input", type=Path, help="the SEG-Y file to fill (or a .nc/.zarr file from seisfill convert)")
    p.add_argument("output", type=Path, help="the file to write, never the input: .sgy/.segy, or .nc/.zarr for a dataset")
    _add_geometry(p)
    _add_method(p)
    _add_progress(p)
    p.add_argument("--workers", type=int, default=None, metavar="N", help="fill on N Dask worker processes (LocalCluster), streaming: bounded memory whatever the file size; 0: the same streaming job in this process")
    p.add_argument("--scheduler", metavar="ADDRESS", help="use a running dask.distributed scheduler (tcp://host:8786) instead of a LocalCluster")
    p.add_argument("--resume", action="store_true", help="continue an interrupted --workers run writing the same output (redo only unwritten gathers)")
    p.add_argument("--gathers-per-task", type=int, default=8, metavar="N", help="gathers per Dask task (default 8); inlines per brick for 3-D methods")
    p.add_argument("--halo", type=int, default=4, metavar="N", help="3-D methods with --workers: inlines of context read on each side of a brick; neighbouring bricks are blended over min(N, brick/2) inlines each side of a seam (default 4)")
    p.add_argument("--regularize", action="store_true", help="insert slots missing from each gather's nominal sequence (of the sort key) and fill them as new traces")
    p.add_argument("--step", type=int, help="nominal spacing of the sort key for --regularize (default: most common)")
    p.add_argument("--extent", choices=("gather", "survey"), default="gather", help="--regularize range: within each gather, or the survey-wide first..last value (default: gather)")
    p.add_argument("--rms-outlier", type=float, metavar="K", help="treat traces whose RMS is K robust sigmas off their gather as dead")
    p.add_argument("--flag-word", default="UnassignedInt1", help="header word that records filled (1) and inserted (2) traces; 'none' to leave headers alone (default: UnassignedInt1, bytes 233-236)")
    p.add_argument("--skip-empty", action="store_true", help="pass gathers with no live trace through unfilled instead of failing")
    p.add_argument("--adapt", action="store_true", help=f"network methods ({_takers('model')}): first fine-tune the network on this file's own live traces (hide some like the real gaps, learn to restore them, stop on a held-back set), then fill with it")
    p.add_argument("--adapt-budget", type=float, default=None, metavar="SECONDS", help="--adapt: seconds of training at most (default 60)")

    p = command("densify", "insert traces between the recorded ones (a denser grid), fill them, write SEG-Y",
                "Make a denser grid: N - 1 new traces between every two neighbouring traces of each gather (line, "
                "or cube axis), filled by the method together with the input's dead and missing traces. Recorded "
                "traces are copied byte for byte; each new trace is written right after its predecessor, with a "
                "header interpolated between its two neighbours (grid and count words such as TraceNumber, CDP, "
                "INLINE_3D/CROSSLINE_3D: the predecessor's value), flag 2 and TraceIdentificationCode 1, and is "
                "listed with its neighbours and fractional position in OUTPUT.seisfill.json.")
    _add_densify(p)

    p = command("methods", "list the fill methods, their options and defaults",
                "List the registered fill methods, the recommended one first, with each method's options and their "
                "defaults; give any of them to seisfill fill as --option NAME=VALUE.")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")

    p = command("models", "list the shipped pretrained models and their validation figures",
                "List the networks shipped with seisfill (use one with seisfill fill --model NAME): dimensions, "
                "convolution, size, and SNR on held-out real data for three decimation patterns. Each has a model "
                "card, seisfill/weights/NAME.md, that says how it was trained and validated.")
    p.add_argument("--json", action="store_true", help="print the model cards as JSON")

    p = command("convert", "convert SEG-Y <-> netCDF (.nc) / Zarr (.zarr), exactly",
                "Convert between SEG-Y and netCDF (.nc) or Zarr (.zarr), the formats read from the extensions. "
                "The dataset keeps the samples in a type that holds them exactly and every header raw, so "
                "SEG-Y -> netCDF/Zarr -> SEG-Y gives back the original file byte for byte.")
    p.add_argument("input", type=Path, help="the file to convert: .sgy/.segy, .nc or .zarr")
    p.add_argument("output", type=Path, help="the file to write, in the format of its extension: .sgy/.segy, .nc or .zarr")
    _add_geometry(p)

    p = command("train", "train a masked U-Net (needs torch): seisfill train --config configs/cpu_2d.yaml",
                "Train a masked U-Net on patches of SEG-Y files or synthetic gathers, as an experiment config "
                "(configs/*.yaml) describes; the run folder gets checkpoints, the resolved config and a weights file "
                "that seisfill fill --model PATH loads. seisfill train --help lists its own options.", add_help=False)
    p.add_argument("train_args", nargs=argparse.REMAINDER, help="arguments of python -m seisfill.train (--config, --resume, --out, --set k=v)")

    p = command("decimate", "kill traces of a SEG-Y file to make test data (zeroed, TraceIdentificationCode 2)",
                "Make test data from a complete file: kill traces by a decimation pattern (samples zeroed, "
                "TraceIdentificationCode 2, so seisfill reads them as dead), the same traces for the same --seed. "
                "Fill the result and compare it with the original: seisfill qc --reference, or seisfill evaluate "
                "for several patterns and methods at once.")
    p.add_argument("input", type=Path, help="the complete SEG-Y file")
    p.add_argument("output", type=Path, help="the SEG-Y file to write, with the killed traces")
    _add_geometry(p)
    p.add_argument("--pattern", default="random50", help="random50, regular2, jitter3, gap8, gap16x2, dead5, mix:random30+gap8 (default: random50)")
    p.add_argument("--fraction", type=float, metavar="F", help="with a bare --pattern random or dead: the fraction of traces to kill (--pattern random --fraction 0.5 = random50)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random patterns: the same seed kills the same traces (default 0)")

    p = command("qc", "QC report of a filled file: a QC sheet (PNG) per gather and index.html",
                "Draw a QC report of a filled file in a folder: for the gathers with filled traces (up to "
                "--max-sheets) a sheet with the input, the filled gather, their difference and f-k spectra (with "
                "--reference also the true gather and the SNR of each filled trace), and index.html with a table of "
                "every gather.")
    p.add_argument("input", type=Path, help="the file before filling")
    p.add_argument("filled", type=Path, help="the output of seisfill fill")
    _add_geometry(p)
    p.add_argument("--reference", type=Path, help="the true data (decimation tests): reference panel and SNR")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="report folder (replaced if it holds an earlier report)")
    p.add_argument("--max-sheets", type=int, default=50, metavar="N", help="QC sheets drawn at most, gathers with filled traces first (default 50)")
    p.add_argument("--cmap", choices=("grey", "seismic"), default="grey", help="colour map of the gather panels (default: grey)")

    p = command("evaluate", "decimate a complete file, fill with each method, print the SNR table",
                "Find the method that suits a survey: decimate a complete file with each pattern, fill it with each "
                "method, and print the SNR of the filled traces against what was recorded there (one row per method, "
                "one column per pattern).")
    p.add_argument("input", type=Path, help="a complete SEG-Y file (few or no dead traces)")
    _add_geometry(p)
    p.add_argument("--patterns", default="random50,regular2,gap8", help="comma-separated decimation patterns (default: random50,regular2,gap8)")
    p.add_argument("--methods", default=None, help="comma-separated methods (default: every method, see seisfill fill --help; without torch those that need none)")
    p.add_argument("--format", choices=("text", "csv", "markdown"), default="text", help="table format (default: text)")
    p.add_argument("--out", type=Path, metavar="DIR", help="also write a QC sheet per pattern and method here")
    p.add_argument("--seed", type=int, default=0, help="seed of the decimation patterns: the same seed kills the same traces (default 0)")
    return parser


def _cmd_info(args: argparse.Namespace) -> dict:
    from seisfill.info import summarize

    summary = summarize(args.input, key=args.key, sort=args.sort, cube=args.cube, rms_outlier=args.rms_outlier)
    if args.json:
        print(json.dumps(summary, indent=1))
    else:
        from seisfill.info import format_summary

        print(format_summary(summary, max_rows=args.gathers))
    return summary


def _cmd_fill(args: argparse.Namespace) -> None:
    import seisfill

    start = time.perf_counter()
    _refuse_same_path(args.input, args.output)
    if args.workers is not None or args.scheduler or args.resume:
        _cmd_fill_streaming(args)
        return
    from seisfill.io.convert import kind_of, read_dataset, write_dataset

    src_kind, dst_kind = kind_of(args.input), kind_of(args.output)
    if src_kind == "segy":
        ds = seisfill.read_segy(args.input, key=args.key, sort=args.sort, cube=args.cube, rms_outlier=args.rms_outlier)
    else:  # netCDF / Zarr: lazy, chunk by chunk (Zarr -> Zarr never holds the survey in memory)
        ds = read_dataset(args.input, chunks={})
    gaps = 0
    if args.regularize:
        ds = seisfill.regularize(ds, step=args.step, extent=args.extent)
    elif src_kind == "segy":
        from seisfill.io.regularize import count_sequence_gaps

        gaps = int(count_sequence_gaps(ds).sum())
    options = _method_options(args)
    t_fill = time.perf_counter()
    filled = seisfill.fill(ds, method=args.method, skip_empty=args.skip_empty, progress=_progress(args),
                           adapt=_adapt(args), **options)
    t_fill = time.perf_counter() - t_fill
    flag = _flag_word(args)
    from seisfill.methods import sidecar_details

    details = sidecar_details(filled.attrs)
    how = {"method": filled.attrs["fill_method"], "model": filled.attrs.get("fill_model"), "details": details}
    g_dim = filled["live"].dims[0]
    if dst_kind != "segy":
        import numpy as np

        write_dataset(filled, args.output, inputs=(args.input,))
        new = filled["filled"].values
        absent = filled["trace_index"].values < 0 if "trace_index" in filled else np.zeros_like(new)
        slots = ~filled["pad"].values if "pad" in filled else np.ones_like(new)
        print(_fill_summary(
            args.input, args.output, filled.sizes[g_dim], g_dim, int(slots.sum()), int((new & ~absent).sum()),
            int((new & absent).sum()), **how, record=f"the 'filled' variable of {args.output}",
            seconds=time.perf_counter() - start, fill_seconds=t_fill,
        ))
        return
    template = args.input if src_kind == "segy" else None
    summary = seisfill.write_segy(filled, args.output, template=template, flag_word=flag)
    print(_fill_summary(
        args.input, args.output, filled.sizes[g_dim], g_dim, summary.n_traces, summary.n_filled, summary.n_inserted,
        **how, record=_record(summary.sidecar, flag), seconds=time.perf_counter() - start, fill_seconds=t_fill,
    ))
    if gaps:
        print(
            f"  note: {gaps} trace slot(s) missing from the gathers' {ds.attrs.get('sort_key')} sequence "
            "were not inserted; add --regularize to insert and fill them"
        )


def _cmd_densify(args: argparse.Namespace) -> None:
    import seisfill

    start = time.perf_counter()
    _refuse_same_path(args.input, args.output)
    options = _method_options(args)
    flag = _flag_word(args)
    read = dict(key=args.key, sort=args.sort, cube=args.cube, rms_outlier=args.rms_outlier)
    if args.workers is not None:
        from seisfill.parallel import fill_file

        done = fill_file(args.input, args.output, args.method, **read, densify=args.factor, densify_axis=args.axis,
                         workers=args.workers,
                         gathers_per_task=args.gathers_per_task, flag_word=flag, progress=_progress(args), **options)
        counts = (done.n_input, done.n_traces, done.n_filled - done.n_inserted)
        where = f"{args.workers} worker(s)" if args.workers else "this process"
        rows, streaming = (done.n_gathers, done.row_name), f"on {where}: {done.n_tasks} task(s)"
        how, sidecar = {"method": args.method, "model": done.model}, done.sidecar
    else:
        ds = seisfill.read_segy(args.input, **read)
        dense = seisfill.densify(ds, args.factor, args.axis, args.method, progress=_progress(args), **options)
        written = seisfill.write_segy(dense, args.output, template=args.input, flag_word=flag)
        counts = (int(ds.attrs["segy_n_traces"]), written.n_traces, written.n_filled)
        rows, streaming = (ds["live"].shape[0], ds["live"].dims[0]), None
        how, sidecar = {"method": dense.attrs["fill_method"], "model": dense.attrs.get("fill_model")}, written.sidecar
    n_in, n_out, n_dead = counts
    print("\n".join([
        f"seisfill densify: {args.input} -> {args.output}",
        f"  factor {args.factor} along {args.axis}: {rows[0]} {rows[1]}(s), {n_in} traces in, {n_out} traces out "
        f"({n_out - n_in} new), {n_dead} dead trace(s) filled",
        f"  method '{how['method']}'" + (f" (model {how['model']})" if how["model"] else ""),
        *([f"  {streaming}"] if streaming else []),
        f"  record of new traces: {_record(sidecar, flag)}",
        f"  {time.perf_counter() - start:.2f} s",
    ]))


def _method_options(args: argparse.Namespace) -> dict:
    """The method's options from the command line (checked here: one clear line for each bad one).

    An option goes to the method only if the user gave it and the method takes
    it (``Method.options``); ``--progress`` is not one (:func:`_progress`).
    """
    from seisfill.methods import get_method

    method = get_method(args.method)
    method.require("--method")
    given = {"model": args.model, "device": args.device, "batch_size": args.batch_size}
    for name, value in given.items():
        if value is not None and name not in method.options:
            flag = "--" + name.replace("_", "-")
            raise SeisfillError(f"{flag} is for --method {_takers(name).replace(' / ', ' or ')}, not '{method.name}'")
    if args.batch_size is not None and args.batch_size < 1:
        raise SeisfillError(f"--batch-size must be >= 1, got {args.batch_size}")
    options = {k: v for k, v in given.items() if v is not None}
    options.update(_parse_options(args.option, method))
    return options


def _progress(args: argparse.Namespace) -> bool:
    """``--progress`` / ``--no-progress``, else a bar when stderr is a terminal: one bar, for every method."""
    return sys.stderr.isatty() if args.progress is None else args.progress


def _parse_options(pairs: list[str], method: object) -> dict:
    """``--option NAME=VALUE`` pairs: names checked against the method's options, values read as YAML."""
    import yaml

    options = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name:
            raise SeisfillError(f"--option {pair!r}: write NAME=VALUE, e.g. --option ndim=3")
        if name not in method.options or name in ("model", "device", "batch_size", "progress"):
            known = ", ".join(k for k in method.options if k not in ("model", "device", "batch_size", "progress"))
            raise SeisfillError(f"--option {name}: not an option of --method {method.name} (its options: {known or 'none'})")
        try:
            options[name] = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SeisfillError(f"--option {pair!r}: unreadable value ({str(exc).splitlines()[0]})") from exc
    return options


def _cmd_fill_streaming(args: argparse.Namespace) -> None:
    from seisfill.parallel import fill_file

    options = _method_options(args)
    flag = _flag_word(args)
    summary = fill_file(
        args.input, args.output, args.method, key=args.key, sort=args.sort, cube=args.cube,
        rms_outlier=args.rms_outlier, regularize=args.regularize, step=args.step, extent=args.extent,
        workers=args.workers or 0, scheduler=args.scheduler,
        gathers_per_task=args.gathers_per_task, halo=args.halo, resume=args.resume,
        flag_word=flag, skip_empty=args.skip_empty, progress=_progress(args), adapt=_adapt(args), **options,
    )
    where = f"{args.workers} worker(s)" if args.workers else ("scheduler " + args.scheduler if args.scheduler else "this process")
    print(_fill_summary(
        args.input, args.output, summary.n_gathers, summary.row_name, summary.n_traces,
        summary.n_filled - summary.n_inserted, summary.n_inserted, method=args.method, model=summary.model,
        details=summary.details, record=_record(summary.sidecar, flag), seconds=summary.seconds,
        streaming=f"on {where}: {summary.n_tasks} task(s)"
        + (f", {summary.n_resumed} done before (resumed)" if summary.n_resumed else "")
        + ("; planned gather by gather" if summary.plan == "gathers" else "; planned on the whole grid"),
    ))


def _adapt(args: argparse.Namespace) -> Any:
    """``--adapt [--adapt-budget S]`` as :class:`seisfill.adapt.AdaptSettings` (None without ``--adapt``)."""
    if args.adapt_budget is not None and not args.adapt:
        raise SeisfillError("--adapt-budget sets the time of --adapt; add --adapt")
    if not args.adapt:
        return None
    from seisfill.adapt import AdaptSettings

    settings = AdaptSettings() if args.adapt_budget is None else AdaptSettings(budget_s=args.adapt_budget)
    settings.check()
    return settings


def _detail_lines(details: dict | None) -> list[str]:
    """Summary lines for the self-check's choice and the adaptation."""
    lines = []
    auto = (details or {}).get("auto")
    if auto:
        scores = ", ".join(f"{k} {v:.2f}" for k, v in sorted(auto.get("scores_db", {}).items(), key=lambda kv: -kv[1]))
        lines.append(f"  self-check chose {auto.get('choice')}" + (f" (hidden-trace SNR dB: {scores})" if scores else ""))
    adapt = (details or {}).get("adapt")
    if adapt and "steps" in adapt:
        lines.append(f"  adapted {adapt['model']} in {adapt['seconds']:.1f} s ({adapt['steps']} steps, budget "
                     f"{adapt['budget_s']:g} s): held-back SNR {adapt['held_back_snr_db_before']:.2f} -> "
                     f"{adapt['held_back_snr_db_after']:.2f} dB")
    elif adapt and "skipped" in adapt:
        lines.append(f"  --adapt skipped: {adapt['skipped']}")
    elif adapt:
        lines.append(f"  adapted weights reused from the interrupted run ({adapt.get('reused')})")
    return lines


def _flag_word(args: argparse.Namespace) -> str | None:
    return None if str(args.flag_word).lower() == "none" else args.flag_word


def _record(sidecar: str | None, flag: str | None) -> str:
    """Where the filled traces are recorded: the JSON sidecar and the flag word."""
    return f"{sidecar}" + (f" and header word {flag} (1 filled, 2 inserted)" if flag else "")


def _fill_summary(
    source: Path, output: Path, n_rows: int, row_name: str, n_traces: int, n_filled: int, n_inserted: int, *,
    method: str, model: str | None, record: str, seconds: float, fill_seconds: float | None = None,
    streaming: str | None = None, details: dict | None = None,
) -> str:
    """The lines ``seisfill fill`` prints when done, the same on the in-process and the streaming path.

    Parameters
    ----------
    source, output : Path
    n_rows, row_name : int, str
        Gathers (or inlines) and what a row is.
    n_traces, n_filled, n_inserted : int
        Traces written; of them dead ones filled and missing ones inserted.
    method, model : str, str or None
        The method and, for a network, its model.
    record : str
        What records the filled traces (sidecar and flag word).
    seconds, fill_seconds : float, float or None
        The whole run; the fill alone, where it is timed apart (the in-process path).
    streaming : str, optional
        The streaming path's line: workers, tasks, resumed ones, the plan.
    details : dict, optional
        The sidecar's ``auto`` (the self-check's choice and scores) and ``adapt`` entries.
    """
    n_new = n_filled + n_inserted
    busy = seconds if fill_seconds is None else fill_seconds
    speed = [f"filling {fill_seconds:.2f} s"] if fill_seconds is not None else []
    speed += [f"{n_new / busy:.0f} traces/s"] if n_new and busy > 0 else []
    lines = [
        f"seisfill fill: {source} -> {output}",
        f"  {n_rows} {row_name}(s), {n_traces} traces written",
        f"  filled {n_filled} dead trace(s), inserted {n_inserted} missing trace(s) with '{method}'"
        + (f" (model {model})" if model else ""),
        *_detail_lines(details),
        *([f"  {streaming}"] if streaming else []),
        f"  record of filled traces: {record}",
        f"  {seconds:.2f} s" + (f" ({', '.join(speed)})" if speed else ""),
    ]
    return "\n".join(lines)


def _cmd_methods(args: argparse.Namespace) -> None:
    from seisfill.methods import DEFAULT_METHOD, get_method, list_methods

    methods = [get_method(m) for m in list_methods()]
    if args.json:
        print(json.dumps({m.name: {"summary": m.summary, "needs_torch": m.needs_torch, "available": m.available,
                                   "default": m.name == DEFAULT_METHOD, "options": m.options}
                          for m in methods}, indent=1, default=str))
        return
    print("fill methods (seisfill fill --method NAME [--option NAME=VALUE ...]):")
    for m in methods:
        notes = [n for n, on in (("default", m.name == DEFAULT_METHOD), ("needs torch", m.needs_torch),
                                 ("not installed here", not m.available)) if on]
        print(f"  {m.name}{' (' + ', '.join(notes) + ')' if notes else ''}: {m.summary}")
        options = ", ".join(f"{k}={v!r}" for k, v in m.options.items() if k != "progress")
        print(f"      options: {options or 'none'}")


def _cmd_models(args: argparse.Namespace) -> None:
    from seisfill.models import DEFAULT_2D, DEFAULT_3D, list_models

    cards = list_models()
    if args.json:
        print(json.dumps({c.name: c.facts for c in cards}, indent=1))
        return
    print("shipped models (seisfill/weights/; load with --model NAME, or give a .pt path):")
    patterns = ("random50", "regular2", "gap8")
    print(f"  {'name':<11} {'dims':<4} {'conv':<8} {'MB':>5}  held-out SNR dB {'/'.join(patterns):<23} summary")
    for c in cards:
        snr = c.facts.get("validation", {}).get("snr", {}).get(c.name, {})
        vals = "/".join(f"{snr[p]['snr']:.1f}" if p in snr else "-" for p in patterns)
        mark = " (default)" if c.name in (DEFAULT_2D, DEFAULT_3D) else ""
        print(f"  {c.name:<11} {c.ndim}D   {c.conv:<8} {c.size_mb:5.1f}  {vals:<39} {c.summary}{mark}")
    print("model cards: seisfill/weights/<name>.md")


def _cmd_convert(args: argparse.Namespace) -> None:
    from seisfill.io.convert import convert

    start = time.perf_counter()
    convert(args.input, args.output, key=args.key, sort=args.sort, cube=args.cube)
    print(f"seisfill convert: {args.input} -> {args.output} ({time.perf_counter() - start:.2f} s)")


def _cmd_decimate(args: argparse.Namespace) -> None:
    import seisfill
    from seisfill.simulate import DECIMATED, decimate_dataset

    _refuse_same_path(args.input, args.output)
    pattern = args.pattern
    if args.fraction is not None:
        if pattern not in ("random", "dead"):
            raise SeisfillError(f"--fraction goes with --pattern random or dead, not '{pattern}'")
        if not 0.0 < args.fraction < 1.0:
            raise SeisfillError(f"--fraction must be between 0 and 1, got {args.fraction}")
        pattern = f"{pattern}{args.fraction:g}"
    ds = seisfill.read_segy(args.input, key=args.key, sort=args.sort, cube=args.cube)
    decimated = decimate_dataset(ds, pattern, seed=args.seed)
    decimated["filled"] = decimated[DECIMATED]  # the killed traces are the ones written anew
    summary = seisfill.write_segy(
        decimated, args.output, template=args.input, flag_word=None, sidecar=False, trace_id=2
    )
    print(
        f"seisfill decimate: {args.input} -> {args.output}: killed {summary.n_filled} of "
        f"{int(ds['live'].values.sum())} live traces with pattern {decimated.attrs['decimation']} "
        f"(seed {args.seed}): samples zeroed, TraceIdentificationCode 2"
    )


def _cmd_qc(args: argparse.Namespace) -> None:
    from seisfill.qc.report import write_report

    start = time.perf_counter()
    if args.max_sheets < 0:
        raise SeisfillError(f"--max-sheets must be >= 0, got {args.max_sheets}")
    report = write_report(args.input, args.filled, args.out, args.reference, max_sheets=args.max_sheets,
                          key=args.key, sort=args.sort, cube=args.cube, cmap=args.cmap)
    n_filled = sum(r["filled"] for r in report.rows)
    print(f"seisfill qc: {args.filled}: {len(report.rows)} gather(s), {n_filled} filled trace(s); "
          f"{report.n_sheets} QC sheet(s) and {report.index} ({time.perf_counter() - start:.1f} s)")


def _cmd_evaluate(args: argparse.Namespace) -> None:
    from seisfill.evaluate import evaluate, format_table
    from seisfill.methods import get_method, list_methods

    patterns = [p.strip() for p in args.patterns.split(",") if p.strip()]
    methods = [m.strip() for m in args.methods.split(",") if m.strip()] if args.methods else list_methods(available=True)
    for m in methods:
        get_method(m).require("--methods")
    rows = evaluate(args.input, patterns, methods, seed=args.seed, out_dir=args.out,
                    key=args.key, sort=args.sort, cube=args.cube)
    sys.stdout.write(format_table(rows, args.format))
    if args.out is not None:
        sys.stderr.write(f"seisfill evaluate: QC sheets in {args.out}/\n")


def _refuse_same_path(source: Path, target: Path) -> None:
    if source.resolve() == target.resolve():
        raise SeisfillError(f"{target}: output path equals the input; choose another output file")


def _cmd_train(args: argparse.Namespace) -> None:
    from seisfill._deps import require

    require("torch", "seisfill train")
    from seisfill.train import main as train_main

    train_args = args.train_args[1:] if args.train_args[:1] == ["--"] else args.train_args
    code = train_main(train_args)
    if code:
        raise SystemExit(code)


_COMMANDS = {
    "train": _cmd_train,
    "info": _cmd_info,
    "fill": _cmd_fill,
    "densify": _cmd_densify,
    "methods": _cmd_methods,
    "models": _cmd_models,
    "convert": _cmd_convert,
    "decimate": _cmd_decimate,
    "qc": _cmd_qc,
    "evaluate": _cmd_evaluate,
}


def _sigterm_interrupts() -> None:
    """SIGTERM (a job scheduler's kill) ends a run like Ctrl-C: clean, resumable."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def main(argv: list[str] | None = None) -> int:
    """Run the ``seisfill`` command; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["train"]:  # the training CLI has its own parser: hand it everything
        argv = ["train", "--", *argv[1:]]
    parser = build_parser()
    args = parser.parse_args(argv)
    warnings.simplefilter("default")
    _sigterm_interrupts()
    warnings.formatwarning = lambda msg, cat, *a, **k: f"seisfill: warning: {msg}\n"
    try:
        _COMMANDS[args.command](args)
    except SeisfillError as exc:
        sys.stderr.write(f"seisfill {args.command}: error: {exc}\n")
        return EXIT_INPUT
    except KeyboardInterrupt:
        hint = " (with --workers: rerun with --resume to continue)" if args.command == "fill" else ""
        sys.stderr.write(f"seisfill {args.command}: interrupted; no output written{hint}\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: still one line unless --debug
        if args.debug:
            raise
        sys.stderr.write(
            f"seisfill {args.command}: internal error: {type(exc).__name__}: {exc} "
            "(rerun with --debug for the traceback, and please report it)\n"
        )
        return EXIT_INTERNAL
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
