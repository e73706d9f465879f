#!/usr/bin/env python
"""Network fill throughput: missing traces filled per second, 1000-sample traces.

Usage::

    python benchmarks/fill_speed.py                      # every shipped 2-D model, CPU
    python benchmarks/fill_speed.py --models partial2d --device cuda --batch-size 256
    python benchmarks/fill_speed.py --models gated2d --methods unet,hybrid   # hybrid: + f-x
    python benchmarks/fill_speed.py --models gated2d --methods unet,fx,hybrid --threads 2

Fills 4 synthetic gathers of 240 traces x 1000 samples (seisfill.synthetic) with
``random50`` (half the traces missing) and ``dead10`` (10 % isolated dead channels)
through :func:`seisfill.fill_array` (any registered method: ``unet``, ``hybrid`` =
unet + fx, or a classical one such as ``fx``, which runs once, not per model: sliding
windows, normalisation, blending, batching: everything a user's ``seisfill fill`` runs
except reading and writing SEG-Y), after one warm-up call; best of ``--repeat`` rounds.
Prints a markdown table: traces filled per second, all traces (live + filled) per
second, and the CPU seconds of the process (all threads) for the best round -- on a
shared machine the CPU time moves less than the wall time.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    import torch

    from seisfill.core import fill_array
    from seisfill.masks import decimate
    from seisfill.methods import get_method
    from seisfill.models import list_models, load_model
    from seisfill.synthetic import random_gather

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", default=",".join(c.name for c in list_models() if c.ndim == 2))
    p.add_argument("--device", default="cpu")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--gathers", type=int, default=4)
    p.add_argument("--methods", default="unet,hybrid", help="comma-separated registered methods: unet, hybrid, fx...")
    p.add_argument("--threads", type=int, default=0, help="torch intra-op threads (default: torch's own)")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    data = np.stack([random_gather(seed, n_traces=240, nt=1000, dt=0.004).data for seed in range(args.gathers)])
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__} "
          f"({torch.get_num_threads()} threads), device {args.device}\n")
    print("| method | model | pattern | traces filled | seconds | filled traces/s | all traces/s | CPU seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for method in args.methods.split(","):
        network = get_method(method).needs_torch
        for name in args.models.split(",") if network else ["-"]:
            opts = {}
            if network:
                opts = {"model": load_model(name, device=args.device), "device": args.device,
                        "batch_size": args.batch_size}
            for pattern in ("random50", "dead10"):
                live = np.stack([decimate(data.shape[1], pattern, seed=g) for g in range(args.gathers)])
                fill_array(data[:1], live[:1], method, **opts)
                best, cpu = float("inf"), 0.0
                for _ in range(args.repeat):
                    t0, c0 = time.perf_counter(), time.process_time()
                    fill_array(data, live, method, **opts)
                    if time.perf_counter() - t0 < best:
                        best, cpu = time.perf_counter() - t0, time.process_time() - c0
                n = int((~live).sum())
                print(f"| {method} | {name} | {pattern} | {n} | {best:.2f} | {n / best:.0f} | {live.size / best:.0f} "
                      f"| {cpu:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
