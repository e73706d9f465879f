"""Smoke tests of the benchmark scripts that have no other test (tiny sizes, CPU)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


def test_gpu_throughput_runs_on_the_cpu_and_reports_every_row(tmp_path, capsys):
    pytest.importorskip("torch")
    import gpu_throughput

    out = tmp_path / "rows.json"
    assert gpu_throughput.main(["--devices", "cpu", "--quick", "--json", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert [r["row"].split()[0] for r in rows] == ["matmul", "forward", "fill", "fill"]
    assert rows[0]["tflops"] > 0 and rows[0]["of_matmul"] == pytest.approx(1.0)
    assert all(r["rate"] > 0 for r in rows[1:])
    assert rows[1]["tflops"] > 0 and rows[1]["of_datasheet"] is None  # no datasheet figure for a CPU
    assert "| cpu | fill pocs numpy |" in capsys.readouterr().out
