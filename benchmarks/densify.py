#!/usr/bin/env python
"""Densify benchmark: keep every N-th trace of real gathers and lines, densify back by N, score the new traces.

Usage::

    python benchmarks/densify.py [--data DIR] [--files a.sgy,b.sgy] [--methods fx,linear]
                                 [--factors 2,3] [--max-gathers N] [--max-samples N] [--threads N]

For each file of ``../shared/data`` in :data:`FILES` (gathers and 2-D lines; a cube is
read as its lines), each factor N and each method of the registry that can run here
(``seisfill.list_methods(available=True)``, or ``--methods``):

1. keep every N-th trace of each gather -- the others are *removed from the file*
   (a new SEG-Y holding only the kept traces, headers and bytes unchanged), not zeroed;
2. :func:`seisfill.densify` it back by N with the method (the new traces' headers
   interpolated from their neighbours, as ``seisfill densify`` writes them);
3. score the new traces against the removed originals
   (:func:`seisfill.metrics.snr_missing` over every new trace of the file: a gather of
   ``n`` traces gives back ``(ceil(n / N) - 1) N + 1`` of them).

At most ``--max-gathers`` gathers per file (evenly spaced) and ``--max-samples`` samples
per trace keep a run short.  A method that cannot run on a file (a SeisfillError) gets
"-" there; the mean is over the files every method ran on.  Progress goes to stderr,
the markdown table to stdout.  The default densify method
(:data:`seisfill.methods.DEFAULT_DENSIFY_METHOD`) should be the best on the mean.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import seisfill
from seisfill.errors import SeisfillError
from seisfill.io.layout import open_layout
from seisfill.methods import DEFAULT_DENSIFY_METHOD, list_methods
from seisfill.metrics import snr_missing

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: gathers and lines: file -> read_segy options
FILES = {
    "cdp700_land.sgy": {},
    "su_cdp601to610.sgy": {},
    "ozdata16_shot.sgy": {},
    "mobil_viking_crg.sgy": {},
    "lomablanca_shots.sgy": {},
    "barna_shot3360.sgy": {},
    "penobscot_xl1155.sgy": {"key": "none"},
    "qdn_poststack2d.sgy": {"key": "none"},
    "volve_arb_twt.sgy": {"key": "none"},
}


def keep_every(source: Path, target: Path, factor: int, read: dict, gathers: np.ndarray,
               max_samples: int) -> tuple[Path, np.ndarray]:
    """Write ``target``: the chosen gathers of ``source`` with every ``factor``-th trace, the others removed.

    Returns the target and the truth, shape (n_gather, n_dense, n_time): each gather's
    original traces at the slots densify gives back.
    """
    ds = seisfill.read_segy(source, **read)
    slot_trace = ds["trace_index"].values[gathers]
    kept = slot_trace[:, ::factor]
    traces = np.sort(kept[kept >= 0])
    lay = open_layout(source)
    with open(source, "rb") as fh:
        preamble = fh.read(lay.data_offset)
    blob = np.memmap(source, dtype=np.uint8, mode="r", offset=lay.data_offset, shape=(lay.n_traces, lay.trace_size))
    target.write_bytes(preamble + np.ascontiguousarray(blob[traces]).tobytes())
    truth = ds["amplitude"].values[gathers][..., :max_samples]
    return target, truth


def score(coarse: Path, truth: np.ndarray, factor: int, method: str, read: dict, max_samples: int) -> float:
    """Missing-trace SNR (dB) of the new traces of ``coarse`` densified by ``factor`` with ``method``."""
    ds = seisfill.read_segy(coarse, **read)
    ds = ds.isel(time=slice(0, max_samples))
    dense = seisfill.densify(ds, factor, method=method)
    estimate = dense["amplitude"].values
    new = ~dense["live"].values & ~dense["pad"].values & (np.arange(estimate.shape[1]) % factor != 0)
    n = min(estimate.shape[1], truth.shape[1])
    return snr_missing(truth[:, :n], estimate[:, :n], new[:, :n])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--files", help="comma-separated file names (default: all of FILES present)")
    parser.add_argument("--methods", help="comma-separated methods (default: every method that can run here)")
    parser.add_argument("--factors", default="2,3")
    parser.add_argument("--max-gathers", type=int, default=4)
    parser.add_argument("--max-samples", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: leave torch's default)")
    args = parser.parse_args(argv)
    if args.threads and importlib.util.find_spec("torch") is not None:
        import torch

        torch.set_num_threads(args.threads)
    names = args.files.split(",") if args.files else list(FILES)
    methods = args.methods.split(",") if args.methods else list_methods(available=True)
    factors = [int(f) for f in args.factors.split(",")]
    results: dict[tuple[str, str, int], float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            source = args.data / name
            if not source.exists():
                print(f"skip {name}: not in {args.data}", file=sys.stderr)
                continue
            read = FILES.get(name, {})
            n_gather = seisfill.read_segy(source, lazy=True, headers="geometry", **read)["live"].shape[0]
            gathers = np.unique(np.linspace(0, n_gather - 1, min(n_gather, args.max_gathers)).round().astype(int))
            for factor in factors:
                coarse, truth = keep_every(source, Path(tmp) / f"{factor}_{name}", factor, read, gathers,
                                           args.max_samples)
                for method in methods:
                    start = time.perf_counter()
                    try:
                        results[name, method, factor] = score(coarse, truth, factor, method, read, args.max_samples)
                    except SeisfillError as exc:
                        print(f"{name} N={factor} {method}: skipped ({exc})", file=sys.stderr)
                        continue
                    print(f"{name} N={factor} {method}: {results[name, method, factor]:.2f} dB "
                          f"({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    print(table(results, methods, factors))
    return 0


def table(results: dict[tuple[str, str, int], float], methods: list[str], factors: list[int]) -> str:
    """Markdown: one row per file, one column per method and factor, the mean last."""
    files = list(dict.fromkeys(name for name, _, _ in results))
    columns = [(m, f) for f in factors for m in methods]
    lines = ["| file | " + " | ".join(f"{m} N={f}" for m, f in columns) + " |",
             "|---|" + "---:|" * len(columns)]
    for name in files:
        cells = [f"{results[name, m, f]:.2f}" if (name, m, f) in results else "-" for m, f in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    common = [n for n in files if all((n, m, f) in results for m, f in columns)]
    means = [f"**{np.mean([results[n, m, f] for n in common]):.2f}**" if common else "-" for m, f in columns]
    lines.append(f"| mean ({len(common)} files) | " + " | ".join(means) + " |")
    lines.append(f"\nmissing-trace SNR (dB) of the new traces; default densify method: {DEFAULT_DENSIFY_METHOD}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
