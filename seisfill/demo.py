"""``make demo``: the main job, end to end, on the bundled sample data.

1. For each sample gather with dead traces: read it, find the dead traces,
   fill them with the default method (``hybrid``: the shipped network and f-x), write
   SEG-Y, check that every live trace is byte-identical to the input, and -
   since the sample files were made by killing traces of real recordings -
   measure the SNR of the filled traces against what was really recorded
   there; a QC sheet per gather.
2. Regularise a synthetic shot file with dropped channels, fill the inserted
   slots and write them out as new traces.
3. Decimate the held-out real line ``penobscot_xl1155_holdout.sgy`` (never
   seen in training) with ``random50``, ``regular2`` and ``gap8``, fill it with
   every method and print the missing-trace SNR table (also written as
   ``snr_table.md``), with a QC sheet per pattern for the default method.

Run it from the repository root with ``python -m seisfill.demo [--method M]
[--samples sample_data] [--out demo_output]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from seisfill.core import fill_array
from seisfill.errors import SeisfillError
from seisfill.fill_dataset import fill
from seisfill.io import dataset as names
from seisfill.io.layout import open_layout
from seisfill.io.regularize import regularize
from seisfill.io.segy import read_segy
from seisfill.io.write import write_segy
from seisfill.masks import decimate
from seisfill.methods import get_method, list_methods, usable_default
from seisfill.metrics import snr, snr_missing

#: sample file with dead traces -> the clean recording it was made from
CASES = {
    "cdp700_land_dead.sgy": "cdp700_land.sgy",
    "penobscot_xl1155_w200_dead.sgy": "penobscot_xl1155_w200.sgy",
}
#: a synthetic file with channels missing from it (regularised), and the held-out real line
SYNTHETIC = "synthetic_shots_gaps.sgy"
HOLDOUT = "penobscot_xl1155_holdout.sgy"


def check_samples(samples: Path) -> None:
    """Raise a one-line error if ``samples`` lacks one of the demo's files."""
    needed = [*CASES, *CASES.values(), SYNTHETIC, HOLDOUT]
    missing = [name for name in needed if not (samples / name).is_file()]
    if missing:
        raise SeisfillError(
            f"sample data folder {samples} lacks {', '.join(missing)}: run from the repository root "
            "(its sample_data/ folder) or give --samples DIR"
        )


def _live_bytes_identical(source: Path, output: Path, live_traces: np.ndarray) -> bool:
    """True if the listed traces (header and samples) are the same bytes in both files."""
    a, b = open_layout(source), open_layout(output)
    with open(source, "rb") as fa, open(output, "rb") as fb:
        if fa.read(a.data_offset) != fb.read(b.data_offset):
            return False
        for i in live_traces:
            fa.seek(a.data_offset + int(i) * a.trace_size)
            fb.seek(b.data_offset + int(i) * b.trace_size)
            if fa.read(a.trace_size) != fb.read(b.trace_size):
                return False
    return True


def _save(fig, path: Path) -> Path:
    fig.savefig(path, dpi="figure")  # the sheet's own dpi: a few pixels per trace
    return path


def run(method: str, samples: Path, out_dir: Path) -> list[dict]:
    """Fill the sample files with dead or missing traces; one row per file."""
    from seisfill.qc import qc_sheet, trace_axis

    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for dead_name, clean_name in CASES.items():
        start = time.perf_counter()
        source = samples / dead_name
        ds = read_segy(source)
        filled = fill(ds, method=method)
        target = out_dir / dead_name.replace("_dead", f"_filled_{method}")
        summary = write_segy(filled, target, template=source)
        seconds = time.perf_counter() - start
        reference = read_segy(samples / clean_name)[names.AMPLITUDE].values
        missing = filled[names.FILLED].values
        live_traces = ds[names.TRACE_INDEX].values[ds[names.LIVE].values]
        dt = float(ds.attrs.get("dt_ms", 4.0)) / 1000
        x, xlabel = trace_axis(ds, 0)
        _save(
            qc_sheet(ds[names.AMPLITUDE].values[0], filled[names.AMPLITUDE].values[0], ds[names.LIVE].values[0], dt,
                     reference=reference[0], title=dead_name, x=x, xlabel=xlabel, method=method,
                     model=filled.attrs.get("fill_model")),
            out_dir / f"qc_{target.stem}.png",
        )
        rows.append({
            "file": dead_name,
            "traces": int(ds.attrs["segy_n_traces"]),
            "dead": int((~ds[names.LIVE].values & ~ds[names.PAD].values).sum()),
            "inserted": summary.n_inserted,
            "snr_missing": snr_missing(reference, filled[names.AMPLITUDE].values, missing),
            "snr_all": snr(reference, filled[names.AMPLITUDE].values),
            "identical": _live_bytes_identical(source, target, live_traces),
            "seconds": seconds,
            "output": target,
        })

    start = time.perf_counter()
    source = samples / SYNTHETIC
    ds = regularize(read_segy(source))
    filled = fill(ds, method=method)
    target = out_dir / f"synthetic_shots_gaps_filled_{method}.sgy"
    summary = write_segy(filled, target, template=source)
    rows.append({
        "file": source.name, "traces": int(ds.attrs["segy_n_traces"]),
        "dead": summary.n_filled, "inserted": summary.n_inserted,
        "snr_missing": float("nan"), "snr_all": float("nan"),
        "identical": None, "seconds": time.perf_counter() - start, "output": target,
    })
    return rows


#: decimation patterns and methods of the held-out comparison
PATTERNS = ("random50", "regular2", "gap8")


def compare_holdout(methods: list[str], samples: Path, out_dir: Path) -> dict[str, dict[str, float]]:
    """Decimate the held-out Penobscot window, fill with each method; method -> pattern -> SNR (dB)."""
    from seisfill.qc import qc_sheet, trace_axis

    ds = read_segy(samples / HOLDOUT)
    x, xlabel = trace_axis(ds, 0)
    ref = np.asarray(ds[names.AMPLITUDE].values[0], dtype=np.float32)
    dt = float(ds.attrs.get("dt_ms", 4.0)) / 1000
    table: dict[str, dict[str, float]] = {m: {} for m in methods}
    for pattern in PATTERNS:
        live = decimate(ref.shape[0], pattern, seed=0)
        for m in methods:
            est = fill_array(ref, live, m)
            table[m][pattern] = snr_missing(ref, est, ~live)
            if m == methods[0]:
                _save(qc_sheet(ref, est, live, dt, reference=ref, title=f"penobscot held-out, {pattern}", x=x,
                               xlabel=xlabel, method=m),
                      out_dir / f"qc_penobscot_holdout_{pattern}_{m}.png")
    lines = ["| method | " + " | ".join(PATTERNS) + " |", "|---|" + "---|" * len(PATTERNS)]
    lines += [f"| {m} | " + " | ".join(f"{table[m][p]:.1f}" for p in PATTERNS) + " |" for m in methods]
    (out_dir / "snr_table.md").write_text(
        "Missing-trace SNR (dB), penobscot_xl1155 traces 450-600 (held out of training), 1001 samples\n\n"
        + "\n".join(lines) + "\n"
    )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m seisfill.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--method", default=None, choices=list_methods(), metavar="METHOD",
                        help=f"fill method (default: {usable_default()}; see seisfill fill --help)")
    parser.add_argument("--samples", type=Path, default=Path("sample_data"),
                        help="folder of the bundled sample files (default: sample_data, from the repository root)")
    parser.add_argument("--out", type=Path, default=Path("demo_output"))
    args = parser.parse_args(argv)
    try:
        check_samples(args.samples)
        method = args.method or usable_default()
        get_method(method).require("--method")
    except SeisfillError as exc:
        parser.exit(1, f"seisfill demo: error: {exc}\n")
    start = time.perf_counter()
    rows = run(method, args.samples, args.out)
    print(f"seisfill demo: method '{method}', outputs in {args.out}/\n")
    print(f"{'file':32s} {'traces':>6s} {'dead':>5s} {'ins.':>5s} {'SNR miss.':>9s} {'SNR all':>8s} {'live bytes':>10s} {'s':>6s}")
    for r in rows:
        same = {True: "identical", False: "DIFFER", None: "-"}[r["identical"]]
        print(f"{r['file']:32s} {r['traces']:6d} {r['dead']:5d} {r['inserted']:5d} "
              f"{r['snr_missing']:8.1f}  {r['snr_all']:7.1f}  {same:>10s} {r['seconds']:6.2f}")
    print("\nSNR in dB against the real recording at the killed traces ('SNR miss.': filled traces only).")
    print("The synthetic file has channels missing from the file: regularised, filled and written as new traces.")
    methods = list_methods(available=True)
    if method not in methods:
        methods.insert(0, method)
    table = compare_holdout(methods, args.samples, args.out)
    print("\nHeld-out real line (penobscot_xl1155 traces 450-600), decimated; missing-trace SNR in dB:")
    print(f"{'method':8s} " + " ".join(f"{p:>9s}" for p in PATTERNS))
    for m, row in table.items():
        print(f"{m:8s} " + " ".join(f"{row[p]:9.1f}" for p in PATTERNS))
    print(f"\nQC sheets (PNG) and snr_table.md in {args.out}/")
    print(f"total {time.perf_counter() - start:.1f} s")
    return 0 if all(r["identical"] in (True, None) for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
