"""Smoke tests of the benchmark scripts that have no other test (tiny sizes, CPU)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
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


def _plane_waves(n_trace: int = 128, nt: int = 256, dt: float = 0.004) -> np.ndarray:
    """Three unaliased dipping 25 Hz Ricker events, trace-major (n_trace, nt)."""
    t = np.arange(nt) * dt
    x = np.arange(n_trace) - n_trace / 2
    out = np.zeros((n_trace, nt))
    for t0, slope, amp in [(0.2, 0.0, 1.0), (0.45, 0.8, -0.7), (0.7, -1.2, 0.5)]:
        arg = (np.pi * 25.0 * (t[None, :] - t0 - slope * dt * x[:, None])) ** 2
        out += amp * (1 - 2 * arg) * np.exp(-arg)
    return out.astype(np.float32)


def test_pocs_benchmark_reports_a_ratio():
    from pocs_timing import pocs_fk_benchmark

    plane = _plane_waves()
    live = np.random.default_rng(1).random(plane.shape[0]) < 0.5
    r = pocs_fk_benchmark(plane[None].repeat(4, 0), np.stack([live] * 4), repeat=1, n_iter=10)
    assert r["iterations"] == 10 and r["n_windows"] == 4 and r["fft_shape"] == (192, 384)
    assert r["pocs_s"] > 0 and r["fft_s"] > 0 and np.isfinite(r["ratio"])


def test_bare_fft_timing_is_positive():
    from pocs_timing import time_bare_fft

    wall, cpu = time_bare_fft([(2, 1, 16, 32), (1, 1, 16, 32)], (2, 3), [3, 2], 2, 1, repeat=1)
    assert wall > 0 and cpu >= 0
