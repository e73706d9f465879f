#!/usr/bin/env python
"""Streaming fill on Dask workers: wall time, traces/s and peak memory per process.

Usage::

    python benchmarks/scale.py                         # 2 GB file, pocs and unet, 1 and 2 workers
    python benchmarks/scale.py --size-gb 0.25 --methods pocs --workers 1,2

1. Generates a synthetic multi-shot SEG-Y file (:func:`seisfill.synthetic.write_synthetic_segy`:
   240 traces x 1000 samples x 4 ms per shot, IEEE floats, 10 % of the traces dead)
   of at least ``--size-gb`` GiB, once, in ``--workdir``.
2. For every method and worker count runs the real command line,
   ``python -m seisfill fill IN OUT --method M --workers N --no-progress``, in a
   subprocess, and samples every 0.2 s the resident memory (RSS) of that process
   (the main one: headers, writing) and of each of its descendants (the Dask nanny
   and worker processes).
3. Prints a markdown table: wall seconds, filled and total traces per second, peak RSS
   of the main process and the largest peak among the workers, and the speed-up of N
   workers over 1.

``--plan-memory`` instead measures planning alone: the peak RSS of a process that
only plans the file, gather by gather (:func:`seisfill.io.gather_runs.plan_gather_runs`,
what ``--workers`` uses for grouped files) and on the whole grid
(``read_segy(lazy=True, headers="geometry")``, what it uses for cubes and bricks).

Needs psutil (the dev extra).  Targets of the issue: peak memory per process under
1 GB whatever the file size; 2 workers >= 1.7x faster than 1.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

GIB = 2**30


def generate(path: Path, size_gb: float) -> int:
    """Write the test file if it is not there yet; returns its number of traces."""
    from seisfill.synthetic import write_synthetic_segy

    trace_bytes = 240 + 4 * 1000
    n_gathers = max(2, int(size_gb * GIB / (240 * trace_bytes)) + 1)
    if not path.exists():
        t0 = time.perf_counter()
        write_synthetic_segy(path, n_gathers=n_gathers, traces_per_gather=240, nt=1000, dt=0.004, seed=7,
                             dead_fraction=0.1, drop_fraction=0.0)
        print(f"generated {path} ({path.stat().st_size / GIB:.2f} GiB) in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr, flush=True)
    return n_gathers * 240


def run(cmd: list[str]) -> tuple[float, float, list[float], str]:
    """Run ``cmd``; (wall s, peak RSS of the main process in MB, peak RSS of each descendant, stdout)."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    main = psutil.Process(proc.pid)
    peak_main = 0.0
    peaks: dict[int, float] = {}
    while proc.poll() is None:
        try:
            peak_main = max(peak_main, main.memory_info().rss / 1e6)
            for child in main.children(recursive=True):
                try:
                    peaks[child.pid] = max(peaks.get(child.pid, 0.0), child.memory_info().rss / 1e6)
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        time.sleep(0.2)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {err.strip().splitlines()[-1] if err.strip() else proc.returncode}")
    return wall, peak_main, sorted(peaks.values(), reverse=True), out


# peak RSS from VmHWM (this process image only: ru_maxrss would carry the parent's peak over exec)
_PLAN = """
import sys, tempfile, time
import seisfill
from seisfill.io.gather_runs import plan_gather_runs
from seisfill.io.layout import open_layout

def hwm_mb():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024

path, mode = sys.argv[1], sys.argv[2]
base = hwm_mb()
t = time.perf_counter()
if mode == "grid":
    n = seisfill.read_segy(path, lazy=True, headers="geometry")["live"].shape[0]
else:
    with tempfile.TemporaryFile() as fh:
        n = plan_gather_runs(open_layout(path), filled_list=fh).n_gathers
print(n, time.perf_counter() - t, base, hwm_mb())
"""


def plan_memory(source: Path) -> None:
    """Print the peak RSS of planning ``source`` gather by gather and on the whole grid, each in its own process."""
    print("| plan | rows | seconds | RSS after imports MB | peak RSS MB | peak above imports MB |")
    print("|---|---|---|---|---|---|")
    for mode, name in (("gathers", "gather by gather (plan_gather_runs)"), ("grid", "whole grid (read_segy geometry)")):
        out = subprocess.run([sys.executable, "-c", _PLAN, str(source), mode], capture_output=True, text=True,
                             check=True).stdout.split()
        n, seconds, base, peak = int(out[0]), float(out[1]), float(out[2]), float(out[3])
        print(f"| {name} | {n} | {seconds:.0f} | {base:.0f} | {peak:.0f} | {peak - base:.0f} |",
              flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size-gb", type=float, default=2.0)
    p.add_argument("--methods", default="pocs,unet")
    p.add_argument("--workers", default="1,2")
    p.add_argument("--gathers-per-task", type=int, default=4)
    p.add_argument("--workdir", type=Path, default=Path("/tmp/seisfill_scale"))
    p.add_argument("--plan-memory", action="store_true", help="measure planning alone (no fill)")
    args = p.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    source = args.workdir / f"shots_{args.size_gb:g}gb.sgy"
    n_traces = generate(source, args.size_gb)
    size = source.stat().st_size / GIB
    print(f"File: {source.name}, {size:.2f} GiB, {n_traces} traces x 1000 samples, 10 % dead  ")
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}  ")
    if args.plan_memory:
        plan_memory(source)
        return 0
    print(f"Command per row: `python -m seisfill fill IN OUT --method M --workers N --gathers-per-task {args.gathers_per_task} --no-progress`\n")
    print("| method | workers | wall s | filled traces/s | all traces/s | speed-up | peak RSS main MB | peak RSS per worker MB |")
    print("|---|---|---|---|---|---|---|---|")
    for method in args.methods.split(","):
        base = None
        for n in (int(w) for w in args.workers.split(",")):
            out = args.workdir / f"out_{method}_{n}.sgy"
            cmd = [sys.executable, "-m", "seisfill", "fill", str(source), str(out), "--method", method,
                   "--workers", str(n), "--gathers-per-task", str(args.gathers_per_task), "--no-progress"]
            wall, peak_main, peaks, text = run(cmd)
            filled = next((int(w) for line in text.splitlines() if "filled" in line for w in line.split() if w.isdigit()), 0)
            base = base or wall
            # descendants: nanny processes are small; the workers are the largest ones
            workers = ", ".join(f"{v:.0f}" for v in peaks[:n])
            print(f"| {method} | {n} | {wall:.0f} | {filled / wall:.0f} | {n_traces / wall:.0f} | {base / wall:.2f} | "
                  f"{peak_main:.0f} | {workers} |", flush=True)
            out.unlink(missing_ok=True)
            Path(f"{out}.seisfill.json").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
