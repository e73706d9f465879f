"""The file the self-check tests (test_auto, test_adapt) fill: sample shots with traces killed."""

from __future__ import annotations

from pathlib import Path

from seisfill.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


def decimated_shots(folder: Path, pattern: str = "random50", seed: int = 3) -> Path:
    """The 3 synthetic shots of sample_data (60 channels x 750 samples) with ``pattern`` killed."""
    out = folder / f"shots_{pattern}.sgy"
    assert main(["decimate", str(SAMPLES / "synthetic_shots_gaps.sgy"), str(out), "--pattern", pattern,
                 "--seed", str(seed)]) == 0
    return out
