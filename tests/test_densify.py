"""seisfill.densify / seisfill densify: new traces between the recorded ones, their headers, order and record."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from segy_factory import make_cube, make_shots, write_traces

import seisfill
from seisfill.cli import EXIT_INPUT, EXIT_USAGE, main
from seisfill.errors import SeisfillError
from seisfill.io.densify_grid import FROM_PREDECESSOR, densify_grid
from seisfill.io.headers import parse_trace_headers
from seisfill.io.layout import open_layout
from seisfill.masks import DeadReason
from seisfill.metrics import snr_missing

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
COUNTS = [12, 10, 12]  # channels per shot: the middle one is padded to 12


def _traces(path: Path) -> np.ndarray:
    """Every trace of a SEG-Y file as raw bytes, shape (n_traces, trace_size)."""
    lay = open_layout(path)
    blob = np.frombuffer(Path(path).read_bytes(), np.uint8)
    return blob[lay.data_offset :].reshape(lay.n_traces, lay.trace_size)


def _sidecar(path: Path) -> dict:
    return json.loads(Path(f"{path}.seisfill.json").read_text())


def _words(raw: np.ndarray, words) -> dict:
    return parse_trace_headers(np.ascontiguousarray(raw[:, :240]), "big", words)


@pytest.fixture
def shots(tmp_path):
    return make_shots(tmp_path / "shots.sgy", counts=COUNTS, dead={13: "zero"})


def _ricker(t: np.ndarray, f: float = 25.0) -> np.ndarray:
    a = (np.pi * f * t) ** 2
    return (1 - 2 * a) * np.exp(-a)


def _linear_events(n: int = 49, nt: int = 200, dt: float = 0.004) -> np.ndarray:
    """A dense gather of three dipping linear events, shape (n, nt)."""
    t, x = np.arange(nt) * dt, np.arange(n)
    gather = np.zeros((n, nt), np.float32)
    for t0, p, amp in ((0.2, 0.004, 1.0), (0.4, -0.003, 0.7), (0.55, 0.0015, 0.5)):
        gather += amp * _ricker(t[None, :] - t0 - p * x[:, None])
    return gather


def _keep_every(source: Path, out: Path, factor: int) -> Path:
    """``source`` with only every ``factor``-th trace (the others removed from the file, not zeroed)."""
    lay = open_layout(source)
    blob = Path(source).read_bytes()
    out.write_bytes(blob[: lay.data_offset] + _traces(source)[::factor].tobytes())
    return out


class TestGrid:
    @pytest.mark.parametrize("factor", [2, 3, 4])
    def test_counts_live_and_new_slots(self, shots, factor):
        ds = seisfill.read_segy(shots.path)
        dense = densify_grid(ds, factor)
        n_out = [n + (n - 1) * (factor - 1) for n in COUNTS]
        assert dense["live"].shape == (3, max(n_out))
        np.testing.assert_array_equal((~dense["pad"].values).sum(axis=1), n_out)
        old = np.arange(dense.sizes["trace"]) % factor == 0
        np.testing.assert_array_equal(dense["live"].values[:, old], ds["live"].values)
        assert not dense["live"].values[:, ~old].any()
        np.testing.assert_array_equal(dense["trace_index"].values[:, ::factor], ds["trace_index"].values)
        new = ~old[None, :] & ~dense["pad"].values
        assert (dense["trace_index"].values[new] == -1).all()
        assert (dense["dead_reason"].values[new] == DeadReason.MISSING).all()
        assert (dense["amplitude"].values[new] == 0).all()
        np.testing.assert_array_equal(dense["amplitude"].values[:, ::factor], ds["amplitude"].values)

    def test_new_headers_interpolated_grid_words_from_the_predecessor(self, shots):
        ds = seisfill.read_segy(shots.path)
        dense = densify_grid(ds, 4)
        raw = dense["trace_header"].values[0]  # shot 100: channels 1..12, offsets 300 .. 25
        words = _words(raw, ["offset", "GroupX", "ReceiverGroupElevation", "TraceNumber", "CDP", "FieldRecord",
                             "TRACE_SEQUENCE_FILE", "SourceGroupScalar"])
        # between channel 1 (offset 300 m, GroupX 700 m) and channel 2 (275 m, 725 m): quarters, rounded
        np.testing.assert_array_equal(words["offset"][:5], [300, 294, 288, 281, 275])
        np.testing.assert_array_equal(words["GroupX"][:5], [70000, 70625, 71250, 71875, 72500])
        np.testing.assert_array_equal(words["ReceiverGroupElevation"][:5], [1203, 1204, 1204, 1205, 1206])
        np.testing.assert_array_equal(words["TraceNumber"][:9], [1, 1, 1, 1, 2, 2, 2, 2, 3])
        np.testing.assert_array_equal(words["CDP"][:5], [1, 1, 1, 1, 2])
        assert (words["FieldRecord"][:45] == 100).all() and (words["SourceGroupScalar"][:45] == -100).all()
        np.testing.assert_array_equal(words["TRACE_SEQUENCE_FILE"][:6], [1, 1, 1, 1, 2, 2])
        # recorded headers unchanged, byte for byte
        np.testing.assert_array_equal(dense["trace_header"].values[:, ::4], ds["trace_header"].values)
        assert "TraceNumber" in FROM_PREDECESSOR and "offset" not in FROM_PREDECESSOR

    def test_cube_axes(self, tmp_path):
        cube = make_cube(tmp_path / "cube.sgy", n_inline=4, n_crossline=5)
        ds = seisfill.read_segy(cube.path)
        xl = densify_grid(ds, 2, "crossline")
        assert xl["live"].shape == (4, 9)
        np.testing.assert_allclose(xl["crossline"].values, np.arange(201, 205.5, 0.5))
        il = densify_grid(ds, 3, "inline")
        assert il["live"].shape == (10, 5)
        np.testing.assert_allclose(il["inline"].values[:4], [101, 101 + 1 / 3, 101 + 2 / 3, 102])
        both = densify_grid(ds, 2, "both")
        assert both["live"].shape == (7, 9)
        np.testing.assert_array_equal(both["live"].values[::2, ::2], ds["live"].values)
        assert both["live"].values.sum() == 20
        w = _words(both["trace_header"].values.reshape(-1, 240), ["INLINE_3D", "CROSSLINE_3D", "CDP_X", "CDP_Y"])
        # node (inline 101.5, crossline 201.5): CDP_X 600000 + 25 * 0.5 + 5 * 0.5 m, the grid words of its predecessors
        k = 1 * 9 + 1
        assert (w["INLINE_3D"][k], w["CROSSLINE_3D"][k]) == (101, 201)
        assert (w["CDP_X"][k], w["CDP_Y"][k]) == (60001500, 400001250)


class TestDensify:
    def test_linear_events_come_back(self, tmp_path):
        true = _linear_events()
        keep = np.arange(0, true.shape[0], 2)
        path = write_traces(tmp_path / "coarse.sgy", true[keep], {
            "FieldRecord": np.ones(keep.size, int), "TraceNumber": keep + 1, "offset": 100 + 25 * keep})
        dense = seisfill.densify(seisfill.read_segy(path), 2, method="fx")
        new = ~dense["live"].values[0]
        assert new.sum() == 24
        assert snr_missing(true, dense["amplitude"].values[0], new) > 30.0  # fx: ~50 dB; linear: ~13 dB
        assert dense.attrs["fill_method"] == "fx" and dense.attrs["densify_factor"] == 2
        np.testing.assert_array_equal(dense["amplitude"].values[0, ::2].view(np.uint32),
                                      true[keep].astype(np.float32).view(np.uint32))

    def test_dead_traces_are_filled_in_the_same_pass(self, shots):
        dense = seisfill.densify(seisfill.read_segy(shots.path), 2, method="linear")
        assert dense["filled"].values.sum() == (~dense["live"].values & ~dense["pad"].values).sum()
        assert dense["filled"].values[1, 2 * 1]  # file trace 13: shot 101, channel 2 (slot 1 -> 2)
        assert np.abs(dense["amplitude"].values[1, 2]).sum() > 0

    def test_cube_both_axes_fill_every_new_node(self, tmp_path):
        cube = make_cube(tmp_path / "cube.sgy", n_inline=4, n_crossline=5, missing=[(1, 2)])
        dense = seisfill.densify(seisfill.read_segy(cube.path), 2, "both", method="linear")
        assert dense.attrs["densify_axis"] == "both"
        assert dense["filled"].values.sum() == 7 * 9 - 19
        assert (np.abs(dense["amplitude"].values).sum(axis=-1) > 0).all()


    def test_a_3d_method_fills_new_inline_rows_from_the_rows_around_them(self, tmp_path):
        cube = make_cube(tmp_path / "cube.sgy", n_inline=4, n_crossline=6)
        ds = seisfill.read_segy(cube.path)
        dense = seisfill.densify(ds, 2, "inline", method="pocs", ndim=3)
        assert dense["filled"].values.sum() == 3 * 6 and not dense["filled"].values[::2].any()
        assert (np.abs(dense["amplitude"].values[1::2]).sum(axis=-1) > 0).all()
        np.testing.assert_array_equal(dense["amplitude"].values[::2], ds["amplitude"].values)

class TestWrite:
    def test_file_order_bytes_flags_and_sidecar(self, shots, tmp_path):
        out = tmp_path / "dense.sgy"
        assert main(["densify", str(shots.path), str(out), "--method", "linear", "--factor", "3"]) == 0
        src, dst = _traces(shots.path), _traces(out)
        n_in = COUNTS
        assert dst.shape[0] == sum(n + 2 * (n - 1) for n in n_in) == 96
        record = _sidecar(out)["densify"]
        new = np.asarray(record["new_output_traces"])
        assert new.size == 2 * sum(n - 1 for n in n_in)
        recorded = np.setdiff1d(np.arange(dst.shape[0]), new)
        dead = 13
        same = np.arange(src.shape[0]) != dead
        np.testing.assert_array_equal(dst[recorded][same], src[same])  # every byte of every recorded trace
        w = _words(dst, ["UnassignedInt1", "TraceIdentificationCode", "TraceNumber"])
        assert (w["UnassignedInt1"][new] == 2).all() and (w["TraceIdentificationCode"][new] == 1).all()
        assert w["UnassignedInt1"][recorded][dead] == 1
        # each new trace right after its predecessor: k-th new trace of a pair is k after it
        frac = np.asarray(record["fraction"])
        left, right = np.asarray(record["left_output_traces"]), np.asarray(record["right_output_traces"])
        np.testing.assert_array_equal(new - left, np.rint(frac * 3))
        np.testing.assert_array_equal(right - new, 3 - np.rint(frac * 3))
        np.testing.assert_array_equal(w["TraceNumber"][new], w["TraceNumber"][left])
        # position on the grid: TraceNumber 1 + 1/3, 1 + 2/3, ...
        np.testing.assert_allclose(record["position"]["TraceNumber"][:3], [1 + 1 / 3, 1 + 2 / 3, 2 + 1 / 3])
        assert record["factor"] == 3 and "TraceNumber" in record["header_rule"]["from_predecessor"]

    def test_a_gather_sorted_against_the_file_order_gets_its_new_traces_between_their_neighbours(self, tmp_path):
        shots = make_shots(tmp_path / "shots.sgy", n_shots=2, n_channels=5)  # offsets decrease in the file
        out = tmp_path / "dense.sgy"
        assert main(["densify", str(shots.path), str(out), "--method", "linear", "--sort", "offset"]) == 0
        w = _words(_traces(out), ["offset", "TraceNumber", "UnassignedInt1"])
        np.testing.assert_array_equal(w["offset"], np.tile([125, 112, 100, 88, 75, 62, 50, 38, 25], 2))
        np.testing.assert_array_equal(w["UnassignedInt1"], np.tile([0, 2, 0, 2, 0, 2, 0, 2, 0], 2))
        # the grid words of the slot before it on the offset axis: the file's next trace
        np.testing.assert_array_equal(w["TraceNumber"][:9], [1, 2, 2, 3, 3, 4, 4, 5, 5])
        record = _sidecar(out)["densify"]
        assert record["new_output_traces"][:2] == [1, 3]
        assert record["left_output_traces"][:2] == [2, 4] and record["right_output_traces"][:2] == [0, 2]

    def test_new_inline_rows_follow_their_predecessor_row(self, tmp_path):
        cube = make_cube(tmp_path / "cube.sgy", n_inline=3, n_crossline=4)
        out = tmp_path / "dense.sgy"
        assert main(["densify", str(cube.path), str(out), "--method", "linear", "--axis", "inline"]) == 0
        w = _words(_traces(out), ["INLINE_3D", "CROSSLINE_3D", "UnassignedInt1"])
        np.testing.assert_array_equal(w["UnassignedInt1"], np.repeat([0, 2, 0, 2, 0], 4))
        np.testing.assert_array_equal(w["INLINE_3D"], np.repeat([101, 101, 102, 102, 103], 4))
        np.testing.assert_array_equal(w["CROSSLINE_3D"], np.tile(np.arange(201, 205), 5))
        record = _sidecar(out)["densify"]
        assert record["new_output_traces"] == [4, 5, 6, 7, 12, 13, 14, 15]
        assert record["left_output_traces"][:2] == [0, 1] and record["right_output_traces"][:2] == [8, 9]
        assert record["position"]["INLINE_3D"][:2] == [101.5, 101.5]

    @pytest.mark.parametrize("method", ["linear", "fx"])
    def test_streaming_gives_the_same_bytes(self, tmp_path, method, capsys, monkeypatch):
        monkeypatch.setenv("SEISFILL_SYNC_S", "0")
        source = SAMPLES / "synthetic_shots_gaps.sgy"  # 3 shots, dead and missing channels
        mem, w0 = tmp_path / "mem.sgy", tmp_path / "w0.sgy"
        assert main(["densify", str(source), str(mem), "--method", method]) == 0
        assert main(["densify", str(source), str(w0), "--method", method, "--workers", "0"]) == 0
        out = capsys.readouterr().out
        assert "traces in" in out and "traces out" in out and f"method '{method}'" in out
        assert w0.read_bytes() == mem.read_bytes()
        assert Path(f"{w0}.seisfill.json").read_text() == Path(f"{mem}.seisfill.json").read_text()
        if method == "fx":
            pytest.importorskip("distributed")
            w2 = tmp_path / "w2.sgy"
            assert main(["densify", str(source), str(w2), "--method", method, "--workers", "2",
                         "--gathers-per-task", "1"]) == 0
            assert w2.read_bytes() == mem.read_bytes()

    @pytest.mark.parametrize("method", ["linear", "fx"])
    def test_a_cube_with_absent_nodes_streams_to_the_same_bytes(self, tmp_path, method, monkeypatch):
        monkeypatch.setenv("SEISFILL_SYNC_S", "0")
        cube = make_cube(tmp_path / "cube.sgy", n_inline=5, n_crossline=7, missing=[(1, 3), (4, 6)])
        mem, w0 = tmp_path / "mem.sgy", tmp_path / "w0.sgy"
        args = [str(cube.path), "--method", method, "--factor", "3"]
        assert main(["densify", args[0], str(mem), *args[1:]]) == 0
        assert main(["densify", args[0], str(w0), *args[1:], "--workers", "0", "--gathers-per-task", "2"]) == 0
        assert w0.read_bytes() == mem.read_bytes() and len(_traces(mem)) == 5 * 19
        assert Path(f"{w0}.seisfill.json").read_text() == Path(f"{mem}.seisfill.json").read_text()

    def test_real_line_every_second_trace_removed_and_densified_back(self, tmp_path):
        full = SAMPLES / "penobscot_xl1155_w200.sgy"  # real IBM post-stack line, 200 traces
        coarse = _keep_every(full, tmp_path / "coarse.sgy", 2)
        out = tmp_path / "dense.sgy"
        assert main(["densify", str(coarse), str(out), "--method", "fx", "--key", "none"]) == 0
        dst, src = _traces(out), _traces(full)
        assert dst.shape == (199, src.shape[1])
        np.testing.assert_array_equal(dst[::2], src[:199:2])  # recorded traces: every byte
        truth = seisfill.read_segy(full, key="none")["amplitude"].values[0, :199]
        filled = seisfill.read_segy(out, key="none", sort="none")["amplitude"].values[0]
        new = np.arange(199) % 2 == 1
        assert snr_missing(truth, filled, new) > 8.0


class TestBadInput:
    @pytest.mark.parametrize("factor", [1, 5, 2.5, True])
    def test_factor(self, shots, factor):
        with pytest.raises(SeisfillError, match="factor must be one of 2, 3, 4"):
            seisfill.densify(seisfill.read_segy(shots.path), factor, method="linear")

    def test_axis(self, shots, tmp_path):
        ds = seisfill.read_segy(shots.path)
        with pytest.raises(SeisfillError, match="unknown densify axis 'diagonal'"):
            seisfill.densify(ds, 2, "diagonal", method="linear")
        with pytest.raises(SeisfillError, match="--axis inline needs a cube"):
            seisfill.densify(ds, 2, "inline", method="linear")

    def test_a_gather_with_one_live_trace(self, tmp_path):
        path = make_shots(tmp_path / "one.sgy", n_channels=3, dead={3: "zero", 4: "flagged"}).path
        with pytest.raises(SeisfillError, match="gather 101 has 1 live trace"):
            seisfill.densify(seisfill.read_segy(path), 2, method="linear")

    @pytest.mark.parametrize("args, code, text", [
        (["--factor", "5"], EXIT_USAGE, "invalid choice: 5"),
        (["--axis", "diagonal"], EXIT_USAGE, "invalid choice: 'diagonal'"),
        (["--axis", "both"], EXIT_INPUT, "--axis both needs a cube"),
        (["--axis", "inline", "--workers", "0"], EXIT_INPUT, "--axis inline needs a cube"),
        (["--same"], EXIT_INPUT, "output path equals the input"),
    ])
    def test_command_line(self, shots, tmp_path, capsys, args, code, text):
        out = shots.path if args == ["--same"] else tmp_path / "out.sgy"
        args = [] if args == ["--same"] else args
        before = shots.path.read_bytes()
        try:
            result = main(["densify", str(shots.path), str(out), "--method", "linear", *args])
        except SystemExit as exc:  # usage errors leave through argparse
            result = exc.code
        assert result == code
        err = capsys.readouterr().err
        assert text in err and len(err.strip().splitlines()) == 1
        assert shots.path.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["shots.sgy"]  # nothing written


class TestStreamingAcross:
    """``--axis inline`` and ``--axis both`` on a cube, streamed: the bytes and sidecar of the in-memory path."""

    @staticmethod
    def _both_ways(tmp_path, cube, args, stream_args):
        mem, streamed = tmp_path / "mem.sgy", tmp_path / "streamed.sgy"
        assert main(["densify", str(cube), str(mem), *args]) == 0
        assert main(["densify", str(cube), str(streamed), *args, *stream_args]) == 0
        assert streamed.read_bytes() == mem.read_bytes()
        assert Path(f"{streamed}.seisfill.json").read_text() == Path(f"{mem}.seisfill.json").read_text()
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left
        return mem

    # fx in tasks of 2 gathers: its result for a gather does not depend on the gathers solved with it;
    # pocs ndim=3: one brick, the whole cube as in memory
    @pytest.mark.parametrize("axis, method, factor, per_task, fmt", [
        ("inline", "linear", "2", "2", 5),
        ("both", "linear", "3", "2", 1),  # IBM floats: the first pass's samples are kept as float32
        ("inline", "fx", "2", "2", 5),
        ("both", "fx", "2", "2", 1),
        ("both", "pocs", "2", "99", 5),
    ])
    def test_workers_0_gives_the_in_memory_bytes(self, tmp_path, monkeypatch, axis, method, factor, per_task, fmt):
        monkeypatch.setenv("SEISFILL_SYNC_S", "0")
        cube = make_cube(tmp_path / "cube.sgy", n_inline=5, n_crossline=7, missing=[(1, 3), (4, 6)], fmt=fmt)
        args = ["--method", method, "--factor", factor, "--axis", axis] + (["--option", "ndim=3"] * (method == "pocs"))
        mem = self._both_ways(tmp_path, cube.path, args, ["--workers", "0", "--gathers-per-task", per_task])
        f = int(factor)
        n_rows, n_cols = (4 * f + 1, 7) if axis == "inline" else (4 * f + 1, 6 * f + 1)
        assert len(_traces(mem)) == n_rows * n_cols
        record = _sidecar(mem)
        assert len(record["inserted_output_traces"]) == n_rows * n_cols - 33  # 35 nodes, 2 absent
        assert record["densify"]["axis"] == axis

    @pytest.mark.slow  # ~10 s: a LocalCluster starts
    def test_two_workers_give_the_in_memory_bytes(self, tmp_path, monkeypatch):
        pytest.importorskip("distributed")
        monkeypatch.setenv("SEISFILL_SYNC_S", "0")
        cube = make_cube(tmp_path / "cube.sgy", n_inline=4, n_crossline=5, missing=[(2, 1)], fmt=1)
        self._both_ways(tmp_path, cube.path, ["--method", "linear", "--axis", "both"],
                        ["--workers", "2", "--gathers-per-task", "1"])

    def test_column_tasks_and_two_phases(self, tmp_path):
        from seisfill.io.layout import open_layout as layout_of
        from seisfill.methods import get_method
        from seisfill.parallel.plan import plan_grid

        cube = make_cube(tmp_path / "cube.sgy", n_inline=5, n_crossline=7, missing=[(1, 3)])
        grid = dict(method=get_method("linear"), options={}, key=None, sort=None, cube=None, rms_outlier=None,
                    regularize=False, step=None, extent="gather", skip_empty=False, per_task=3, halo=4, densify=2)
        inline, _ = plan_grid(layout_of(cube.path), **grid, densify_axis="inline")
        assert [c.tolist() for c in inline.columns] == [[0, 1, 2], [3, 4, 5], [6]]  # crosslines, 3 per task
        assert inline.phases() == [range(3)] and inline.first_pass is None
        both, _ = plan_grid(layout_of(cube.path), **grid, densify_axis="both", first_pass=tmp_path / "first")
        assert [t.tolist() for t in both.tasks[:2]] == [[0, 2, 4], [6, 8]]  # the recorded inlines first
        assert both.phases() == [range(2), range(2, 7)] and both.first_pass_shape == (5, 13, 30)

    def test_a_method_that_looks_at_the_survey_is_refused_on_both_axes(self, tmp_path):
        from dataclasses import replace

        from seisfill.methods import get_method
        from seisfill.parallel import fill_file

        cube = make_cube(tmp_path / "cube.sgy", n_inline=3, n_crossline=4)
        looking = replace(get_method("linear"), name="looking", calibrate=lambda options, *sample: dict(options))
        with pytest.raises(SeisfillError, match="method 'looking' looks at the survey before each of the two passes"):
            fill_file(cube.path, tmp_path / "out.sgy", looking, densify=2, densify_axis="both")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["cube.sgy"]

    @pytest.mark.parametrize("stop_after", [1, 4])  # in the first pass; in the second
    def test_an_interrupted_two_pass_run_resumes_to_the_same_bytes(self, tmp_path, monkeypatch, stop_after):
        import seisfill.parallel.run as run
        from seisfill.parallel import fill_file

        monkeypatch.setenv("SEISFILL_SYNC_S", "0")
        cube = make_cube(tmp_path / "cube.sgy", n_inline=5, n_crossline=7, missing=[(1, 3)], fmt=1)
        mem, out = tmp_path / "mem.sgy", tmp_path / "out.sgy"
        assert main(["densify", str(cube.path), str(mem), "--method", "linear", "--axis", "both"]) == 0
        real, seen = run.run_tasks, []

        def interrupted(calls, client, in_flight):
            for i, result in real(calls, client, in_flight):
                if len(seen) == stop_after:
                    raise KeyboardInterrupt
                seen.append(i)
                yield i, result

        monkeypatch.setattr(run, "run_tasks", interrupted)
        options = dict(densify=2, densify_axis="both", gathers_per_task=2, flag_word="UnassignedInt1")
        with pytest.raises(KeyboardInterrupt):
            fill_file(cube.path, out, "linear", **options)
        monkeypatch.setattr(run, "run_tasks", real)
        done = fill_file(cube.path, out, "linear", resume=True, **options)
        assert done.n_resumed == stop_after and done.n_tasks == 3 + 7  # 5 inlines, then 13 crosslines, 2 a task
        assert out.read_bytes() == mem.read_bytes()
