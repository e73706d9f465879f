"""Streaming Dask fill: same bytes for 0, 1 and 2 workers and as the in-memory path; resume after SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from file_modes import UMASKS, expected, modes, umask

import seisfill
from seisfill.errors import SeisfillError
from seisfill.parallel import fill_file, partial_paths
from seisfill.synthetic import write_synthetic_segy

GAPS = Path(__file__).resolve().parents[1] / "sample_data" / "synthetic_shots_gaps.sgy"


@pytest.fixture(scope="module")
def survey(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("par") / "shots.sgy"
    write_synthetic_segy(path, n_gathers=10, traces_per_gather=40, nt=300, dt=0.004, seed=5, dead_fraction=0.1,
                         drop_fraction=0.0)
    return path


def test_streaming_equals_in_memory_for_classical_methods(survey, tmp_path):
    from seisfill.methods import get_method, list_methods

    ds = seisfill.read_segy(survey)
    classical = [m for m in list_methods() if not get_method(m).needs_torch]
    assert len(classical) >= 3
    for method in classical:
        mem = tmp_path / f"mem_{method}.sgy"
        seisfill.write_segy(seisfill.fill(ds, method), mem, template=survey)
        out = tmp_path / f"w0_{method}.sgy"
        summary = fill_file(survey, out, method, workers=0, gathers_per_task=3)
        assert summary.n_filled == int((~ds["live"].values).sum()) > 0
        assert out.read_bytes() == mem.read_bytes()
        assert json.loads(Path(f"{out}.seisfill.json").read_text()) == json.loads(Path(f"{mem}.seisfill.json").read_text())
        assert not any(p.exists() for p in partial_paths(out))


def test_two_worker_local_cluster_gives_the_same_bytes(survey, tmp_path):
    pytest.importorskip("distributed")
    pytest.importorskip("torch")
    serial = tmp_path / "serial.sgy"
    fill_file(survey, serial, "unet", workers=0, gathers_per_task=2, device="cpu")
    two = tmp_path / "two.sgy"
    summary = fill_file(survey, two, "unet", workers=2, gathers_per_task=2, device="cpu")
    assert summary.n_tasks == 5
    assert two.read_bytes() == serial.read_bytes()
    src = survey.read_bytes()
    assert len(src) == len(two.read_bytes()) and src[:3600] == two.read_bytes()[:3600]


def test_a_running_scheduler_given_by_address(survey, tmp_path):
    """--scheduler ADDRESS: the tasks go to an existing distributed cluster; same bytes as in this process."""
    pytest.importorskip("distributed")
    from dask.distributed import LocalCluster

    serial = tmp_path / "serial.sgy"
    fill_file(survey, serial, "linear", workers=0, gathers_per_task=3)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=40) as cluster:
        out = tmp_path / "remote.sgy"
        summary = fill_file(survey, out, "linear", scheduler=cluster.scheduler_address, gathers_per_task=3)
        assert "fill_runs_task" in cluster.scheduler.task_prefixes  # the cluster ran them
    assert summary.n_tasks == 4 and summary.dashboard
    assert out.read_bytes() == serial.read_bytes()


def test_resume_after_sigterm_equals_uninterrupted_run(survey, tmp_path):
    reference = tmp_path / "ref.sgy"
    fill_file(survey, reference, "pocs", workers=0, gathers_per_task=1)
    out = tmp_path / "out.sgy"
    part, journal = partial_paths(out)
    cmd = [sys.executable, "-m", "seisfill", "fill", str(survey), str(out), "--method", "pocs",
           "--workers", "0", "--gathers-per-task", "1", "--no-progress"]
    env = {"SEISFILL_SYNC_S": "0"}
    import os

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
    deadline = time.time() + 60
    while time.time() < deadline:
        if journal.exists() and len(journal.read_text().splitlines()) >= 3:  # header + 2 tasks
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before it could be interrupted")
    assert proc.returncode == 130 and "--resume" in err and "Traceback" not in err
    assert not out.exists() and part.exists() and journal.exists()
    done_before = len(journal.read_text().splitlines()) - 1
    assert 2 <= done_before < 10
    again = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert f"{done_before} done before (resumed)" in again.stdout
    assert out.read_bytes() == reference.read_bytes()
    assert not part.exists() and not journal.exists()


def test_resume_refuses_other_options(survey, tmp_path):
    out = tmp_path / "o.sgy"
    part, journal = partial_paths(out)
    part.write_bytes(survey.read_bytes())
    journal.write_text(json.dumps({"input": "elsewhere"}) + "\n0\n")
    with pytest.raises(SeisfillError, match="cannot resume"):
        fill_file(survey, out, "linear", workers=0, resume=True)
    assert not out.exists()


def test_bad_inputs(survey, tmp_path):
    with pytest.raises(SeisfillError, match="output path equals the input"):
        fill_file(survey, survey, "linear")
    with pytest.raises(SeisfillError, match="unknown method"):
        fill_file(survey, tmp_path / "o.sgy", "magic")
    with pytest.raises(SeisfillError, match="gathers per task"):
        fill_file(survey, tmp_path / "o.sgy", "linear", gathers_per_task=0)
    assert not (tmp_path / "o.sgy").exists()
    assert np.all([not p.exists() for p in partial_paths(tmp_path / "o.sgy")])


def test_cli_workers_path(survey, tmp_path, capsys):
    from seisfill.cli import main

    mem, streamed = tmp_path / "mem.sgy", tmp_path / "streamed.sgy"
    assert main(["fill", str(survey), str(mem), "--method", "linear"]) == 0
    assert main(["fill", str(survey), str(streamed), "--method", "linear", "--workers", "0"]) == 0
    out = capsys.readouterr().out
    assert "on this process: 2 task(s); planned gather by gather" in out
    assert streamed.read_bytes() == mem.read_bytes()
    code = main(["fill", str(survey), str(tmp_path / "o.sgy"), "--method", "linear", "--workers", "0",
                 "--gathers-per-task", "0"])
    err = capsys.readouterr().err
    assert code == 1 and "gathers per task" in err and len(err.strip().splitlines()) == 1


def test_regularize_streams_inserted_traces_like_the_in_memory_path(tmp_path, capsys):
    """Channels missing from the file are inserted, filled and written in order, as write_segy does."""
    from seisfill.cli import main

    gaps = Path(__file__).resolve().parents[1] / "sample_data" / "synthetic_shots_gaps.sgy"
    mem, w0, w2 = tmp_path / "mem.sgy", tmp_path / "w0.sgy", tmp_path / "w2.sgy"
    assert main(["fill", str(gaps), str(mem), "--method", "linear", "--regularize"]) == 0
    capsys.readouterr()
    assert main(["fill", str(gaps), str(w0), "--method", "linear", "--regularize", "--workers", "0"]) == 0
    out = capsys.readouterr().out
    assert "filled 5 dead trace(s), inserted 9 missing trace(s) with 'linear'" in out  # as in memory
    assert w0.read_bytes() == mem.read_bytes()
    assert Path(f"{w0}.seisfill.json").read_text() == Path(f"{mem}.seisfill.json").read_text()
    pytest.importorskip("distributed")
    assert main(["fill", str(gaps), str(w2), "--method", "linear", "--regularize", "--workers", "2",
                 "--gathers-per-task", "1"]) == 0
    assert w2.read_bytes() == mem.read_bytes()


def test_zarr_to_zarr_fill_is_chunked_by_gather_and_lazy(survey, tmp_path, capsys):
    pytest.importorskip("zarr")
    import xarray as xr

    from seisfill.cli import main
    from seisfill.io.convert import read_dataset

    store = tmp_path / "survey.zarr"
    assert main(["convert", str(survey), str(store)]) == 0
    raw = xr.open_zarr(store)
    assert raw["amplitude"].encoding["chunks"][1:] == raw["amplitude"].shape[1:]  # whole gathers per chunk
    ds = read_dataset(store, chunks={})
    filled_lazy = seisfill.fill(ds, "linear")
    assert filled_lazy["amplitude"].chunks is not None  # still a dask graph: nothing computed yet
    out = tmp_path / "filled.zarr"
    assert main(["fill", str(store), str(out), "--method", "linear"]) == 0
    got = read_dataset(out)
    expect = seisfill.fill(seisfill.read_segy(survey), "linear")
    np.testing.assert_array_equal(got["amplitude"].values, expect["amplitude"].values)
    np.testing.assert_array_equal(got["filled"].values, expect["filled"].values)
    back = tmp_path / "back.sgy"
    assert main(["convert", str(out), str(back)]) == 0
    mem = tmp_path / "mem.sgy"
    seisfill.write_segy(expect, mem, template=survey, flag_word=None, sidecar=False)
    assert back.stat().st_size == mem.stat().st_size


@pytest.mark.parametrize("method, options", [("pocs", {"ndim": 3}), ("unet", {"device": "cpu"})])
def test_3d_bricks_with_halo_on_a_cube(tmp_path, capsys, method, options):
    """3-D methods stream in bricks of inlines with a halo; any worker count gives the same bytes."""
    data = Path(__file__).resolve().parents[2] / "shared" / "data" / "f3.sgy"
    if not data.exists():
        pytest.skip("f3.sgy not available")
    if method == "unet":
        pytest.importorskip("torch")
    from seisfill.cli import main

    dead = tmp_path / "f3_dead.sgy"
    assert main(["decimate", str(data), str(dead), "--pattern", "random30", "--seed", "3"]) == 0
    serial, two = tmp_path / "serial.sgy", tmp_path / "two.sgy"
    s1 = fill_file(dead, serial, method, workers=0, gathers_per_task=6, halo=3, **options)
    assert s1.n_tasks == 4  # 23 inlines in bricks of 6
    fill_file(dead, two, method, workers=2, gathers_per_task=6, halo=3, **options)
    assert two.read_bytes() == serial.read_bytes()
    # better than inline-by-inline linear on the killed traces
    from seisfill.metrics import snr_missing

    ref = seisfill.read_segy(data)["amplitude"].values
    ds = seisfill.read_segy(dead)
    miss = ~ds["live"].values
    out = seisfill.read_segy(serial)["amplitude"].values
    lin = seisfill.fill(ds, "linear")["amplitude"].values
    assert snr_missing(ref, out, miss) > snr_missing(ref, lin, miss)


@pytest.fixture()
def dead_cube(tmp_path) -> Path:
    """A 14 x 9 noise cube with two absent nodes and ~30 % of its traces killed."""
    from segy_factory import make_cube

    from seisfill.cli import main

    src = make_cube(tmp_path / "cube.sgy", n_inline=14, n_crossline=9, n_samples=48, missing=[(5, 2), (8, 7)])
    dead = tmp_path / "cube_dead.sgy"
    assert main(["decimate", str(src.path), str(dead), "--pattern", "random30", "--seed", "2"]) == 0
    return dead


def test_streamed_bricks_equal_the_lazy_brick_fill(dead_cube, tmp_path):
    """Seam zones blended in the main process give the bytes of fill() on the cube chunked the same way."""
    streamed = tmp_path / "streamed.sgy"
    summary = fill_file(dead_cube, streamed, "pocs", workers=0, gathers_per_task=4, halo=2, ndim=3)
    assert summary.n_tasks == 4
    ds = seisfill.read_segy(dead_cube).chunk({"inline": 4})
    lazy = seisfill.fill(ds, "pocs", ndim=3, halo=2, workers=1)
    assert lazy["amplitude"].chunks is not None
    mem = tmp_path / "mem.sgy"
    seisfill.write_segy(lazy, mem, template=dead_cube)
    assert streamed.read_bytes() == mem.read_bytes()
    # the two absent nodes came back as inserted traces
    assert len(seisfill.read_segy(streamed)["trace_index"].values.ravel()) == 14 * 9
    with pytest.raises(SeisfillError, match="halo must be >= 0"):
        fill_file(dead_cube, tmp_path / "bad.sgy", "pocs", halo=-1, ndim=3)
    assert not (tmp_path / "bad.sgy").exists()


def test_bricks_resume_after_an_interrupt_redo_only_unfinished_bricks(dead_cube, tmp_path, monkeypatch):
    import seisfill.parallel.plan as par

    reference = tmp_path / "ref.sgy"
    fill_file(dead_cube, reference, "pocs", workers=0, gathers_per_task=3, halo=2, ndim=3)
    out = tmp_path / "out.sgy"
    _, journal = partial_paths(out)
    real, calls = par.fill_task, []

    def interrupted(*args):
        calls.append(args)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setenv("SEISFILL_SYNC_S", "0")
    monkeypatch.setattr(par, "fill_task", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fill_file(dead_cube, out, "pocs", workers=0, gathers_per_task=3, halo=2, ndim=3)
    lines = journal.read_text().splitlines()[1:]
    # bricks 0 and 1 ran; their seam is written, brick 0 is done, brick 1 still waits for its seam with 2
    assert lines == ["s0", "0"]
    monkeypatch.setattr(par, "fill_task", real)
    summary = fill_file(dead_cube, out, "pocs", workers=0, gathers_per_task=3, halo=2, ndim=3, resume=True)
    assert summary.n_resumed == 1
    assert out.read_bytes() == reference.read_bytes()


@pytest.mark.parametrize("mask", UMASKS)
def test_streamed_outputs_get_the_permissions_of_a_normal_write(survey, tmp_path, mask):
    """Output and sidecar: 0666 less the umask, on both plans (the part file renamed; the ordered pass)."""
    runs, grid = tmp_path / "runs.sgy", tmp_path / "grid.sgy"
    with umask(mask):
        assert fill_file(survey, runs, "linear", workers=0, gathers_per_task=3).plan == "gathers"
        summary = fill_file(GAPS, grid, "linear", workers=0, regularize=True)
    assert summary.plan == "grid" and summary.n_inserted == 9
    written = [runs, grid, Path(f"{runs}.seisfill.json"), Path(f"{grid}.seisfill.json")]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)
    assert modes(*written) == {"file": {expected(mask)["file"]}}


def test_one_summary_format_for_both_paths(tmp_path, capsys):
    """The streaming summary is the in-process one (method, model, filled and inserted, flag word) plus its line."""
    from seisfill.cli import main

    for method, extra in (("linear", ["--regularize"]), ("unet", ["--device", "cpu"])):
        if method == "unet":
            pytest.importorskip("torch")
        assert main(["fill", str(GAPS), str(tmp_path / "mem.sgy"), "--method", method, *extra]) == 0
        mem = capsys.readouterr().out.splitlines()
        assert main(["fill", str(GAPS), str(tmp_path / "w0.sgy"), "--method", method, *extra, "--workers", "0"]) == 0
        streamed = capsys.readouterr().out.splitlines()
        assert streamed[3].startswith("  on this process: 1 task(s); planned ")
        same = [mem[1], mem[2], mem[3].replace("mem.sgy", "w0.sgy")]
        assert streamed[1:3] + streamed[4:5] == same
        assert mem[4].endswith(" traces/s)") and streamed[5].endswith(" traces/s)")
    assert same[1] == "  filled 5 dead trace(s), inserted 0 missing trace(s) with 'unet' (model gated2d)"
    assert same[2].endswith("w0.sgy.seisfill.json and header word UnassignedInt1 (1 filled, 2 inserted)")


def test_dashboard_is_shown_when_the_cluster_starts_not_in_the_summary(survey, tmp_path, monkeypatch, capsys):
    from contextlib import contextmanager

    import seisfill.parallel.run as run
    from seisfill.cli import main

    @contextmanager
    def cluster(workers, scheduler):  # a cluster's dashboard, the tasks run here
        yield None, "http://127.0.0.1:8787/status"

    monkeypatch.setattr(run, "open_client", cluster)
    for flag in ("--progress", "--no-progress"):
        assert main(["fill", str(survey), str(tmp_path / f"{flag}.sgy"), "--method", "linear", "--workers", "0",
                     flag]) == 0
        out, err = capsys.readouterr()
        assert "8787" not in out  # the cluster is gone by then
        assert ("seisfill fill: Dask dashboard at http://127.0.0.1:8787/status" in err) == (flag == "--progress")


def test_rev2_trace_header_extensions_stream_like_the_in_memory_path(tmp_path):
    """Trace header extensions travel with filled traces; inserted traces copy their predecessor's."""
    from segy_factory import make_rev2

    source = tmp_path / "shots.sgy"
    write_synthetic_segy(source, n_gathers=3, traces_per_gather=30, nt=200, dt=0.004, seed=8, dead_fraction=0.1,
                         drop_fraction=0.1)
    rev2 = tmp_path / "rev2.sgy"
    make_rev2(source, rev2, n_trace_ext=2)
    for options in ({}, {"regularize": True}):
        ds = seisfill.read_segy(rev2)
        if options:
            ds = seisfill.regularize(ds)
        mem = tmp_path / "mem.sgy"
        summary = seisfill.write_segy(seisfill.fill(ds, "linear"), mem, template=rev2)
        assert summary.n_filled > 0 and (summary.n_inserted > 0) == bool(options)
        out = tmp_path / "streamed.sgy"
        fill_file(rev2, out, "linear", workers=0, gathers_per_task=2, **options)
        assert out.read_bytes() == mem.read_bytes()
