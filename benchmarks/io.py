#!/usr/bin/env python
"""SEG-Y IO benchmark: seisfill against plain segyio, and peak memory gather by gather.

Usage::

    python benchmarks/io.py [--size-gb 1.0] [--workdir DIR] [--repeat 3] [--keep]

What it does:

1. Generates synthetic shot gathers with :func:`seisfill.synthetic.write_synthetic_segy`
   (240 traces x 1500 samples per gather, 2 % dead traces): one ~250 MB file in IEEE
   floats (format 5), the same survey in IBM floats (format 1), and one file of at
   least ``--size-gb`` GiB in IEEE floats for the memory test.  With ``--workdir``
   the files are kept there and reused by later runs; without it they go to a
   temporary folder that is deleted at the end (unless ``--keep``).
2. Read throughput on the ~250 MB files: segyio ``f.trace.raw[:]`` against
   ``seisfill.read_segy`` (headers, dead-trace scan, geometry, amplitudes), the
   header/dead-trace scan alone (``lazy=True``) and the raw ``TraceReader`` +
   ``decode_samples`` path.  One warm-up run each, so the page cache is hot for
   every contender, then the median of ``--repeat`` rounds in which the contenders
   take turns (so a change in the machine's load hits them alike).
3. Write throughput: a segyio copy of the file with new samples (``segyio.create``,
   ``dst.header = src.header``, ``dst.trace = data``), against
   ``seisfill.write_segy(ds, out, template=src)`` with no filled trace and with 10 %
   of the live traces filled.  Everything is fsync'ed, as ``write_segy`` always is,
   and ``os.sync()`` runs (untimed) between two writes.
4. Peak memory on the big file, each case in its own Python process (so the parent's
   memory does not count): gather-by-gather reads with ``read_segy(lazy=True)`` and
   with dask chunks, and a lazy read followed by ``write_segy`` with 10 % filled.
   Peak RSS is the child's own high-water mark (``VmHWM``; see :func:`_max_rss_mb`),
   interpreter and imports included.

Prints markdown tables to stdout.  MB = 10**6 bytes; throughput = file bytes / median
seconds.  Targets (issue "foundation"): seisfill >= 80 % of segyio's speed, peak
memory < 500 MB.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import filecmp
import gc
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TRACES_PER_GATHER = 240
N_SAMPLES = 1500
DT = 0.002
SEED = 7
DEAD_FRACTION = 0.02
FILLED_FRACTION = 0.10
READ_TARGET = 0.80
MEMORY_TARGET_MB = 500.0
MB = 1e6


# ---------------------------------------------------------------------------
# Test files
# ---------------------------------------------------------------------------


def _trace_bytes(fmt: int) -> int:
    return 240 + N_SAMPLES * (4 if fmt in (1, 5) else 2)


def _generate(workdir: Path, label: str, n_gathers: int, fmt: int) -> Path:
    """Write (or reuse) a synthetic SEG-Y file of ``n_gathers`` gathers."""
    from seisfill.synthetic import write_synthetic_segy

    name = f"{label}-f{fmt}-{n_gathers}x{TRACES_PER_GATHER}x{N_SAMPLES}-s{SEED}.sgy"
    path = workdir / name
    expected = 3600 + n_gathers * TRACES_PER_GATHER * _trace_bytes(fmt)
    if path.exists() and path.stat().st_size == expected:
        print(f"# reusing {path}", file=sys.stderr)
        return path
    t0 = time.perf_counter()
    write_synthetic_segy(
        path, n_gathers, TRACES_PER_GATHER, N_SAMPLES, DT, SEED,
        sample_format=fmt, dead_fraction=DEAD_FRACTION,
    )
    print(f"# generated {path} ({path.stat().st_size / MB:.0f} MB, "
          f"{time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return path


def _gathers_for(nbytes: float, fmt: int) -> int:
    return max(1, math.ceil(nbytes / (TRACES_PER_GATHER * _trace_bytes(fmt))))


# ---------------------------------------------------------------------------
# Timing helpers
# ---------------------------------------------------------------------------


def _timed(fns: list[Callable[[], object]], repeat: int,
           after: Callable[[int], None] | None = None) -> list[float]:
    """Median wall seconds of each of ``fns`` over ``repeat`` interleaved rounds.

    Every function runs once untimed first (warm-up: page cache hot, imports and
    first-touch costs paid), then the rounds run each function in turn, so that a
    change in the machine's load during the run affects every contender alike.
    ``after(i)`` runs untimed after each call of ``fns[i]`` (checks, clean-up).
    """
    times: list[list[float]] = [[] for _ in fns]
    for rnd in range(repeat + 1):
        for i, fn in enumerate(fns):
            gc.collect()
            t0 = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - t0
            del result
            if rnd:
                times[i].append(elapsed)
            if after is not None:
                after(i)
    return [statistics.median(t) for t in times]


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Read throughput
# ---------------------------------------------------------------------------


def _segyio_read(path: Path):
    import segyio

    with segyio.open(path, ignore_geometry=True) as f:
        return f.trace.raw[:]


def _seisfill_raw_decode(path: Path, chunk_bytes: int = 4 << 20):
    """TraceReader + decode_samples into one (n_traces, ns) array: no headers, no scan."""
    import numpy as np

    from seisfill.io.formats import decode_samples
    from seisfill.io.layout import TraceReader, open_layout

    lay = open_layout(path)
    out = np.empty((lay.n_traces, lay.n_samples), dtype=np.float32)
    per = max(1, chunk_bytes // lay.trace_size)
    with TraceReader(lay) as reader:
        for start in range(0, lay.n_traces, per):
            stop = min(lay.n_traces, start + per)
            out[start:stop] = decode_samples(reader.read_range(start, stop)[:, 240:], lay.format, lay.endian)
    return out


def read_section(files: dict[str, Path], repeat: int) -> str:
    import numpy as np

    import seisfill

    rows = []
    for label, path in files.items():
        size = path.stat().st_size
        ref = _segyio_read(path)
        ds = seisfill.read_segy(path)
        same = np.array_equal(ds["amplitude"].values.reshape(ref.shape), ref)
        del ds, ref
        cases = [
            ("segyio `f.trace.raw[:]`", lambda p=path: _segyio_read(p)),
            ("seisfill `read_segy(p)` (eager, full dataset)", lambda p=path: seisfill.read_segy(p)),
            ("seisfill `read_segy(p, lazy=True)` (headers + dead-trace scan only)",
             lambda p=path: seisfill.read_segy(p, lazy=True)),
            ("seisfill `TraceReader` + `decode_samples` (samples only)",
             lambda p=path: _seisfill_raw_decode(p)),
        ]
        seconds = _timed([fn for _, fn in cases], repeat)
        base = size / seconds[0] / MB
        for (name, _), sec in zip(cases, seconds, strict=True):
            rate = size / sec / MB
            rows.append([label, name, f"{sec:.3f}", f"{rate:.0f}", f"{rate / base:.2f}"])
        rows.append([label, f"_check: read_segy amplitudes == segyio samples: {'yes' if same else 'NO'}_",
                     "", "", ""])
    return _table(["file", "reader", "median s", "MB/s", "vs segyio"], rows)


# ---------------------------------------------------------------------------
# Write throughput
# ---------------------------------------------------------------------------


def _segyio_write(src: Path, out: Path, data, headers: bool) -> None:
    import segyio

    with segyio.open(src, ignore_geometry=True) as f:
        spec = segyio.tools.metadata(f)
        with segyio.create(out, spec) as dst:
            dst.text[0] = f.text[0]
            dst.bin = f.bin
            if headers:
                dst.header = f.header
            dst.trace = data
    _fsync(out)


def _with_filled(ds, fraction: float, seed: int = 0):
    """Copy of ``ds`` with ``fraction`` of the live slots marked filled and their amplitudes halved.

    Works for numpy- and dask-backed amplitudes (the latter stays lazy).
    """
    import numpy as np
    import xarray as xr

    live = ds["live"].values
    candidates = np.flatnonzero(live)
    rng = np.random.default_rng(seed)
    pick = rng.choice(candidates, size=round(fraction * candidates.size), replace=False)
    filled = np.zeros(live.size, dtype=bool)
    filled[pick] = True
    filled = xr.DataArray(filled.reshape(live.shape), dims=ds["live"].dims)
    out = ds.copy()
    out["filled"] = filled
    amp = ds["amplitude"]
    out["amplitude"] = xr.where(filled, amp * np.float32(0.5), amp).astype(np.float32)
    out["amplitude"].attrs = amp.attrs
    return out


def _write_rows(label: str, path: Path, out: Path, repeat: int) -> list[list[str]]:
    import seisfill

    size = path.stat().st_size
    data = _segyio_read(path)
    ds = seisfill.read_segy(path)
    ds_filled = _with_filled(ds, FILLED_FRACTION)
    cases = [
        ("segyio create, `dst.header = src.header`, `dst.trace = data`",
         lambda: _segyio_write(path, out, data, headers=True), path),
        ("segyio create, `dst.trace = data` only (headers left blank; not a copy)",
         lambda: _segyio_write(path, out, data, headers=False), None),
        ("seisfill `write_segy(ds, out, template=src)`, nothing filled",
         lambda: seisfill.write_segy(ds, out, template=path), path),
        (f"seisfill `write_segy`, {FILLED_FRACTION:.0%} of live traces filled",
         lambda: seisfill.write_segy(ds_filled, out, template=path), None),
    ]
    identical: dict[int, bool] = {}

    def check(i: int) -> None:
        same_as = cases[i][2]
        if same_as is not None:
            same = filecmp.cmp(out, same_as, shallow=False)
            identical[i] = identical.get(i, True) and same
        out.unlink(missing_ok=True)
        os.sync()  # untimed: the next writer does not pay for this one's writeback

    seconds = _timed([fn for _, fn, _ in cases], repeat, after=check)
    base = size / seconds[0] / MB
    rows = []
    for i, ((name, _, _), sec) in enumerate(zip(cases, seconds, strict=True)):
        rate = size / sec / MB
        same = "" if i not in identical else ("yes" if identical[i] else "**no**")
        rows.append([label, name, f"{sec:.3f}", f"{rate:.0f}", f"{rate / base:.2f}", same])
    return rows


def write_section(files: dict[str, Path], workdir: Path, repeat: int) -> str:
    out = workdir / "bench-write-out.sgy"
    rows = []
    for label, path in files.items():
        rows += _write_rows(label, path, out, repeat)
        gc.collect()
    out.unlink(missing_ok=True)
    Path(f"{out}.seisfill.json").unlink(missing_ok=True)
    return _table(["file", "writer", "median s", "MB/s", "vs segyio (headers)",
                   "output == source bytes"], rows)


# ---------------------------------------------------------------------------
# Peak memory (child processes)
# ---------------------------------------------------------------------------

MEMORY_CASES = {
    "segyio": "segyio `f.trace.raw[a:b]` per gather (reference)",
    "lazy": "seisfill `read_segy(p, lazy=True)`, `ds.amplitude[g].values` per gather",
    "dask": "seisfill `read_segy(p, chunks={'gather': 4})`, `ds.amplitude[g].values` per gather",
    "dask-reduce": "seisfill `read_segy(p, chunks={'gather': 4})`, RMS of every trace "
                   "in one dask `.compute()`",
    "lazy-write": f"seisfill `read_segy(p, lazy=True)` + `write_segy`, {FILLED_FRACTION:.0%} "
                  "filled (flag only, samples re-encoded)",
    "dask-write": f"seisfill `read_segy(p, chunks={{'gather': 4}})` + `write_segy`, "
                  f"{FILLED_FRACTION:.0%} filled (amplitudes x0.5, lazy `xr.where`)",
}


def _max_rss_mb() -> float:
    """Peak resident memory of this process so far, MB.

    ``VmHWM`` from ``/proc/self/status`` (the high-water mark of this process's own
    address space).  ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` is not used on
    Linux: the kernel carries it across ``execve``, so a child started by a big
    parent (``subprocess`` forks, or vforks, the parent first) reports at least the
    parent's resident size.  ``ru_maxrss`` is the fallback elsewhere.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / MB  # kB
    except OSError:
        pass
    import resource

    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / MB


def child_main(mode: str, path: Path, workdir: Path) -> None:
    """Run one memory case and print one JSON line (peak RSS, seconds)."""
    import numpy as np

    if mode == "segyio":
        import segyio
    else:
        import dask.array  # noqa: F401  (imported up front so the baseline counts it)

        import seisfill
    after_imports = _max_rss_mb()
    t0 = time.perf_counter()
    checksum = 0.0
    if mode == "segyio":
        with segyio.open(path, ignore_geometry=True) as f:
            for a in range(0, f.tracecount, TRACES_PER_GATHER):
                g = f.trace.raw[a : a + TRACES_PER_GATHER]
                checksum += float(np.sqrt(np.mean(np.square(g, dtype=np.float64), axis=1)).sum())
    elif mode in ("lazy", "dask"):
        ds = seisfill.read_segy(path, lazy=True) if mode == "lazy" else seisfill.read_segy(
            path, chunks={"gather": 4})
        amp = ds["amplitude"]
        for g in range(amp.shape[0]):
            a = amp[g].values
            checksum += float(np.sqrt(np.mean(np.square(a, dtype=np.float64), axis=1)).sum())
    elif mode == "dask-reduce":
        ds = seisfill.read_segy(path, chunks={"gather": 4})
        rms = np.sqrt((ds["amplitude"].astype(np.float64) ** 2).mean("time")).compute()
        checksum = float(rms.sum())
    elif mode in ("lazy-write", "dask-write"):
        ds = seisfill.read_segy(path, lazy=True) if mode == "lazy-write" else seisfill.read_segy(
            path, chunks={"gather": 4})
        if mode == "lazy-write":
            ds = _flag_filled(ds, FILLED_FRACTION)
        else:
            ds = _with_filled(ds, FILLED_FRACTION)
        out = workdir / f"bench-mem-{mode}.sgy"
        summary = seisfill.write_segy(ds, out, template=path)
        checksum = float(summary.n_filled)
        out.unlink(missing_ok=True)
        Path(f"{out}.seisfill.json").unlink(missing_ok=True)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    seconds = time.perf_counter() - t0
    print(json.dumps({"mode": mode, "seconds": seconds, "after_imports_mb": after_imports,
                      "peak_mb": _max_rss_mb(), "checksum": checksum}))


def _flag_filled(ds, fraction: float, seed: int = 0):
    """Mark ``fraction`` of the live slots filled without touching the (lazy) amplitudes."""
    import numpy as np

    live = ds["live"].values
    candidates = np.flatnonzero(live)
    pick = np.random.default_rng(seed).choice(candidates, size=round(fraction * candidates.size),
                                              replace=False)
    filled = np.zeros(live.size, dtype=bool)
    filled[pick] = True
    ds = ds.copy()
    ds["filled"] = (ds["live"].dims, filled.reshape(live.shape))
    return ds


def _warm_page_cache(path: Path, chunk: int = 8 << 20) -> None:
    """Read the file once so that no child pays for cold pages (the parent's RSS stays small)."""
    buf = bytearray(chunk)
    with open(path, "rb", buffering=0) as fh:
        while fh.readinto(buf):
            pass


def memory_section(path: Path, workdir: Path) -> str:
    size = path.stat().st_size
    _warm_page_cache(path)
    rows = []
    for mode, description in MEMORY_CASES.items():
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, str(path),
               "--workdir", str(workdir)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
            rows.append([description, "failed", "", "", "", f"`{tail[:80]}`"])
            continue
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        ok = "yes" if res["peak_mb"] < MEMORY_TARGET_MB else "**no**"
        rows.append([description, f"{res['seconds']:.2f}", f"{size / res['seconds'] / MB:.0f}",
                     f"{res['peak_mb']:.0f}", f"{res['after_imports_mb']:.0f}", ok])
    return _table(["case", "wall s", "MB/s", "peak RSS MB", "RSS after imports MB",
                   f"< {MEMORY_TARGET_MB:.0f} MB"], rows)


# ---------------------------------------------------------------------------
# Machine description
# ---------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return float("nan")


def _filesystem(path: Path) -> str:
    try:
        best = ("", "?", "?")
        target = str(path.resolve())
        for line in Path("/proc/mounts").read_text().splitlines():
            dev, mnt, fstype = line.split()[:3]
            if (target == mnt or target.startswith(mnt.rstrip("/") + "/")) and len(mnt) > len(best[0]):
                best = (mnt, fstype, dev)
        return f"{best[1]} ({best[2]} on {best[0]})"
    except OSError:
        return "unknown"


def _git_revision() -> str:
    repo = Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--", "seisfill"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return rev + (" + uncommitted changes in seisfill/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine_section(workdir: Path) -> str:
    from importlib.metadata import PackageNotFoundError, version

    def ver(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    return "\n".join([
        f"- date: {_dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- CPU: {_cpu_model()}, {os.cpu_count()} cores; RAM {_ram_gib():.1f} GiB",
        f"- OS: {platform.system()} {platform.release()}; work dir filesystem: {_filesystem(workdir)}",
        f"- Python {platform.python_version()}; numpy {ver('numpy')}, segyio {ver('segyio')}, "
        f"xarray {ver('xarray')}, dask {ver('dask')}, seisfill {ver('seisfill')} "
        f"(git {_git_revision()})",
        f"- load average at start (1/5/15 min): {_loadavg()}",
    ])


def _loadavg() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-gb", type=float, default=1.0,
                        help="size of the memory-test file, GiB (default 1.0)")
    parser.add_argument("--throughput-mb", type=float, default=250.0,
                        help="size of the two throughput files, MB (default 250)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the generated files here and reuse them (default: temp dir)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case (default 3)")
    parser.add_argument("--keep", action="store_true", help="do not delete the temp work dir")
    parser.add_argument("--skip", action="append", default=[], choices=["read", "write", "memory"],
                        help="skip a section (repeatable)")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        child_main(args.child[0], Path(args.child[1]), args.workdir or Path(tempfile.gettempdir()))
        return 0

    if args.workdir is not None:
        workdir = args.workdir
        workdir.mkdir(parents=True, exist_ok=True)
        cleanup = False
    else:
        workdir = Path(tempfile.mkdtemp(prefix="seisfill-bench-"))
        cleanup = not args.keep
    try:
        n_small = _gathers_for(args.throughput_mb * MB, 5)
        files = {
            "IEEE (format 5)": _generate(workdir, "throughput", n_small, 5),
            "IBM (format 1)": _generate(workdir, "throughput", n_small, 1),
        }
        big = None
        if "memory" not in args.skip:
            big = _generate(workdir, "memory", _gathers_for(args.size_gb * 2**30, 5), 5)

        cmd = "python benchmarks/io.py " + " ".join(
            a for a in (argv if argv is not None else sys.argv[1:]))
        print("## SEG-Y IO benchmark\n")
        print(f"Command: `{cmd.strip()}`\n")
        print(machine_section(workdir) + "\n")
        small = next(iter(files.values()))
        print(f"Throughput files: {n_small} gathers x {TRACES_PER_GATHER} traces x "
              f"{N_SAMPLES} samples, big-endian, {DEAD_FRACTION:.0%} dead traces; "
              f"{small.stat().st_size / MB:.0f} MB each.  Median of {args.repeat} rounds after one "
              f"warm-up round (page cache hot for every reader); the contenders take turns within "
              f"each round.  MB = 10^6 bytes.\n")
        if "read" not in args.skip:
            print("### Read throughput\n")
            print(read_section(files, args.repeat) + "\n", flush=True)
        if "write" not in args.skip:
            print("### Write throughput (output fsync'ed in every case; `os.sync()` untimed "
                  "between writes)\n")
            print(write_section(files, workdir, args.repeat) + "\n", flush=True)
        if big is not None:
            print(f"### Peak memory, gather by gather, on a {big.stat().st_size / MB:.0f} MB file "
                  f"({big.stat().st_size // (TRACES_PER_GATHER * _trace_bytes(5))} gathers, IEEE)\n")
            print("Each case runs once, in a fresh Python process, after the file was read once "
                  "(page cache hot); wall time includes opening the file (for seisfill: the header "
                  "and dead-trace scan).  Peak RSS is the child's `VmHWM` (interpreter and imports "
                  "included; `ru_maxrss` is not used because Linux carries it over from the parent "
                  "across `exec`).\n")
            print(memory_section(big, workdir) + "\n", flush=True)
        print(f"Load average at the end (1/5/15 min): {_loadavg()}; other processes on the "
              "machine make the timings noisier, not the memory figures.")
    finally:
        if cleanup:
            shutil.rmtree(workdir, ignore_errors=True)
        elif args.workdir is None:
            print(f"# kept {workdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
