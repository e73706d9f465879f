#!/usr/bin/env python
"""Ship trained models into ``seisfill/weights/`` with their model cards, or re-score them.

Usage::

    # copy a run's weights in as NAME, score it on the held-out real windows, write the card
    python benchmarks/model_cards.py --ship partial2d=docs/runs/h100-gpu_2d-2026-11-26 \\
        --hardware partial2d="one NVIDIA H100 80GB (lent device), bf16"
    # re-score every shipped model and rewrite the cards (JSON + markdown)
    python benchmarks/model_cards.py

The held-out real windows are the parts of ``../shared/data`` that no shipped model
saw in training (``data.holdout`` of every training config: the last 25 % of the
traces of each 2-D line, the last 25 % of the inlines of each cube, and the whole
``cdp700_land.sgy``):

* ``penobscot_xl1155``: traces 450-600 (151 x 1501 samples)
* ``qdn_poststack2d``: traces 384-511 (128 x 512)
* ``cdp700_land``: the whole CDP gather (24 x 1001)
* ``real3d_poststack``: inlines 7-9 (each 100 crosslines x 300)
* ``f3``: inlines 17-22 (each 18 crosslines x 75)

2-D models fill each 2-D window (every inline of the cubes separately); 3-D models
fill the held-out part of each cube as a volume (masks on the inline x crossline
grid; regular and gap patterns remove whole crosslines).  Patterns ``random50``,
``regular2``, ``gap8``, ``random70``, ``gap16`` (seed = window index), scored by the
SNR over the missing traces; the classical methods (``linear``, ``fx``, ``pocs``, all
defaults) are scored on the same windows and masks for reference.  Data sets weigh
equally (the mean of each data set's mean dB).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DATA_DIR = REPO.parent / "shared" / "data"
PATTERNS = ("random50", "regular2", "gap8", "random70", "gap16")
WEIGHTS = REPO / "seisfill" / "weights"

#: what each shipped model is for (the card's one-line summary)
SUMMARIES = {
    "partial2d": "2-D partial-convolution U-Net (width 32, depth 4), GPU-trained",
    "gated2d": "default for gathers and 2-D lines: gated-convolution U-Net (width 16, depth 3), CPU-trained",
    "partial3d": "default for post-stack cubes: 3-D partial-convolution U-Net (width 12, depth 3), CPU-trained",
    "gated3d": "3-D gated-convolution U-Net (width 12, depth 3), CPU-trained",
    "refine2d": "correction network of --method refine: f-x prediction plus a learned correction "
    "(2-D gated U-Net; input: gapped data, f-x estimate, mask)",
}
#: inference windows per model (time first), overlap per axis
INFERENCE = {2: {"window": [256, 64], "overlap": [32, 16]}, 3: {"window": [128, 32, 32], "overlap": [16, 8, 8]}}


def holdout_windows(data_dir: Path = DATA_DIR) -> tuple[list[tuple[str, np.ndarray]], list[tuple[str, np.ndarray]]]:
    """``(dataset, window)`` 2-D windows (n_trace, n_time) and 3-D cubes (n_il, n_xl, n_time)."""
    import seisfill

    two: list[tuple[str, np.ndarray]] = []
    three: list[tuple[str, np.ndarray]] = []

    def amp(name: str) -> np.ndarray:
        return np.asarray(seisfill.read_segy(data_dir / f"{name}.sgy")["amplitude"].values, dtype=np.float32)

    two.append(("penobscot_xl1155", amp("penobscot_xl1155")[0, 450:601]))
    two.append(("qdn_poststack2d", amp("qdn_poststack2d")[0, 384:512]))
    two.append(("cdp700_land", amp("cdp700_land")[0]))
    real3d = amp("real3d_poststack")[7:10]
    f3 = amp("f3")[17:23]
    two += [("real3d_poststack", il) for il in real3d]
    two += [("f3", il) for il in f3]
    three += [("real3d_poststack", real3d), ("f3", f3)]
    return two, three


def classical_methods() -> list[str]:
    """The registered methods that need no network, in the registry's order."""
    from seisfill.methods import get_method, list_methods

    return [m for m in list_methods() if not get_method(m).needs_torch]


def _classical(method: str, three: bool) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A classical method on 2-D windows, or on cubes: whole with ``ndim=3`` where it has a 3-D form, else
    inline by inline."""
    from seisfill.core import fill_array
    from seisfill.methods import get_method

    cube = three and get_method(method).is_3d({"ndim": 3})

    def run(data: np.ndarray, live: np.ndarray) -> np.ndarray:
        if cube:
            return fill_array(data, live, method, ndim=3)
        if three:  # inline by inline; an inline without live traces stays zero
            out = np.where(live[..., None], data, 0).astype(data.dtype)
            rows = live.any(axis=-1)
            out[rows] = fill_array(data[rows], live[rows], method)
            return out
        return fill_array(data, live, method)

    return run


def _model(name_or_path: str, method: str | None = None) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``method`` (``unet``, or ``hybrid``: the mean of the network and fx) with this model, on CPU; a
    correction network (its card names a guide) runs with ``refine`` unless told otherwise."""
    from seisfill.core import fill_array
    from seisfill.models import load_model

    loaded = load_model(name_or_path)
    method = method or ("refine" if loaded.guide else "unet")

    def run(data: np.ndarray, live: np.ndarray) -> np.ndarray:
        return fill_array(data, live, method, model=loaded, device="cpu")

    return run


def score_methods(
    methods: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]],
    windows: list[tuple[str, np.ndarray]],
    patterns: tuple[str, ...] = PATTERNS,
) -> dict[str, dict[str, dict[str, Any]]]:
    """method -> pattern -> {"snr": balanced mean dB, "per_dataset": {...}, "seconds": total}."""
    from seisfill.errors import SeisfillError
    from seisfill.masks import decimate
    from seisfill.metrics import snr_missing

    raw: dict[str, dict[str, dict[str, list[float]]]] = {}
    secs: dict[str, dict[str, float]] = {}
    index: dict[str, int] = {}
    for dataset, data in windows:
        seed = index.get(dataset, 0)
        index[dataset] = seed + 1
        for pattern in patterns:
            try:
                live = decimate(data.shape[:-1], pattern, seed)
            except SeisfillError:
                continue
            if live.all() or not live.any():
                continue
            for name, fn in methods.items():
                t0 = time.perf_counter()
                est = fn(data, live)
                secs.setdefault(name, {}).setdefault(pattern, 0.0)
                secs[name][pattern] += time.perf_counter() - t0
                value = snr_missing(data, est, ~live)
                raw.setdefault(name, {}).setdefault(pattern, {}).setdefault(dataset, []).append(value)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name, by_pattern in raw.items():
        for pattern, by_set in by_pattern.items():
            per = {d: round(float(np.mean(v)), 2) for d, v in by_set.items()}
            out.setdefault(name, {})[pattern] = {
                "snr": round(float(np.mean(list(per.values()))), 2),
                "per_dataset": per,
                "seconds": round(secs[name][pattern], 2),
            }
    return out


def _run_facts(run: Path, blob: dict[str, Any]) -> dict[str, Any]:
    """Steps, wall time, config name and final validation metrics of a training run (its weights ``blob``)."""
    import csv

    rows = list(csv.DictReader((run / "metrics.csv").open()))
    elapsed = [float(r["elapsed_s"]) for r in rows if r.get("elapsed_s")]
    # elapsed_s restarts in each session of a resumed run: add up each session's last value
    wall = sum(a for a, b in zip(elapsed, [*elapsed[1:], 0.0], strict=True) if b < a)
    cfg = blob.get("seisfill_train_config", {})
    train = cfg.get("train", {})
    return {
        "config_name": cfg.get("name"),
        "model": dict(blob["config"]),
        "normalize": dict(blob.get("normalize") or {}),
        "patch": list(blob.get("patch") or []),
        "steps": int(blob.get("step", 0)),
        "batch_size": train.get("batch_size"),
        "wall_time_s": round(wall, 1),
        "train_validation": {k: round(float(v), 3) for k, v in (blob.get("metrics") or {}).items()},
        "data_sources": cfg.get("data", {}).get("sources"),
        "holdout": cfg.get("data", {}).get("holdout"),
        "real_files": cfg.get("data", {}).get("real", {}).get("files"),
    }


def ship(name: str, run: Path, hardware: str, command: str, folder: Path = WEIGHTS) -> None:
    """Copy ``run/model.pt`` to ``FOLDER/NAME.pt`` (default ``seisfill/weights``) and start its card
    (``NAME.json``, and ``NAME.md`` without the held-out scores, which :func:`rescore` adds)."""
    import torch

    blob = torch.load(run / "model.pt", map_location="cpu", weights_only=True)
    facts = _run_facts(run, blob)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.pt.tmp"
    torch.save(blob, tmp)
    tmp.replace(folder / f"{name}.pt")
    ndim = int(facts["model"]["ndim"])
    card = {
        "name": name,
        "summary": SUMMARIES.get(name, ""),
        "model": facts["model"],
        **({"guide": blob["guide"]} if blob.get("guide") else {}),  # the method whose estimate it corrects
        "inference": INFERENCE[ndim],
        "training": {
            "config": facts["config_name"],
            "command": command,
            "hardware": hardware,
            "steps": facts["steps"],
            "batch_size": facts["batch_size"],
            "wall_time_s": facts["wall_time_s"],
            "patch": facts["patch"],
            "normalize": facts["normalize"],
            "data_sources": facts["data_sources"],
            "real_files": facts["real_files"],
            "holdout": facts["holdout"],
            "validation_at_end_of_training": facts["train_validation"],
        },
        "licence": "weights MIT, like seisfill; trained on seisfill's synthetic generator and on real files whose "
        "licences allow it (../shared/data/README.md): penobscot_xl1155 Apache-2.0 (seg/tutorials-2014), "
        "f3 LGPL-3.0 (equinor/segyio test data), real3d_poststack and qdn_poststack2d MIT (aaspip/data); "
        "cdp700_land (MIT, SeismicLab) only for validation",
        "size_mb": round((folder / f"{name}.pt").stat().st_size / 1e6, 2),
    }
    (folder / f"{name}.json").write_text(json.dumps(card, indent=1) + "\n")
    (folder / f"{name}.md").write_text(render_markdown(card))


def unseen_section(report: str) -> dict[str, Any]:
    """The survey-mean table of a ``benchmarks/unseen.py`` report (markdown), its command and date.

    Returns ``{"command", "date", "surveys", "table", "snr": {method: {pattern: dB}}}``.
    """
    lines = report.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("### Mean over the"))
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break
    patterns = [c.strip() for c in rows[0].strip("|").split("|")][1:]
    snr = {}
    for row in rows[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        snr[cells[0]] = {p: float(v) for p, v in zip(patterns, cells[1:], strict=True)}

    def field(prefix: str) -> str:
        return next((line[len(prefix) :].strip().strip("`").strip() for line in lines if line.startswith(prefix)), "")

    return {"command": field("Command:"), "date": field("Date:"), "surveys": lines[start][len("### "):],
            "table": "\n".join(rows), "snr": snr}


def render_markdown(card: dict[str, Any]) -> str:
    """The human model card."""
    t = card["training"]
    v = card.get("validation", {})
    m = card["model"]
    lines = [
        f"# Model card: `{card['name']}`",
        "",
        card["summary"],
        "",
        "| | |",
        "|---|---|",
        f"| architecture | `MaskedUNet` ndim={m['ndim']}, conv={m['conv']}, width={m['width']}, depth={m['depth']}, "
        f"max_width={m['max_width']}, activation={m['activation']} |",
        f"| file | `seisfill/weights/{card['name']}.pt` ({card.get('size_mb', 0):.1f} MB, float32) |",
        f"| training config | `configs/{t['config']}.yaml` |",
        f"| command | `{t['command']}` |",
        f"| hardware | {t['hardware']} |",
        f"| steps x batch | {t['steps']} x {t['batch_size']} patches of {' x '.join(map(str, t['patch']))} |",
        f"| wall time | {t['wall_time_s']:.0f} s of training |",
        f"| data | synthetic generator ({', '.join(f'{k} {p}' for k, p in (t['data_sources'] or {}).items())}) "
        f"and the real files {', '.join(t['real_files'] or [])} |",
        f"| held out of training | last {int(100 * t['holdout']['trace_fraction'])} % of the traces of every 2-D line, "
        f"last {int(100 * t['holdout']['inline_fraction'])} % of the inlines of every cube, whole files: "
        f"{', '.join(t['holdout'].get('files') or []) or 'none'} |",
        f"| normalisation | gain {t['normalize'].get('gain')} (window {t['normalize'].get('agc_window')}), "
        f"scale {t['normalize'].get('method')} {t['normalize'].get('percentile')} |",
        f"| inference windows | {card['inference']['window']} overlap {card['inference']['overlap']} (time first) |",
        *([f"| guide | the `{card['guide']}` estimate of every trace is an input channel; the output is that "
           f"estimate plus the network's correction (`--method refine`) |"] if card.get("guide") else []),
        f"| licence | {card['licence']} |",
        "",
    ]
    if v:
        lines += [
            f"## Validation on held-out real windows ({v['date']})",
            "",
            v["windows"],
            "",
            "Missing-trace SNR, dB (data sets weigh equally); the classical methods on the same windows and masks:",
            "",
            "| method | " + " | ".join(v["patterns"]) + " |",
            "|---|" + "---|" * len(v["patterns"]),
        ]
        for method, by in v["snr"].items():
            lines.append(f"| {method} | " + " | ".join(f"{by.get(p, {}).get('snr', float('nan')):.1f}" for p in v["patterns"]) + " |")
        lines += ["", "Per data set (this model):", "", "| data set | " + " | ".join(v["patterns"]) + " |",
                  "|---|" + "---|" * len(v["patterns"])]
        own = v["snr"][card["name"]]
        sets = sorted({d for p in v["patterns"] for d in own.get(p, {}).get("per_dataset", {})})
        for d in sets:
            lines.append(f"| {d} | " + " | ".join(f"{own.get(p, {}).get('per_dataset', {}).get(d, float('nan')):.1f}" for p in v["patterns"]) + " |")
        lines += ["", f"Reproduce: `{v['command']}`", ""]
    if card.get("unseen"):
        u = card["unseen"]
        lines += [f"## Surveys no model saw ({u['date']})", "",
                  f"Missing-trace SNR, dB, {u['surveys'].lower()} (benchmarks/unseen.py; docs/benchmarks.md):", "",
                  u["table"], "", f"Reproduce: `{u['command']}`", ""]
    return "\n".join(lines)


def rescore(names: list[str], quick: bool = False, unseen: dict[str, Path] | None = None) -> None:
    """Score ``names`` on the held-out windows and rewrite their cards; ``unseen``: name -> a
    ``benchmarks/unseen.py`` report whose survey means go on that card."""
    two, three = holdout_windows()
    patterns = PATTERNS[:3] if quick else PATTERNS
    for name in names:
        path = WEIGHTS / f"{name}.json"
        card = json.loads(path.read_text())
        ndim = int(card["model"]["ndim"])
        windows = three if ndim == 3 else two
        methods = {name: _model(name)}
        for method in classical_methods():
            methods[method] = _classical(method, ndim == 3)
        print(f"scoring {name} on {len(windows)} held-out window(s) ...", file=sys.stderr, flush=True)
        card["validation"] = {
            "date": _dt.date.today().isoformat(),
            "windows": "penobscot_xl1155 traces 450-600, qdn_poststack2d traces 384-511, cdp700_land whole, "
            "real3d_poststack inlines 7-9, f3 inlines 17-22"
            + (" (the cubes' held-out inlines filled as volumes)" if ndim == 3 else " (cube inlines one by one)"),
            "patterns": list(patterns),
            "snr": score_methods(methods, windows, patterns),
            "command": "python benchmarks/model_cards.py",
        }
        card["size_mb"] = round((WEIGHTS / f"{name}.pt").stat().st_size / 1e6, 2)
        if unseen and name in unseen:
            card["unseen"] = unseen_section(unseen[name].read_text())
        path.write_text(json.dumps(card, indent=1) + "\n")
        (WEIGHTS / f"{name}.md").write_text(render_markdown(card))
        print(render_markdown(card))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ship", action="append", default=[], metavar="NAME=RUN_DIR", help="copy RUN_DIR/model.pt in as NAME")
    p.add_argument("--hardware", action="append", default=[], metavar="NAME=TEXT", help="hardware line of NAME's card")
    p.add_argument("--command", action="append", default=[], metavar="NAME=TEXT", help="training command of NAME's card")
    p.add_argument("--only", help="comma-separated models to re-score (default: all shipped)")
    p.add_argument("--quick", action="store_true", help="only random50, regular2, gap8")
    p.add_argument("--to", type=Path, default=WEIGHTS, help="with --ship: write NAME.pt/.json/.md here (default "
                   "seisfill/weights)")
    p.add_argument("--unseen", action="append", default=[], metavar="NAME=REPORT.md",
                   help="put the survey means of this benchmarks/unseen.py report on NAME's card")
    p.add_argument("--no-score", action="store_true", help="with --ship: write the card without scoring (no SEG-Y files "
                   "needed, e.g. on a GPU machine)")
    args = p.parse_args(argv)
    hardware = dict(h.split("=", 1) for h in args.hardware)
    commands = dict(c.split("=", 1) for c in args.command)
    shipped = []
    for item in args.ship:
        name, run = item.split("=", 1)
        ship(name, Path(run), hardware.get(name, "2-core AMD EPYC VM (CPU)"), commands.get(name, ""), args.to)
        shipped.append(name)
    unseen = {k: Path(v) for k, v in (u.split("=", 1) for u in args.unseen)}
    if args.no_score or args.to != WEIGHTS:
        for name, report in unseen.items():  # the survey means alone, on a card as it is
            card_path = args.to / f"{name}.json"
            card = json.loads(card_path.read_text())
            card["unseen"] = unseen_section(report.read_text())
            card_path.write_text(json.dumps(card, indent=1) + "\n")
            (args.to / f"{name}.md").write_text(render_markdown(card))
        return 0
    names = args.only.split(",") if args.only else (shipped or sorted(q.stem for q in WEIGHTS.glob("*.json")))
    rescore(names, quick=args.quick, unseen=unseen)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
