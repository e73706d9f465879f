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

Run it with ``python -m seisfill.demo [--method hybrid] [--out demo_output]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import seisfill
from seisfill.io import dataset as names
from seisfill.io.layout import open_layout
from seisfill.metrics import snr, snr_missing

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"

#: sample file with dead traces -> the clean recording it was made from
CASES = {
    "cdp700_land_dead.sgy": "cdp700_land.sgy",
    "penobscot_xl1155_w200_dead.sgy": "penobscot_xl1155_w200.sgy",
}


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
    fig.savefig(path, dpi=80)
    return path


def run(method: str, out_dir: Path) -> list[dict]:
    from seisfill.qc import qc_sheet

    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for dead_name, clean_name in CASES.items():
        start = time.perf_counter()
        source = SAMPLES / dead_name
        ds = seisfill.read_segy(source)
        filled = seisfill.fill(ds, method=method)
        target = out_dir / dead_name.replace("_dead", f"_filled_{method}")
        summary = seisfill.write_segy(filled, target, template=source)
        seconds = time.perf_counter() - start
        reference = seisfill.read_segy(SAMPLES / clean_name)[names.AMPLITUDE].values
        missing = filled[names.FILLED].values
        live_traces = ds[names.TRACE_INDEX].values[ds[names.LIVE].values]
        dt = float(ds.attrs.get("dt_ms", 4.0)) / 1000
        _save(
            qc_sheet(ds[names.AMPLITUDE].values[0], filled[names.AMPLITUDE].values[0], ds[names.LIVE].values[0], dt,
                     reference=reference[0], title=f"{dead_name}: '{method}'"),
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
    source = SAMPLES / "synthetic_shots_gaps.sgy"
    ds = seisfill.regularize(seisfill.read_segy(source))
    filled = seisfill.fill(ds, method=method)
    target = out_dir / f"synthetic_shots_gaps_filled_{method}.sgy"
    summary = seisfill.write_segy(filled, target, template=source)
    rows.append({
        "file": source.name, "traces": int(ds.attrs["segy_n_traces"]),
        "dead": summary.n_filled, "inserted": summary.n_inserted,
        "snr_missing": float("nan"), "snr_all": float("nan"),
        "identical": None, "seconds": time.perf_counter() - start, "output": target,
    })
    return rows


#: decimation patterns and methods of the held-out comparison
PATTERNS = ("random50", "regular2", "gap8")


def compare_holdout(methods: list[str], out_dir: Path) -> dict[str, dict[str, float]]:
    """Decimate the held-out Penobscot window, fill with each method; method -> pattern -> SNR (dB)."""
    from seisfill.fill import fill_array
    from seisfill.masks import decimate
    from seisfill.qc import qc_sheet

    ds = seisfill.read_segy(SAMPLES / "penobscot_xl1155_holdout.sgy")
    ref = np.asarray(ds[names.AMPLITUDE].values[0], dtype=np.float32)
    dt = float(ds.attrs.get("dt_ms", 4.0)) / 1000
    table: dict[str, dict[str, float]] = {m: {} for m in methods}
    for pattern in PATTERNS:
        live = decimate(ref.shape[0], pattern, seed=0)
        for m in methods:
            est = fill_array(ref, live, m)
            table[m][pattern] = snr_missing(ref, est, ~live)
            if m == methods[0]:
                _save(qc_sheet(ref, est, live, dt, reference=ref, title=f"penobscot held-out, {pattern}, '{m}'"),
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
    parser.add_argument("--method", default=None, help="default: hybrid (linear when torch is missing)")
    parser.add_argument("--out", type=Path, default=Path("demo_output"))
    args = parser.parse_args(argv)
    from seisfill._deps import torch_available

    if args.method is None:
        from seisfill.fill import DEFAULT_METHOD

        args.method = DEFAULT_METHOD if torch_available else "linear"
    start = time.perf_counter()
    rows = run(args.method, args.out)
    print(f"seisfill demo: method '{args.method}', outputs in {args.out}/\n")
    print(f"{'file':32s} {'traces':>6s} {'dead':>5s} {'ins.':>5s} {'SNR miss.':>9s} {'SNR all':>8s} {'live bytes':>10s} {'s':>6s}")
    for r in rows:
        same = {True: "identical", False: "DIFFER", None: "-"}[r["identical"]]
        print(f"{r['file']:32s} {r['traces']:6d} {r['dead']:5d} {r['inserted']:5d} "
              f"{r['snr_missing']:8.1f}  {r['snr_all']:7.1f}  {same:>10s} {r['seconds']:6.2f}")
    print("\nSNR in dB against the real recording at the killed traces ('SNR miss.': filled traces only).")
    print("The synthetic file has channels missing from the file: regularised, filled and written as new traces.")
    from seisfill.fill import NETWORK_METHODS

    methods = [m for m in ("hybrid", "unet", "fx", "pocs", "linear") if m not in NETWORK_METHODS or torch_available]
    if args.method not in methods:
        methods.insert(0, args.method)
    table = compare_holdout(methods, args.out)
    print("\nHeld-out real line (penobscot_xl1155 traces 450-600), decimated; missing-trace SNR in dB:")
    print(f"{'method':8s} " + " ".join(f"{p:>9s}" for p in PATTERNS))
    for m, row in table.items():
        print(f"{m:8s} " + " ".join(f"{row[p]:9.1f}" for p in PATTERNS))
    print(f"\nQC sheets (PNG) and snr_table.md in {args.out}/")
    print(f"total {time.perf_counter() - start:.1f} s")
    return 0 if all(r["identical"] in (True, None) for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
