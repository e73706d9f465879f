"""Rebuild the bundled sample data from ../shared/data (run from the repo root).

    python sample_data/make_samples.py

Every file here is derived deterministically (fixed seeds) from the real
field files described in ../shared/data/README.md, or from seisfill's own
synthetic generator; see sample_data/README.md for sources and licences.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import segyio

import seisfill
from seisfill.simulate import DECIMATED, decimate_dataset
from seisfill.synthetic import write_synthetic_segy

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "data"


def kill(source: Path, target: Path, pattern: str, seed: int) -> int:
    """Copy ``source`` with traces killed the way field data has them: zeroed, trid 2."""
    ds = decimate_dataset(seisfill.read_segy(source), pattern, seed=seed)
    ds["filled"] = ds[DECIMATED]
    seisfill.write_segy(ds, target, template=source, flag_word=None, sidecar=False, trace_id=2)
    return int(ds[DECIMATED].sum())


def crop(source: Path, target: Path, traces: slice, n_samples: int) -> None:
    """A window of traces and samples of a SEG-Y file, headers kept (sample count updated)."""
    with segyio.open(source, ignore_geometry=True) as src:
        spec = segyio.tools.metadata(src)
        spec.tracecount = len(range(*traces.indices(src.tracecount)))
        spec.samples = src.samples[:n_samples]
        with segyio.create(target, spec) as dst:
            dst.text[0] = src.text[0]
            dst.bin = src.bin
            dst.bin.update({segyio.BinField.Samples: n_samples})
            for k, i in enumerate(range(*traces.indices(src.tracecount))):
                dst.header[k] = src.header[i]
                dst.header[k].update({segyio.TraceField.TRACE_SAMPLE_COUNT: n_samples})
                dst.trace[k] = src.trace[i][:n_samples]


def main() -> None:
    shutil.copy(SHARED / "cdp700_land.sgy", HERE / "cdp700_land.sgy")
    print("cdp700_land_dead:", kill(HERE / "cdp700_land.sgy", HERE / "cdp700_land_dead.sgy", "dead15", 7), "traces killed")

    crop(SHARED / "penobscot_xl1155.sgy", HERE / "penobscot_xl1155_w200.sgy", slice(200, 400), 1001)
    killed = kill(HERE / "penobscot_xl1155_w200.sgy", HERE / "penobscot_xl1155_w200_dead.sgy", "mix:dead5+gap8", 11)
    print("penobscot_xl1155_w200_dead:", killed, "traces killed")
    # the part of the line no shipped model was trained on (last 25 % of the traces)
    crop(SHARED / "penobscot_xl1155.sgy", HERE / "penobscot_xl1155_holdout.sgy", slice(450, 601), 1001)

    summary = write_synthetic_segy(
        HERE / "synthetic_shots_gaps.sgy", n_gathers=3, traces_per_gather=60, nt=750, dt=0.004,
        seed=2026, dead_fraction=0.03, drop_fraction=0.05,
    )
    print("synthetic_shots_gaps:", summary.n_traces, "traces,", len(summary.dead_traces), "dead,",
          len(summary.dropped), "dropped")
    for path in sorted(HERE.glob("*.sgy")):
        print(f"  {path.name:32s} {path.stat().st_size / 1e3:8.1f} kB")


if __name__ == "__main__":
    np.seterr(all="raise")
    main()
