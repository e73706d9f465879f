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


def test_unseen_surveys_are_in_no_shipped_training_set():
    from unseen import UNSEEN, training_files

    trained = set().union(*training_files().values())
    assert {"penobscot_xl1155", "qdn_poststack2d", "real3d_poststack", "f3"} <= trained
    assert not trained & set(UNSEEN)


def test_unseen_drops_auxiliary_and_dead_traces():
    from unseen import pick_gathers, usable_traces

    amp = np.ones((5, 8), np.float32)
    amp[3] *= 1e-3  # effectively dead
    keep = usable_traces(amp, np.array([1, 1, 1, 1, 0], bool), np.array([0, 1, 1, 1, 1]))
    assert keep.tolist() == [False, True, True, False, False]
    assert pick_gathers(10, 3) == [0, 4, 9] and pick_gathers(3, 3) == [0, 1, 2]
    poland = Path(__file__).resolve().parents[2] / "shared" / "data" / "poland2d_shot231.sgy"
    if poland.exists():
        from unseen import load_survey

        survey = load_survey(poland, max_samples=100)
        assert [g.shape for g in survey.gathers] == [(282, 100)]  # the 2 auxiliary traces dropped
        assert "2 trace(s) dropped" in survey.note


def test_unseen_scores_and_margins_on_a_tiny_window():
    from model_cards import _classical
    from unseen import (
        Survey,
        check_windows,
        margin_rows,
        score_surveys,
        snr_table,
        survey_mean,
        time_table,
    )

    plane = _plane_waves(64, 128)
    windows = [("a", plane[:32]), ("b", plane[32:])]
    fills = {"fx": _classical("fx", False), "linear": _classical("linear", False)}
    scores = score_surveys(windows, fills, ["random50", "gap8"])
    assert set(scores) == {"a", "b"} and set(scores["a"]) == {"fx", "linear"}
    fx, linear = survey_mean(scores, "fx", "random50"), survey_mean(scores, "linear", "random50")
    by_survey = [scores[s]["fx"]["random50"]["snr"] for s in ("a", "b")]
    assert fx == pytest.approx(np.mean(by_survey))
    assert fx > 10 and fx > linear  # unaliased plane waves: f-x prediction is nearly exact
    rows = margin_rows(scores, "fx", ["linear"], ["random50", "gap8"])
    assert [r[0] for r in rows] == ["random50", "gap8"]
    assert rows[0][3] == f"{fx - linear:+.1f}" and rows[0][-1].endswith("/2")
    assert snr_table(scores, ["fx", "linear"], ["random50", "gap8"]).count("\n") == 3
    seconds = scores["a"]["fx"]["random50"]["seconds"] + scores["a"]["fx"]["gap8"]["seconds"]
    seconds += scores["b"]["fx"]["random50"]["seconds"] + scores["b"]["fx"]["gap8"]["seconds"]
    table = time_table(scores, ["fx"], {"a": 1, "b": 1})
    assert f"| fx | {seconds:.1f} | {seconds / 4:.2f} |" in table
    small = check_windows([Survey("a", [plane], "")], (16, 40))
    assert small[0][1].shape == (16, 40) and np.array_equal(small[0][1], plane[24:40, 44:84])


def test_drr_matches_pydrr_on_a_small_window():
    """seisfill drr against pydrr (benchmarks/drr_vs_pydrr.py) on one small window, both patterns."""
    from pydrr_shim import pydrr_available

    if not pydrr_available:
        pytest.skip("pydrr is not installed (pip install pydrr==0.0.2.1)")
    from drr_vs_pydrr import TOLERANCE_DB, Case, compare, comparison_report, verdict

    rows = compare([Case("plane waves", "24 x 64", _plane_waves(24, 64))], n_iter=5)
    assert [r.pattern for r in rows] == ["random50", "gap8"]
    for r in rows:
        assert np.isfinite(r.snr_seisfill) and r.seconds_seisfill > 0 and r.seconds_pydrr > 0
        # one window, the same iteration: measured -0.00 dB (random50) and -0.04 dB (gap8)
        assert abs(r.snr_seisfill - r.snr_pydrr) < TOLERANCE_DB, r
    lines, _ = verdict(rows)
    assert [line[0] for line in lines] == ["random50: mean SNR", "gap8: mean SNR", "total seconds"]
    assert "| plane waves 24 x 64 | random50 |" in comparison_report(rows)


_REPORT = """## Unseen real surveys

Command: `python benchmarks/compare.py --unseen`
Date: 2026-12-08 01:00 UTC

### Mean over the 2 unseen surveys (each weighs the same)

| method | random50 | gap8 |
|---|---|---|
| hybrid (gated2d) | 4.6 | -0.2 |
| fx | 3.5 | 4.9 |

### Margin of the default method over the best classical method (fx)

| pattern | hybrid (gated2d) dB | best classical (mean) dB | mean margin | worst survey margin (vs its best classical) | surveys ahead |
|---|---|---|---|---|---|
| random50 | 4.6 | fx 3.5 | +1.1 | -0.5 (a, vs fx) | 1/2 |
| gap8 | -0.2 | fx 4.9 | -5.1 | -6.0 (b, vs fx) | 0/2 |
"""


def test_readme_results_table_comes_from_the_report(tmp_path):
    import readme_results

    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{readme_results.BEGIN}\nold\n{readme_results.END}\n\ntail\n")
    report = tmp_path / "report.md"
    report.write_text(_REPORT)
    assert readme_results.main([str(report), "--readme", str(readme), "--check"]) == 1
    assert readme_results.main([str(report), "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert "| hybrid (gated2d) | **4.6** | −0.2 |" in text and "| fx | 3.5 | **4.9** |" in text
    assert "| method | random 50 % | gap 8 |" in text
    assert "random 50 % +1.1 dB over fx (worst survey −0.5); gap 8 −5.1 dB over fx" in text
    assert "over the 2 surveys" in text and "2026-12-08 01:00 UTC" in text
    assert text.startswith("# x\n") and text.endswith("\n\ntail\n") and "old" not in text
    assert readme_results.main([str(report), "--readme", str(readme), "--check"]) == 0


def test_readme_results_table_matches_the_recorded_report():
    """README's block is exactly what the renderer gives for docs/runs/unseen/report.md (no hand edits)."""
    import readme_results

    root = Path(__file__).resolve().parents[1]
    assert readme_results.main([str(root / "docs/runs/unseen/report.md"), "--readme", str(root / "README.md"),
                                "--check"]) == 0
