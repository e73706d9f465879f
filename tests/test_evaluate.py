"""``seisfill.evaluate`` and the ``evaluate`` / ``qc`` commands on the bundled real gather."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import seisfill
from seisfill.cli import main
from seisfill.evaluate import evaluate, format_table

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
LINE = SAMPLES / "penobscot_xl1155_holdout.sgy"  # 151 real post-stack traces, held out of training


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return evaluate(LINE, patterns=("random50", "gap8"), methods=("linear", "fx"), seed=0)


class TestEvaluate:
    def test_sane_snr(self, rows):
        assert [(r["method"], r["pattern"]) for r in rows] == [
            ("linear", "random50"), ("linear", "gap8"), ("fx", "random50"), ("fx", "gap8")]
        for r in rows:
            assert 5.0 < r["snr_db"] < 40.0, r  # real data: neither perfect nor noise
            assert r["snr_min_db"] == pytest.approx(r["snr_db"])  # one gather
            assert r["gathers"] == 1 and r["seconds"] >= 0
        random50 = next(r for r in rows if r["pattern"] == "random50")
        assert random50["traces"] == pytest.approx(75, abs=2)
        assert next(r for r in rows if r["pattern"] == "gap8")["traces"] == 8

    def test_seeded(self, rows):
        again = evaluate(LINE, patterns=("random50",), methods=("linear",), seed=0)
        assert again[0]["snr_db"] == rows[0]["snr_db"]

    def test_formats(self, rows):
        text = format_table(rows, "text")
        assert text.splitlines()[0].split() == ["method", "random50", "gap8", "seconds"]
        assert "best per pattern: random50:" in text
        markdown = format_table(rows, "markdown").splitlines()
        assert markdown[0] == "| method | random50 | gap8 | seconds |" and len(markdown) == 4
        csv = format_table(rows, "csv").splitlines()
        assert csv[0] == "method,pattern,snr_db,snr_min_db,gathers,traces,seconds" and len(csv) == 5
        assert float(csv[1].split(",")[2]) == pytest.approx(rows[0]["snr_db"], abs=1e-3)
        with pytest.raises(seisfill.SeisfillError, match="unknown format"):
            format_table(rows, "xml")

    def test_bad_input(self):
        with pytest.raises(seisfill.SeisfillError, match="unknown method 'kriging'"):
            evaluate(LINE, methods=("kriging",))
        with pytest.raises(seisfill.SeisfillError, match="unknown decimation pattern"):
            evaluate(LINE, patterns=("every-other",), methods=("linear",))

    def test_qc_sheets(self, tmp_path):
        evaluate(SAMPLES / "cdp700_land.sgy", patterns=("gap8",), methods=("linear",), out_dir=tmp_path)
        (sheet,) = tmp_path.iterdir()
        assert sheet.name == "qc_gap8_linear.png" and sheet.stat().st_size > 1000


class TestCommands:
    def test_evaluate_cli(self, tmp_path, capsys):
        code = main(["evaluate", str(LINE), "--patterns", "gap8", "--methods", "linear", "--format", "csv",
                     "--out", str(tmp_path / "sheets")])
        out = capsys.readouterr().out.splitlines()
        assert code == 0 and out[0].startswith("method,pattern,snr_db")
        assert out[1].startswith("linear,gap8,") and np.isfinite(float(out[1].split(",")[2]))
        assert (tmp_path / "sheets" / "qc_gap8_linear.png").stat().st_size > 0

    def test_evaluate_cli_bad_pattern(self, capsys):
        code = main(["evaluate", str(LINE), "--patterns", "random200", "--methods", "linear"])
        err = capsys.readouterr().err
        assert code == 1 and err.count("\n") == 1 and err.startswith("seisfill evaluate: error:")

    def test_qc_cli(self, tmp_path, capsys):
        source = SAMPLES / "cdp700_land_dead.sgy"
        filled = tmp_path / "filled.sgy"
        assert main(["fill", str(source), str(filled), "--method", "linear"]) == 0
        code = main(["qc", str(source), str(filled), "--reference", str(SAMPLES / "cdp700_land.sgy"),
                     "--out", str(tmp_path / "report")])
        out = capsys.readouterr().out
        assert code == 0 and "1 QC sheet(s)" in out and "4 filled trace(s)" in out
        assert (tmp_path / "report" / "index.html").is_file()
        assert (tmp_path / "report" / "qc_gather_700.png").stat().st_size > 1000

    def test_qc_cli_mismatched_files(self, tmp_path, capsys):
        code = main(["qc", str(SAMPLES / "cdp700_land_dead.sgy"), str(LINE), "--out", str(tmp_path / "r")])
        err = capsys.readouterr().err
        assert code == 1 and err.count("\n") == 1 and "does not match" in err
        assert not (tmp_path / "r").exists()
