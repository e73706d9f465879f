#!/usr/bin/env python
"""``--method auto`` and ``--adapt`` on real surveys no shipped model saw: what they gain, what they cost.

Usage::

    python benchmarks/selfcheck.py [--surveys A,B] [--patterns random50,gap8] [--budget 60]
                                   [--max-gathers 3] [--max-samples 1500] [--no-adapt]

Each survey (:data:`SURVEYS`, from ``../shared/data``) is cut as in
``benchmarks/unseen.py`` (:func:`unseen.load_survey`: at most 3 evenly spaced
gathers, the first 1500 samples, non-seismic and dead traces dropped); its
gathers, padded to one width, play the part of a file.  Each pattern removes
traces per gather (:func:`seisfill.masks.decimate`, seed = gather index, as
``unseen.py``).  Every method then fills the file as ``seisfill fill`` would:
prepared once, the survey sample seen once (:func:`seisfill.adapt.survey_options`:
``auto``'s self-check, ``--adapt``), then the gathers.  Scores are the
missing-trace SNR (dB) of each gather, averaged over the survey's gathers;
"best classical" is the best of ``fx``, ``drr`` and ``linear`` on that survey
and pattern (picked with hindsight).  Seconds are wall time per file,
self-check and adaptation included, with torch on one thread.

``unet+adapt`` adapts the network once per survey and pattern (``--adapt``),
``hybrid+adapt`` fills with that adapted network (its seconds include the
adaptation), and ``auto+adapt`` runs ``--method auto --adapt`` as the command
line does: the self-check with the shipped network first, then the adaptation
only where the choice holds the network.
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from unseen import DATA_DIR, load_survey  # noqa: E402  (benchmarks/ is not a package)

#: the unseen surveys measured by default: a land shot, a marine receiver gather, a post-stack line, CDP gathers
SURVEYS = ("ozdata16_shot", "mobil_viking_crg", "volve_arb_twt", "su_cdp601to610")
PATTERNS = ("random50", "gap8")
#: methods filled as they are, and the classical ones the "best classical" column picks from
PLAIN = ("hybrid", "unet", "auto")
CLASSICAL = ("fx", "drr", "linear")
#: network methods refilled with the adapted network
ADAPTED = ("hybrid", "unet", "auto")


def file_of(gathers: list[np.ndarray], pattern: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gathers padded to one width: truth (k, W, T), live after decimation, pad."""
    from seisfill.masks import decimate

    width = max(g.shape[0] for g in gathers)
    truth = np.zeros((len(gathers), width, gathers[0].shape[1]), dtype=np.float32)
    live = np.zeros(truth.shape[:2], dtype=bool)
    pad = np.ones(truth.shape[:2], dtype=bool)
    for i, g in enumerate(gathers):
        truth[i, : g.shape[0]] = g
        live[i, : g.shape[0]] = decimate(g.shape[0], pattern, seed=i)
        pad[i, : g.shape[0]] = False
    return truth, live, pad


def sample(data: np.ndarray, live: np.ndarray, target: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """What ``seisfill.fill`` gives a method's ``calibrate`` and ``--adapt``: rows at sample_rows positions."""
    from seisfill.methods import sample_rows

    rows = np.flatnonzero(target.any(axis=1))
    rows = rows[sample_rows(rows.size, k)]
    return data[rows], live[rows], target[rows]


def fill_file(method: str, truth: np.ndarray, live: np.ndarray, pad: np.ndarray, adapt=None, options=None):
    """Fill the file with ``method``; returns (mean missing-trace SNR over gathers, seconds, options used)."""
    from seisfill.adapt import survey_options
    from seisfill.core import fill_block
    from seisfill.methods import get_method
    from seisfill.metrics import snr_missing

    t0 = time.perf_counter()
    m = get_method(method)
    target = ~live & ~pad
    data = np.where(live[..., None], truth, 0).astype(np.float32)
    opts = m.prepare(dict(options or {}), 2)
    opts, record = survey_options(m, opts, partial(sample, data, live, target), adapt)
    filled = fill_block(data, live, target, m, opts)
    seconds = time.perf_counter() - t0
    snrs = []
    for i in range(truth.shape[0]):
        n = int((~pad[i]).sum())
        snrs.append(snr_missing(truth[i, :n], filled[i, :n], target[i, :n]))
    return float(np.mean(snrs)), seconds, opts, record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surveys", default=",".join(SURVEYS))
    parser.add_argument("--patterns", default=",".join(PATTERNS))
    parser.add_argument("--budget", type=float, default=60.0, help="--adapt budget, seconds (default 60)")
    parser.add_argument("--max-gathers", type=int, default=3)
    parser.add_argument("--max-samples", type=int, default=1500)
    parser.add_argument("--no-adapt", action="store_true")
    args = parser.parse_args(argv)

    import torch

    from seisfill.adapt import AdaptSettings

    torch.set_num_threads(1)
    rows = []
    for name in args.surveys.split(","):
        survey = load_survey(DATA_DIR / f"{name}.sgy", args.max_samples, args.max_gathers)
        print(survey.note, file=sys.stderr)
        for pattern in args.patterns.split(","):
            truth, live, pad = file_of(survey.gathers, pattern)
            got: dict[str, tuple[float, float]] = {}
            choice = ""
            for method in (*CLASSICAL, *PLAIN):
                snr, sec, opts, _ = fill_file(method, truth, live, pad)
                got[method] = (snr, sec)
                if method == "auto":
                    choice = opts["selfcheck"]["choice"]
            if not args.no_adapt:
                snr, sec, opts, record = fill_file("unet", truth, live, pad, AdaptSettings(budget_s=args.budget))
                got["unet+adapt"] = (snr, sec)
                adapt_s = record["seconds"]
                snr, sec, _, _ = fill_file("hybrid", truth, live, pad, options={"model": opts["model"]})
                got["hybrid+adapt"] = (snr, sec + adapt_s)
                # auto chooses first (with the shipped network), then adapts only a network it chose
                snr, sec, opts, auto_record = fill_file("auto", truth, live, pad, AdaptSettings(budget_s=args.budget))
                got["auto+adapt"] = (snr, sec)
                held = f"{record['held_back_snr_db_before']:.2f}->{record['held_back_snr_db_after']:.2f}"
                choice += f"; unet: {record['steps']} steps, held-back {held}"
                if "skipped" in auto_record:
                    choice += "; auto: no network chosen, not adapted"
            best = max(CLASSICAL, key=lambda k: got[k][0])
            rows.append((name, pattern, got, best, choice))
            print(f"  {name} {pattern}: " + ", ".join(f"{k} {v[0]:.2f}" for k, v in got.items()), file=sys.stderr)
    print(report(rows))
    return 0


def report(rows: list) -> str:
    """Markdown: SNR per survey and pattern, gains over hybrid / the best classical method, seconds."""
    cols = [c for c in ("best classical", "hybrid", "unet", "auto", "unet+adapt", "hybrid+adapt", "auto+adapt")
            if c == "best classical" or c in rows[0][2]]
    lines = ["| survey | pattern | " + " | ".join(cols) + " | auto − hybrid | auto − best cl. | adapt gain (hybrid) "
             "| auto choice; adaptation |",
             "|---" * (len(cols) + 6) + "|"]
    for name, pattern, got, best, choice in rows:
        snr = {c: got[best][0] if c == "best classical" else got[c][0] for c in cols}
        cells = [f"{snr[c]:.2f}" + (f" ({best})" if c == "best classical" else "") for c in cols]
        adapt_gain = f"{got['hybrid+adapt'][0] - got['hybrid'][0]:+.2f}" if "hybrid+adapt" in got else "–"
        lines.append(f"| {name} | {pattern} | " + " | ".join(cells)
                     + f" | {got['auto'][0] - got['hybrid'][0]:+.2f} | {got['auto'][0] - got[best][0]:+.2f} "
                     f"| {adapt_gain} | {choice} |")
    for pattern in dict.fromkeys(r[1] for r in rows):
        mine = [r for r in rows if r[1] == pattern]
        mean = {c: np.mean([(r[2][r[3]] if c == "best classical" else r[2][c])[0] for r in mine]) for c in cols}
        lines.append(f"| **mean** | {pattern} | " + " | ".join(f"{mean[c]:.2f}" for c in cols)
                     + f" | {mean['auto'] - mean['hybrid']:+.2f} | {mean['auto'] - mean['best classical']:+.2f} | "
                     + (f"{mean['hybrid+adapt'] - mean['hybrid']:+.2f}" if "hybrid+adapt" in cols else "–") + " | |")
    methods = [m for m in rows[0][2]]
    secs = {m: np.mean([r[2][m][1] for r in rows]) for m in methods}
    lines += ["", "Seconds per file (mean over surveys and patterns; torch on 1 thread): "
              + ", ".join(f"{m} {s:.1f}" for m, s in secs.items())]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
