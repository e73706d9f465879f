"""The command line: the happy paths, and one clean error line for every bad input."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import segyio
from file_modes import UMASKS, expected, modes, umask

import seisfill
from seisfill.cli import EXIT_INPUT, EXIT_USAGE, main

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


def _source(name: str = "cdp700_land.sgy") -> Path:
    for folder in (DATA, SAMPLES):
        if (folder / name).exists():
            return folder / name
    pytest.skip(f"{name} not available")


@pytest.fixture
def gather(tmp_path: Path) -> Path:
    path = tmp_path / "gather.sgy"
    shutil.copy(_source(), path)
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _assert_clean_failure(code: int, err: str, folder: Path, expect: int = EXIT_INPUT, output: Path | None = None):
    assert code == expect
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert not list(folder.glob("*.part")), "temporary file left behind"
    if output is not None:
        assert not output.exists()


class TestHappyPaths:
    def test_methods_lists_the_registry_with_options(self, capsys):
        code, out, _ = _run(["methods"], capsys)
        assert code == 0 and out.index("hybrid (default") < out.index("  unet") < out.index("  linear")
        assert "ndim=2" in out and "fast=False" in out
        code, out, _ = _run(["methods", "--json"], capsys)
        listed = json.loads(out)
        assert list(listed)[:7] == ["hybrid", "unet", "auto", "fx", "drr", "pocs", "linear"]
        assert listed["pocs"]["options"]["schedule"] == "exponential" and listed["hybrid"]["default"]

    def test_method_options_on_the_command_line(self, gather, tmp_path, capsys):
        dead = tmp_path / "dead.sgy"
        assert _run(["decimate", gather, dead, "--pattern", "random25", "--seed", "4"], capsys)[0] == 0
        first, second = tmp_path / "a.sgy", tmp_path / "b.sgy"
        assert _run(["fill", dead, first, "--method", "pocs", "--option", "n_iter=5"], capsys)[0] == 0
        assert _run(["fill", dead, second, "--method", "pocs", "--option", "n_iter=40"], capsys)[0] == 0
        assert first.read_bytes() != second.read_bytes()
        code, _, err = _run(["fill", dead, tmp_path / "c.sgy", "--method", "pocs", "--option", "n_iters=5"], capsys)
        _assert_clean_failure(code, err, tmp_path, output=tmp_path / "c.sgy")
        assert "--option n_iters: not an option of --method pocs" in err
        code, _, err = _run(["fill", dead, tmp_path / "c.sgy", "--method", "linear", "--option", "oops"], capsys)
        _assert_clean_failure(code, err, tmp_path, output=tmp_path / "c.sgy")

    def test_info_text_and_json(self, gather, capsys):
        code, out, _ = _run(["info", gather], capsys)
        assert code == 0
        assert "5 (4-byte IEEE" in out and "1100 x 2 ms" in out and "24 in file" in out
        code, out, _ = _run(["info", gather, "--json"], capsys)
        summary = json.loads(out)
        assert summary["n_traces"] == 24 and summary["geometry"]["gather_key"] == "CDP"
        assert summary["geometry"]["sort_key"] == "offset"

    def test_decimate_then_fill(self, gather, tmp_path, capsys):
        dead = tmp_path / "dead.sgy"
        code, out, _ = _run(["decimate", gather, dead, "--pattern", "random25", "--seed", "4"], capsys)
        assert code == 0 and "killed 6 of 24" in out
        with segyio.open(dead, ignore_geometry=True) as f:
            trid = f.attributes(segyio.TraceField.TraceIdentificationCode)[:]
            killed = np.flatnonzero(trid == 2)
            assert killed.size == 6
            assert not np.any(f.trace.raw[:][killed])
        filled = tmp_path / "filled.sgy"
        code, out, _ = _run(["fill", dead, filled], capsys)
        assert code == 0 and "filled 6 dead trace(s)" in out
        with segyio.open(filled, ignore_geometry=True) as f, segyio.open(dead, ignore_geometry=True) as g:
            assert np.all(f.attributes(segyio.TraceField.TraceIdentificationCode)[:] == 1)
            flags = f.attributes(segyio.TraceField.UnassignedInt1)[:]
            assert np.array_equal(np.flatnonzero(flags == 1), killed)
            live = np.setdiff1d(np.arange(24), killed)
            assert np.array_equal(f.trace.raw[:][live], g.trace.raw[:][live])
            assert np.all(np.abs(f.trace.raw[:][killed]).max(axis=1) > 0)
        record = json.loads(Path(f"{filled}.seisfill.json").read_text())
        assert record["filled_output_traces"] == killed.tolist()

    def test_convert_round_trip(self, gather, tmp_path, capsys):
        nc = tmp_path / "g.nc"
        back = tmp_path / "back.sgy"
        assert _run(["convert", gather, nc], capsys)[0] == 0
        assert _run(["convert", nc, back], capsys)[0] == 0
        assert back.read_bytes() == gather.read_bytes()

    def test_module_and_console_entry_points(self, gather):
        for cmd in ([sys.executable, "-m", "seisfill"], [str(Path(sys.executable).with_name("seisfill"))]):
            if not Path(cmd[0]).exists():
                continue
            done = subprocess.run([*cmd, "info", str(gather), "--gathers", "0"], capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            assert "24 in file" in done.stdout


class TestBadInput:
    def test_zero_byte_file(self, tmp_path, capsys):
        empty = tmp_path / "empty.sgy"
        empty.write_bytes(b"")
        code, _, err = _run(["fill", empty, tmp_path / "out.sgy"], capsys)
        _assert_clean_failure(code, err, tmp_path, output=tmp_path / "out.sgy")
        assert "empty" in err

    def test_not_segy(self, tmp_path, capsys):
        text = tmp_path / "notes.sgy"
        text.write_text("these are not seismic traces\n" * 300)
        code, _, err = _run(["info", text], capsys)
        _assert_clean_failure(code, err, tmp_path)
        assert "not a SEG-Y file" in err

    def test_random_bytes(self, tmp_path, capsys):
        junk = tmp_path / "junk.sgy"
        junk.write_bytes(np.random.default_rng(0).integers(0, 256, 20000, dtype=np.uint8).tobytes())
        code, _, err = _run(["fill", junk, tmp_path / "out.sgy"], capsys)
        _assert_clean_failure(code, err, tmp_path, output=tmp_path / "out.sgy")

    def test_truncated(self, gather, tmp_path, capsys):
        cut = tmp_path / "cut.sgy"
        cut.write_bytes(gather.read_bytes()[:-1000])
        digest = _digest(cut)
        code, _, err = _run(["fill", cut, tmp_path / "out.sgy"], capsys)
        _assert_clean_failure(code, err, tmp_path, output=tmp_path / "out.sgy")
        assert "truncated" in err
        assert _digest(cut) == digest

    def test_missing_file(self, tmp_path, capsys):
        code, _, err = _run(["info", tmp_path / "nope.sgy"], capsys)
        _assert_clean_failure(code, err, tmp_path)
        assert "no such file" in err

    def test_unknown_header_key(self, gather, tmp_path, capsys):
        code, _, err = _run(["fill", gather, tmp_path / "out.sgy", "--key", "ShotColour"], capsys)
        _assert_clean_failure(code, err, tmp_path, output=tmp_path / "out.sgy")
        assert "unknown trace-header key 'ShotColour'" in err

    def test_output_equals_input(self, gather, tmp_path, capsys):
        digest = _digest(gather)
        code, _, err = _run(["fill", gather, gather], capsys)
        _assert_clean_failure(code, err, tmp_path)
        assert "equals the input" in err
        assert _digest(gather) == digest

    def test_gather_without_live_traces(self, gather, tmp_path, capsys):
        ds = seisfill.read_segy(gather)
        ds["amplitude"] = ds["amplitude"] * 0
        ds["filled"] = ds["live"].copy()
        dead = tmp_path / "all_dead.sgy"
        seisfill.write_segy(ds, dead, template=gather, flag_word=None, sidecar=False, trace_id=2)
        out = tmp_path / "out.sgy"
        code, _, err = _run(["fill", dead, out], capsys)
        _assert_clean_failure(code, err, tmp_path, output=out)
        assert "no live traces" in err and "--skip-empty" in err
        code, _, _ = _run(["fill", dead, out, "--skip-empty"], capsys)
        assert code == 0 and out.read_bytes() == dead.read_bytes()

    def test_wrong_option(self, gather, tmp_path, capsys):
        with pytest.raises(SystemExit) as exc:  # a method not in the registry: a usage error (exit 2)
            main(["fill", str(gather), str(tmp_path / "o.sgy"), "--method", "magic"])
        _, err = capsys.readouterr()
        _assert_clean_failure(exc.value.code, err, tmp_path, expect=EXIT_USAGE, output=tmp_path / "o.sgy")
        assert "invalid choice: 'magic' (choose from 'hybrid', 'unet', 'auto', 'fx', 'drr', 'pocs', 'linear'" in err
        with pytest.raises(SystemExit) as exc:
            main(["fill", str(gather), str(tmp_path / "o.sgy"), "--no-such-flag"])
        _, err = capsys.readouterr()
        _assert_clean_failure(exc.value.code, err, tmp_path, expect=EXIT_USAGE, output=tmp_path / "o.sgy")

    def test_bad_pattern(self, gather, tmp_path, capsys):
        code, _, err = _run(["decimate", gather, tmp_path / "d.sgy", "--pattern", "sometimes"], capsys)
        _assert_clean_failure(code, err, tmp_path, output=tmp_path / "d.sgy")


class TestNetworkFill:
    """``seisfill fill`` with the shipped network (the default method: network + f-x) and ``seisfill models``."""

    def test_default_fill_is_hybrid_and_bytes_outside_filled_traces_are_kept(self, gather, tmp_path, capsys):
        pytest.importorskip("torch")
        dead = tmp_path / "dead.sgy"
        assert _run(["decimate", gather, dead, "--pattern", "random25", "--seed", "2"], capsys)[0] == 0
        out = tmp_path / "filled.sgy"
        code, text, _ = _run(["fill", dead, out, "--device", "cpu", "--batch-size", "4"], capsys)
        assert code == 0
        from seisfill.methods import DEFAULT_METHOD

        assert DEFAULT_METHOD == "hybrid"
        assert "with 'hybrid' (model gated2d)" in text and "traces/s" in text
        src, dst = dead.read_bytes(), out.read_bytes()
        assert len(src) == len(dst)
        with segyio.open(dead, ignore_geometry=True) as f:
            killed = set(np.flatnonzero(f.attributes(segyio.TraceField.TraceIdentificationCode)[:] == 2).tolist())
            n_samples = len(f.samples)
        start, size = 3600, 240 + 4 * n_samples
        assert src[:start] == dst[:start]  # textual + binary headers
        for i in range(24):
            a, b = src[start + i * size : start + (i + 1) * size], dst[start + i * size : start + (i + 1) * size]
            if i in killed:
                assert a[240:] != b[240:]  # samples filled
            else:
                assert a == b  # every header and sample byte of a live trace

    def test_bad_weights_file(self, gather, tmp_path, capsys):
        pytest.importorskip("torch")
        bad = tmp_path / "bad.pt"
        bad.write_bytes(b"\x00garbage" * 100)
        out = tmp_path / "o.sgy"
        code, _, err = _run(["fill", gather, out, "--model", bad], capsys)
        _assert_clean_failure(code, err, tmp_path, output=out)
        assert "not a readable seisfill weights file" in err
        code, _, err = _run(["fill", gather, out, "--model", "no_such_model"], capsys)
        _assert_clean_failure(code, err, tmp_path, output=out)
        assert "no shipped model named 'no_such_model'" in err

    def test_bad_network_options(self, gather, tmp_path, capsys):
        out = tmp_path / "o.sgy"
        code, _, err = _run(["fill", gather, out, "--method", "fx", "--model", "partial2d"], capsys)
        _assert_clean_failure(code, err, tmp_path, output=out)
        pytest.importorskip("torch")
        code, _, err = _run(["fill", gather, out, "--batch-size", "0"], capsys)
        _assert_clean_failure(code, err, tmp_path, output=out)
        code, _, err = _run(["fill", gather, out, "--device", "quantum"], capsys)
        _assert_clean_failure(code, err, tmp_path, output=out)

    def test_models_command(self, capsys):
        code, out, _ = _run(["models"], capsys)
        assert code == 0
        for name in ("partial2d", "gated2d", "partial3d", "gated3d"):
            assert name in out
        code, out, _ = _run(["models", "--json"], capsys)
        cards = json.loads(out)
        assert cards["partial2d"]["model"]["conv"] == "partial"


def test_decimate_with_fraction(gather, tmp_path, capsys):
    a, b = tmp_path / "a.sgy", tmp_path / "b.sgy"
    assert _run(["decimate", gather, a, "--pattern", "random", "--fraction", "0.5", "--seed", "1"], capsys)[0] == 0
    assert _run(["decimate", gather, b, "--pattern", "random0.5", "--seed", "1"], capsys)[0] == 0
    assert a.read_bytes() == b.read_bytes()
    code, _, err = _run(["decimate", gather, tmp_path / "c.sgy", "--pattern", "gap8", "--fraction", "0.5"], capsys)
    _assert_clean_failure(code, err, tmp_path, output=tmp_path / "c.sgy")


def test_fill_notes_missing_channels_it_did_not_insert(tmp_path, capsys):
    """Without --regularize, gaps in the channel sequence are reported with the option that fills them."""
    from segy_factory import make_shots

    sf = make_shots(tmp_path / "d.sgy", n_shots=2, n_channels=10, dropped={0: [3, 4], 1: [7]}, dead={2: "zero"})
    assert main(["fill", str(sf.path), str(tmp_path / "o.sgy"), "--method", "linear"]) == 0
    out = capsys.readouterr().out
    assert "note: 3 trace slot(s) missing from the gathers' TraceNumber sequence" in out and "--regularize" in out
    assert main(["fill", str(sf.path), str(tmp_path / "r.sgy"), "--method", "linear", "--regularize"]) == 0
    out = capsys.readouterr().out
    assert "inserted 3 missing trace(s)" in out and "note:" not in out


def test_mistyped_option_points_to_the_subcommands_help(gather, tmp_path, capsys):
    """argparse leaves unknown options to the top-level parser; the error names the subcommand's help."""
    with pytest.raises(SystemExit) as exc:
        main(["fill", "--methd", "fx", str(gather), str(tmp_path / "o.sgy")])
    _, err = capsys.readouterr()
    _assert_clean_failure(exc.value.code, err, tmp_path, expect=EXIT_USAGE, output=tmp_path / "o.sgy")
    assert err.startswith("seisfill fill: error: unrecognized arguments: --methd")
    assert "(did you mean --method?)" in err and err.rstrip().endswith("(see seisfill fill --help)")
    with pytest.raises(SystemExit) as exc:  # a mistyped command stays the top level's
        main(["fil", str(gather)])
    assert exc.value.code == EXIT_USAGE and capsys.readouterr().err.rstrip().endswith("(see seisfill --help)")


def test_every_command_has_a_description_and_every_argument_a_help_text():
    from seisfill.cli import build_parser

    parser = build_parser()
    assert set(parser.commands) == {"info", "fill", "densify", "methods", "models", "convert", "train", "decimate",
                                    "qc", "evaluate"}
    for name, command in parser.commands.items():
        assert len(command.description or "") > 100, name  # a paragraph, not the one-line summary again
        for action in command._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help, f"seisfill {name} {action.dest}"
    cmap = next(a for a in parser.commands["qc"]._actions if a.dest == "cmap")
    assert "(default: grey)" in cmap.help


@pytest.mark.parametrize("method", ["linear", "fx", "pocs", "unet"])
def test_progress_is_one_bar_for_every_method(method, tmp_path, capsys):
    """One bar on stderr with --progress (over the gathers, or a network's own over its windows
    when it fills them in one call); none with --no-progress; the same bytes either way."""
    from segy_factory import make_shots

    if method == "unet":
        pytest.importorskip("torch")
    sf = make_shots(tmp_path / "d.sgy", n_shots=3, n_channels=24, dead={1: "zero", 30: "zero", 50: "zero"})
    options = ["--device", "cpu"] if method == "unet" else []
    outputs = {}
    for flag in ("--progress", "--no-progress"):
        outputs[flag] = tmp_path / f"{flag}.sgy"
        assert main(["fill", str(sf.path), str(outputs[flag]), "--method", method, *options, flag]) == 0
        err = capsys.readouterr().err.replace("\r", "\n")
        bars = {line.split("|")[-1].split("[")[0].strip() for line in err.splitlines() if line.startswith("fill:")}
        if flag == "--no-progress":
            assert err == ""
        elif method == "unet":  # one call over all gathers (its batches span them): its bar over windows
            assert bars and "window/s" in err and "gather" not in err
        else:
            assert "3/3" in bars and "gather/s" in err and "window" not in err
    assert outputs["--progress"].read_bytes() == outputs["--no-progress"].read_bytes()


@pytest.mark.parametrize("mask", UMASKS)
def test_every_output_gets_the_permissions_of_a_normal_write(gather, tmp_path, capsys, mask):
    """decimate, fill (SEG-Y and sidecar), convert and the QC report folder: 0666 / 0777 less the umask."""
    pytest.importorskip("matplotlib")
    dead, filled, nc, report = (tmp_path / "out" / name for name in ("dead.sgy", "filled.sgy", "f.nc", "qc"))
    with umask(mask):
        dead.parent.mkdir()
        assert _run(["decimate", gather, dead, "--pattern", "random25"], capsys)[0] == 0
        assert _run(["fill", dead, filled, "--method", "linear"], capsys)[0] == 0
        assert _run(["convert", filled, nc], capsys)[0] == 0
        assert _run(["qc", dead, filled, "--out", report, "--max-sheets", "1"], capsys)[0] == 0
    assert sorted(p.name for p in dead.parent.iterdir()) == ["dead.sgy", "f.nc", "filled.sgy",
                                                               "filled.sgy.seisfill.json", "qc"]
    assert len(list(report.iterdir())) >= 2  # index.html and a sheet
    assert modes(dead.parent) == {kind: {mode} for kind, mode in expected(mask).items()}
