#!/usr/bin/env python
"""Missing-trace SNR of every fill method on real surveys no shipped model ever saw.

Usage::

    python benchmarks/compare.py --unseen [--out FILE]
    python benchmarks/unseen.py [--out FILE] [--max-gathers N] [--max-samples N]
                                [--patterns SPECS] [--no-check] [--full-pydrr]

The shipped models (``seisfill/weights/*.json``, ``training.real_files``) were trained
on penobscot_xl1155, qdn_poststack2d, real3d_poststack, f3 and cdp700_land (and
f3_ebcdic_il105 is the same F3 survey).  :data:`UNSEEN` lists the seven surveys of
``../shared/data`` held out whole from every shipped model's training; the cards are
read at run time and a survey some card names is left out, with a line saying so.

What it does (one process, seeded; the SNRs repeat from run to run):

1. Reads each unseen survey with :func:`seisfill.read_segy`, keeps at most
   :data:`MAX_GATHERS` gathers per file (evenly spaced: 3 of the 10 SU CDP gathers;
   all 3 Loma Blanca shots) and the first :data:`MAX_SAMPLES` samples of each trace,
   and drops the traces that are not recorded seismic data (:func:`usable_traces`:
   not live, TraceIdentificationCode other than 1 where the file sets it -- the two
   auxiliary traces of the Poland shot -- or RMS below :data:`RMS_FLOOR` of the
   gather's median: trace 2 of the oz shot, which is effectively dead).
2. Removes traces with :func:`seisfill.masks.decimate` (``random50``, ``regular2``,
   ``gap8``, ``random70``, ``gap16``; seed = index of the gather in its survey) and
   fills them with every method of the registry that can run here
   (``seisfill.list_methods(available=True)``; network methods with the shipped
   default 2-D network), pylops' f-k FISTA (``compare.pylops_fk``, the tutorial's
   settings) and pydrr's damped rank reduction (``pydrr_shim.pydrr_fill`` with
   seisfill ``drr``'s default options).  Every method sees the same gathers and masks.
3. Scores the missing traces (:func:`seisfill.metrics.snr_missing`): per survey the
   mean over its gathers; over surveys the mean of the survey means (each survey
   weighs the same).  The margin of the default method over the best classical method
   (registry methods without a network, pylops f-k, pydrr) is given per pattern:
   against the classical method with the best mean, and the worst single survey
   against that survey's best classical method.

pydrr (pure Python loops, about 1 s per 128 x 40 window at 20 iterations on a busy
2-core VM) would take over an hour on the full gathers, so by default it runs only
in a *check* on one small window per survey (:data:`CHECK_WINDOW`, the centre of the
first gather) where every other method runs too, on the same masks; ``--full-pydrr``
adds it to the full run.  Progress goes to stderr, the markdown report to stdout.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib.util
import inspect
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from compare import md_table  # noqa: E402  (benchmarks/ is not a package)

DATA_DIR = HERE.parents[1] / "shared" / "data"
#: the real surveys of ../shared/data no shipped model saw any part of (file stems)
UNSEEN = (
    "poland2d_shot231",
    "ozdata16_shot",
    "barna_shot3360",
    "lomablanca_shots",
    "mobil_viking_crg",
    "su_cdp601to610",
    "volve_arb_twt",
)
PATTERNS = ("random50", "regular2", "gap8", "random70", "gap16")
#: samples kept per trace (the first ones), gathers kept per file (evenly spaced)
MAX_SAMPLES = 1500
MAX_GATHERS = 3
#: traces whose RMS is below this fraction of the gather's median RMS are dead
RMS_FLOOR = 1e-2
#: pydrr check: (traces, samples) cut from the centre of each survey's first gather
CHECK_WINDOW = (64, 256)
#: pydrr options used when the registry has no ``drr`` (seisfill drr's defaults)
PYDRR_DEFAULTS: dict[str, Any] = {"rank": 3, "damping": 2.0, "n_iter": 20, "window": (128, 40)}
HELD_OUT = "held out whole from every shipped model's training"
PYLOPS = "pylops fk"
PYDRR = "pydrr"

Fill = Callable[[np.ndarray, np.ndarray], np.ndarray]
#: survey -> method -> pattern -> {"snr", "per_dataset", "seconds"} (model_cards.score_methods)
Scores = dict[str, dict[str, dict[str, dict[str, Any]]]]


@dataclass
class Survey:
    """The windows of one survey: ``gathers`` each (n_trace, n_time) float32, and how they were cut."""

    name: str
    gathers: list[np.ndarray]
    note: str


@dataclass
class Methods:
    """Label -> fill function, which label is the default method, which are classical."""

    fills: dict[str, Fill]
    default: str | None
    classical: list[str]
    notes: list[str]


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def training_files() -> dict[str, set[str]]:
    """Shipped model -> stems of the real files on its card's ``training.real_files``."""
    from seisfill.models import list_models

    return {
        c.name: {Path(f).stem for f in (c.facts.get("training", {}).get("real_files") or [])}
        for c in list_models()
    }


def usable_traces(
    amplitude: np.ndarray,
    live: np.ndarray,
    trace_id: np.ndarray | None = None,
    rms_floor: float = RMS_FLOOR,
) -> np.ndarray:
    """Which traces of one gather are recorded seismic data.

    Parameters
    ----------
    amplitude : numpy.ndarray, shape (n_trace, n_time)
    live : numpy.ndarray of bool, shape (n_trace,)
        The reader's live mask.
    trace_id : numpy.ndarray of int, shape (n_trace,), optional
        TraceIdentificationCode; where given only code 1 (seismic data) is kept.
    rms_floor : float
        Traces with RMS below ``rms_floor`` x the median RMS of the live traces are dropped.

    Returns
    -------
    numpy.ndarray of bool, shape (n_trace,)
    """
    keep = np.asarray(live, dtype=bool).copy()
    if trace_id is not None:
        keep &= np.asarray(trace_id) == 1
    rms = np.sqrt(np.mean(np.square(amplitude, dtype=np.float64), axis=-1))
    if keep.any():
        keep &= rms >= rms_floor * float(np.median(rms[keep]))
    return keep


def pick_gathers(n: int, k: int) -> list[int]:
    """``k`` evenly spaced indices of ``n`` gathers, first and last included (all when ``n <= k``)."""
    if n <= k:
        return list(range(n))
    return sorted({int(round(i)) for i in np.linspace(0, n - 1, k)})


def load_survey(
    path: Path, max_samples: int = MAX_SAMPLES, max_gathers: int = MAX_GATHERS
) -> Survey:
    """The gathers of one file, cut as described in the module docstring."""
    import seisfill

    ds = seisfill.read_segy(path)
    amp = np.asarray(ds["amplitude"].values, dtype=np.float32)
    live = np.asarray(ds["live"].values, dtype=bool)
    tid = (
        np.asarray(ds["TraceIdentificationCode"].values)
        if "TraceIdentificationCode" in ds.coords
        else None
    )
    n_gather, n_trace, n_time = amp.shape
    picked = pick_gathers(n_gather, max_gathers)
    gathers, dropped = [], 0
    for g in picked:
        keep = usable_traces(amp[g], live[g], None if tid is None else tid[g])
        dropped += int(n_trace - keep.sum())
        gathers.append(np.ascontiguousarray(amp[g, keep, :max_samples]))
    nt = gathers[0].shape[1]
    sizes = sorted({x.shape[0] for x in gathers})
    note = (
        f"{path.stem}: {len(picked)} of {n_gather} gather(s)"
        + (f" ({', '.join(map(str, picked))})" if len(picked) < n_gather else "")
        + f", {'/'.join(map(str, sizes))} traces x {nt} of {n_time} samples at {ds.attrs.get('dt_ms', '?')} ms"
        + (f"; {dropped} trace(s) dropped as not seismic data or dead" if dropped else "")
    )
    return Survey(path.stem, gathers, note)


def load_unseen(
    data_dir: Path = DATA_DIR, max_samples: int = MAX_SAMPLES, max_gathers: int = MAX_GATHERS
) -> tuple[list[Survey], list[str]]:
    """The unseen surveys present in ``data_dir``, and lines on any left out."""
    seen = training_files()
    surveys, notes = [], []
    for name in UNSEEN:
        by = sorted(m for m, files in seen.items() if name in files)
        path = data_dir / f"{name}.sgy"
        if by:
            notes.append(f"{name} left out: in the training files of {', '.join(by)}")
        elif not path.exists():
            notes.append(f"{name} left out: {path} not found")
        else:
            surveys.append(load_survey(path, max_samples, max_gathers))
    return surveys, notes


def check_windows(
    surveys: Sequence[Survey], size: tuple[int, int] = CHECK_WINDOW
) -> list[tuple[str, np.ndarray]]:
    """``(survey, window)``: ``size`` (traces, samples) from the centre of each survey's first gather."""
    out = []
    for s in surveys:
        g = s.gathers[0]
        nx, nt = min(size[0], g.shape[0]), min(size[1], g.shape[1])
        x0, t0 = (g.shape[0] - nx) // 2, (g.shape[1] - nt) // 2
        out.append((s.name, np.ascontiguousarray(g[x0 : x0 + nx, t0 : t0 + nt])))
    return out


# ---------------------------------------------------------------------------
# Methods
# ---------------------------------------------------------------------------


def pydrr_options() -> dict[str, Any]:
    """pydrr settings: seisfill ``drr``'s default options where the registry has it (same names).

    seisfill's ``window=None`` is its default window, pydrr's the whole gather: the
    default window is spelt out for pydrr.
    """
    from seisfill.methods import get_method, list_methods

    if "drr" not in list_methods():
        return dict(PYDRR_DEFAULTS)
    from pydrr_shim import pydrr_fill

    from seisfill.classical.drr import DEFAULT_WINDOWS

    accepted = inspect.signature(pydrr_fill).parameters
    opts = {k: v for k, v in get_method("drr").options.items() if k in accepted}
    if opts.get("window") is None:
        opts["window"] = DEFAULT_WINDOWS[2]
    return opts


def _own_model(method: Any, model: str) -> str:
    """The shipped model a network method runs: its own default when it has one other than ``model``'s
    family (a correction network for a method that needs one), else ``model``."""
    from seisfill.models import LoadedModel

    prepared = method.prepare({"device": "cpu"}, 2)
    own = prepared.get("model")
    return own.name if isinstance(own, LoadedModel) and own.guide else model


def build_methods(
    model: str | None = None, *, pylops: bool = True, pydrr: bool = True, only: Sequence[str] | None = None
) -> Methods:
    """Every registry method that can run here (or those in ``only``), then the peers pylops f-k and pydrr.

    Network methods (those needing torch) run the shipped model ``model`` (default: the
    2-D default) on the CPU -- a method whose own default is a correction network runs
    that one -- and the others run with their defaults.  A peer whose package is missing
    is left out with a note, and so is a network method whose model is not shipped.
    """
    from model_cards import _classical, _model

    from seisfill.errors import SeisfillError
    from seisfill.methods import DEFAULT_METHOD, get_method, list_methods
    from seisfill.models import DEFAULT_2D

    model = model or DEFAULT_2D
    fills: dict[str, Fill] = {}
    classical: list[str] = []
    default = None
    notes = []
    for name in list_methods(available=True):
        if only is not None and name not in only:
            continue
        m = get_method(name)
        if m.needs_torch and {"model", "device"} <= set(m.options):
            try:
                own = _own_model(m, model)
            except SeisfillError as exc:
                notes.append(f"{name} left out: {exc}")
                continue
            label = f"{name} ({own})"
            fills[label] = _model(own, name)
        else:
            label = name
            fills[label] = _classical(name, False)
        if not m.needs_torch:
            classical.append(label)
        if name == DEFAULT_METHOD:
            default = label
    if pylops and importlib.util.find_spec("pylops") is not None:
        from compare import pylops_fk

        fills[PYLOPS] = lambda data, live: pylops_fk(data, live, 0.004)
        classical.append(PYLOPS)
    elif pylops:
        notes.append("pylops is not installed: no pylops f-k row")
    if pydrr:
        from pydrr_shim import pydrr_available, pydrr_fill

        if pydrr_available:
            opts = pydrr_options()
            fills[PYDRR] = lambda data, live: pydrr_fill(data, live, **opts)
            classical.append(PYDRR)
        else:
            notes.append("pydrr is not importable (pip install pydrr==0.0.2.1): no pydrr row")
    return Methods(fills, default, classical, notes)


def score_surveys(
    windows: Sequence[tuple[str, np.ndarray]],
    fills: dict[str, Fill],
    patterns: Sequence[str],
    log: Callable[[str], None] = lambda msg: None,
) -> Scores:
    """Survey -> :func:`model_cards.score_methods` of that survey's windows (seed = window index)."""
    from model_cards import score_methods

    out: Scores = {}
    for name in dict.fromkeys(n for n, _ in windows):
        mine = [(n, w) for n, w in windows if n == name]
        t0 = time.perf_counter()
        out[name] = score_methods(fills, mine, tuple(patterns))
        log(f"  {name}: {len(mine)} window(s), {time.perf_counter() - t0:.0f} s")
    return out


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def _snr(scores: Scores, survey: str, method: str, pattern: str) -> float:
    return float(scores.get(survey, {}).get(method, {}).get(pattern, {}).get("snr", np.nan))


def survey_mean(scores: Scores, method: str, pattern: str) -> float:
    """Mean over the surveys of ``method``'s SNR (each survey weighs the same); nan if any is missing."""
    return float(np.mean([_snr(scores, s, method, pattern) for s in scores]))


def _fmt(x: float) -> str:
    return "-" if not np.isfinite(x) else f"{x:.1f}"


def snr_table(
    scores: Scores, methods: Sequence[str], patterns: Sequence[str], survey: str | None = None
) -> str:
    """Method x pattern SNR (dB) of one survey, or (``survey=None``) the mean over the surveys."""
    rows = []
    for m in methods:
        vals = [
            _snr(scores, survey, m, p) if survey else survey_mean(scores, m, p) for p in patterns
        ]
        rows.append([m, *map(_fmt, vals)])
    return md_table(["method", *patterns], rows)


def margin_rows(
    scores: Scores, default: str, classical: Sequence[str], patterns: Sequence[str]
) -> list[list[str]]:
    """Per pattern: default dB, best classical by mean, mean margin, worst survey margin, surveys ahead."""
    rows = []
    for p in patterns:
        means = {c: survey_mean(scores, c, p) for c in classical}
        means = {c: v for c, v in means.items() if np.isfinite(v)}
        d = survey_mean(scores, default, p)
        if not means or not np.isfinite(d):
            continue
        best = max(means, key=lambda c: means[c])
        per = []
        for s in scores:
            local = {c: _snr(scores, s, c, p) for c in classical}
            local = {c: v for c, v in local.items() if np.isfinite(v)}
            top = max(local, key=lambda c: local[c])
            per.append((_snr(scores, s, default, p) - local[top], s, top))
        worst = min(per)
        rows.append([
            p, f"{d:.1f}", f"{best} {means[best]:.1f}", f"{d - means[best]:+.1f}",
            f"{worst[0]:+.1f} ({worst[1]}, vs {worst[2]})", f"{sum(g > 0 for g, _, _ in per)}/{len(per)}",
        ])  # fmt: skip
    return rows


def margin_table(
    scores: Scores, default: str, classical: Sequence[str], patterns: Sequence[str]
) -> str:
    """:func:`margin_rows` as markdown."""
    header = ["pattern", f"{default} dB", "best classical (mean) dB", "mean margin",
              "worst survey margin (vs its best classical)", "surveys ahead"]  # fmt: skip
    return md_table(header, margin_rows(scores, default, classical, patterns))


def time_table(scores: Scores, methods: Sequence[str], n_windows: dict[str, int]) -> str:
    """Wall seconds per method: total over surveys and patterns, and per fill.

    A survey's fills are its ``n_windows`` times the patterns it was scored on (its
    windows share one trace count, so a pattern fits all of them or none).
    """
    rows = []
    for m in methods:
        total = sum(r["seconds"] for s in scores for r in scores[s].get(m, {}).values())
        fills = sum(n_windows[s] * len(scores[s].get(m, {})) for s in scores)
        rows.append([m, f"{total:.1f}", f"{total / max(fills, 1):.2f}"])
    return md_table(["method", "seconds, all fills", "seconds per fill"], rows)


def _machine() -> str:
    try:
        from compare import machine

        return machine()
    except ImportError:  # pylops missing: compare.machine names its version
        return f"{platform.processor() or 'CPU'}, Python {platform.python_version()}"


def _pydrr_line(present: bool, full: bool) -> str:
    if not present:
        return ""
    from seisfill.methods import list_methods

    opts = ", ".join(f"{k}={v}" for k, v in pydrr_options().items())
    same = " (seisfill drr's defaults)" if "drr" in list_methods() else ""
    where = (
        ""
        if full
        else " It is too slow for the full gathers: it runs only in the check at the end."
    )
    return f" pydrr: `pydrr_shim.pydrr_fill` with {opts}{same}.{where}"


def check_section(
    surveys: Sequence[Survey],
    methods: Methods,
    patterns: Sequence[str],
    log: Callable[[str], None] = lambda msg: None,
) -> list[str]:
    """Every method, pydrr included, on :func:`check_windows`: report lines."""
    small = check_windows(surveys)
    log(f"pydrr check: {len(small)} windows, {len(methods.fills)} methods ...")
    checked = score_surveys(small, methods.fills, patterns, log)
    out = [
        "### Check with pydrr: one small window per survey\n",
        f"Every method on one window of up to {CHECK_WINDOW[0]} traces x {CHECK_WINDOW[1]} "
        "samples from the centre of each survey's first gather (seed 0), pydrr included; "
        f"mean over the {len(small)} surveys (dB):\n",
        snr_table(checked, list(methods.fills), patterns),
        "",
    ]
    if methods.default in methods.fills:
        out += ["Margin on these windows, pydrr among the classical methods:\n",
                margin_table(checked, methods.default, methods.classical, patterns), ""]  # fmt: skip
    out += ["Wall time on these windows:\n",
            time_table(checked, list(methods.fills), dict.fromkeys(checked, 1)), ""]  # fmt: skip
    return out


def unseen_report(
    patterns: Sequence[str] = PATTERNS,
    command: str = "python benchmarks/unseen.py",
    log: Callable[[str], None] = lambda msg: None,
    *,
    data_dir: Path = DATA_DIR,
    max_samples: int = MAX_SAMPLES,
    max_gathers: int = MAX_GATHERS,
    check: bool = True,
    full_pydrr: bool = False,
    only: Sequence[str] | None = None,
) -> str:
    """Run the benchmark and return the markdown report (see the module docstring); ``only``: these
    registry methods (and ``pylops`` for the pylops f-k row), not all of them."""
    from seisfill.models import DEFAULT_2D

    start = time.perf_counter()
    surveys, left_out = load_unseen(data_dir, max_samples, max_gathers)
    if not surveys:
        raise SystemExit(f"no unseen survey found in {data_dir}")
    methods = build_methods(DEFAULT_2D, pydrr=full_pydrr or check, pylops=only is None or "pylops" in only,
                            only=only)
    full = {k: f for k, f in methods.fills.items() if k != PYDRR or full_pydrr}
    full_classical = [c for c in methods.classical if c in full]
    windows = [(s.name, g) for s in surveys for g in s.gathers]
    log(f"unseen: {len(surveys)} surveys, {len(windows)} gathers, {len(full)} methods ...")
    scores = score_surveys(windows, full, patterns, log)
    out = [
        "## Unseen real surveys: missing-trace SNR of every method\n",
        f"Command: `{command}`  ",
        f"Date: {_dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}  ",
        f"Machine: {_machine()}\n",
        f"Surveys {HELD_OUT} (none is in any card's `training.real_files`): "
        + ", ".join(s.name for s in surveys)
        + ". Network methods run the shipped default 2-D network "
        f"`{DEFAULT_2D}` on the CPU (a method whose default is a correction network runs that one: the "
        "model is in each label); every method fills the same gathers with the same masks "
        "(`seisfill.masks.decimate`, seed = index of the gather in its survey). Windows:\n",
        *[f"- {s.note}" for s in surveys],
        *[f"- {n}" for n in left_out + methods.notes],
        "",
        "SNR over the missing traces (dB), mean over the gathers of the survey. pylops f-k: the "
        "tutorial's FISTA settings (`compare.pylops_fk`; 0.0 dB is an all-zero estimate)."
        + _pydrr_line(PYDRR in methods.fills, full_pydrr),
        f"Load average at the start {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: other "
        "processes share them, so the wall times are indicative.",
        "",
    ]
    for s in surveys:
        out += [f"### {s.name}\n", snr_table(scores, list(full), patterns, s.name), ""]
    out += [f"### Mean over the {len(surveys)} unseen surveys (each weighs the same)\n",
            snr_table(scores, list(full), patterns), ""]  # fmt: skip
    if methods.default in full:
        out += [
            "### Margin of the default method over the best classical method "
            f"({', '.join(full_classical)})\n",
            margin_table(scores, methods.default, full_classical, patterns),
            "",
        ]
    out += ["### Wall time per method (all surveys and patterns)\n",
            time_table(scores, list(full), {s.name: len(s.gathers) for s in surveys}), ""]  # fmt: skip
    if check and PYDRR in methods.fills and not full_pydrr:
        out += check_section(surveys, methods, patterns, log)
    out.append(f"Run time {time.perf_counter() - start:.0f} s")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, help="also write the report to this file")
    p.add_argument("--data-dir", type=Path, default=DATA_DIR, help=f"default {DATA_DIR}")
    p.add_argument(
        "--patterns", default=",".join(PATTERNS), help="comma-separated decimation specs"
    )
    p.add_argument("--max-gathers", type=int, default=MAX_GATHERS, help="gathers kept per file")
    p.add_argument(
        "--max-samples", type=int, default=MAX_SAMPLES, help="first samples kept per trace"
    )
    p.add_argument("--no-check", action="store_true", help="no pydrr check on small windows")
    p.add_argument(
        "--methods", help="comma-separated registry methods to run (and pylops for its f-k row); default all"
    )
    p.add_argument(
        "--full-pydrr", action="store_true", help="pydrr on the full gathers too (over an hour)"
    )
    args = p.parse_args(argv)
    command = "python benchmarks/unseen.py" + (
        " " + " ".join(sys.argv[1:]) if argv is None and sys.argv[1:] else ""
    )
    text = unseen_report(
        [s.strip() for s in args.patterns.split(",") if s.strip()],
        command,
        lambda msg: print(msg, file=sys.stderr, flush=True),
        data_dir=args.data_dir,
        max_samples=args.max_samples,
        max_gathers=args.max_gathers,
        check=not args.no_check,
        full_pydrr=args.full_pydrr,
        only=[m.strip() for m in args.methods.split(",")] if args.methods else None,
    )
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
