#!/usr/bin/env python
"""Does the 3-D network over (gather, trace, time) beat the 2-D one gather by gather? (issue 14, point 4)

Pre-stack files with several gathers (the SU tutorial CDPs, the Loma Blanca shots; no shipped
model saw them) are decimated gather by gather and filled with the shipped 2-D network per gather,
the shipped 3-D network over the stack of gathers (the gather axis as the third axis), both as
``hybrid`` (+ f-x), and f-x alone.  Prints the mean missing-trace SNR (dB) per gather.

Usage::

    python benchmarks/gather_context.py [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from seisfill.core import fill_array
from seisfill.io.segy import read_segy
from seisfill.masks import decimate
from seisfill.methods import DEFAULT_METHOD
from seisfill.metrics import snr_missing
from seisfill.models import DEFAULT_2D, DEFAULT_3D

FILES = (("su_cdp601to610.sgy", 750), ("lomablanca_shots.sgy", 1000))
PATTERNS = ("random50", "regular2", "gap8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = p.parse_args(argv)
    variants = [(f"unet {DEFAULT_2D} per gather", "unet", DEFAULT_2D), (f"unet {DEFAULT_3D} over gathers", "unet", DEFAULT_3D),
                (f"{DEFAULT_METHOD} {DEFAULT_2D}", DEFAULT_METHOD, DEFAULT_2D), (f"{DEFAULT_METHOD} {DEFAULT_3D}", DEFAULT_METHOD, DEFAULT_3D),
                ("fx", "fx", None)]
    for name, nt in FILES:
        ds = read_segy(args.data_dir / name)
        data = ds["amplitude"].values[..., :nt].astype(np.float32)
        recorded = ds["live"].values
        print(f"\n{name}: {data.shape[0]} gathers x {data.shape[1]} traces x {data.shape[2]} samples\n")
        print("| pattern | " + " | ".join(v[0] for v in variants) + " |")
        print("|---|" + "---|" * len(variants))
        for pattern in PATTERNS:
            live = np.stack([decimate(data.shape[1], pattern, seed=10 + g) for g in range(data.shape[0])]) & recorded
            miss = ~live & recorded
            row = []
            for _, method, model in variants:
                est = fill_array(data, live, method, **({"model": model, "device": "cpu"} if model else {}))
                row.append(np.mean([snr_missing(data[g], est[g], miss[g]) for g in range(data.shape[0]) if miss[g].any()]))
            print(f"| {pattern} | " + " | ".join(f"{v:.1f}" for v in row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
