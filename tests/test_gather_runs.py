"""Gather-by-gather planning of grouped files: same rows as read_segy, memory per gather."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from segy_factory import make_cube, make_shots, real_file_params, write_traces

import seisfill
from seisfill.errors import SeisfillError
from seisfill.io.gather_runs import NotGrouped, plan_gather_runs, read_gather_rows
from seisfill.io.layout import TraceReader, open_layout
from seisfill.parallel import fill_file


def _shots(path: Path, keys: list[int], counts: list[int], *, seed: int = 0, interleave: bool = False) -> Path:
    """Shot gathers with the given FieldRecord values and trace counts, channels shuffled within each
    gather, a few dead traces of each kind and one loud trace; ``interleave``: the last gather's
    traces are split around the others (not grouped)."""
    rng = np.random.default_rng(seed)
    rows = []
    for key, n in zip(keys, counts, strict=True):
        for c in rng.permutation(np.arange(1, n + 1)):
            rows.append((key, int(c)))
    if interleave:
        last = [r for r in rows if r[0] == keys[-1]]
        rest = [r for r in rows if r[0] != keys[-1]]
        rows = last[: len(last) // 2] + rest + last[len(last) // 2 :]
    fr = np.array([r[0] for r in rows])
    ch = np.array([r[1] for r in rows])
    t = np.arange(120)[None, :]
    data = np.sin(0.11 * (t - 2.0 * ch[:, None]) + 0.3 * fr[:, None]).astype(np.float32)
    data += 0.05 * rng.standard_normal(data.shape).astype(np.float32)
    trid = np.ones(fr.size, dtype=np.int64)
    dead = rng.choice(fr.size, size=fr.size // 8, replace=False)
    data[dead[::2]] = 0.0
    trid[dead[1::2]] = 2
    # an RMS outlier for rms_outlier=3, in the fourth gather (the shortest one in the fixture)
    fourth = np.flatnonzero(fr == keys[min(3, len(keys) - 1)])
    loud = np.setdiff1d(fourth, dead)[2]
    data[loud] *= 60.0
    headers = {"FieldRecord": fr, "EnergySourcePoint": fr, "TraceNumber": ch, "offset": 25 * ch,
               "TraceIdentificationCode": trid, "TRACE_SEQUENCE_FILE": np.arange(1, fr.size + 1)}
    write_traces(path, data, headers)
    return path


@pytest.fixture(scope="module")
def ragged(tmp_path_factory) -> Path:
    """Gathers in non-increasing key order, ragged, shuffled within: read_segy reorders all three."""
    return _shots(tmp_path_factory.mktemp("runs") / "ragged.sgy", [305, 101, 207, 150, 999, 120],
                  [30, 24, 31, 17, 28, 30])


@pytest.mark.parametrize("rms", [None, 3.0])
def test_runs_and_rows_match_read_segy(ragged, rms):
    ds = seisfill.read_segy(ragged, rms_outlier=rms)
    layout = open_layout(ragged)
    with open(ragged.with_suffix(f".{rms}.filled"), "wb") as fh:
        runs = plan_gather_runs(layout, rms_outlier=rms, filled_list=fh)
    assert (runs.gather_key, runs.sort_key) == ("FieldRecord", ds.attrs["sort_key"])
    assert runs.values.tolist() == [305, 101, 207, 150, 999, 120]
    assert runs.count.tolist() == [30, 24, 31, 17, 28, 30] and runs.width == ds.sizes["trace"] == 31
    assert runs.first.tolist() == np.concatenate(([0], np.cumsum(runs.count)[:-1])).tolist()
    order = runs.key_order()
    assert runs.values[order].tolist() == ds["gather"].values.tolist()
    target = ~ds["live"].values & ~ds["pad"].values
    assert runs.n_target[order].tolist() == target.sum(axis=1).tolist()
    filled = np.fromfile(ragged.with_suffix(f".{rms}.filled"), dtype=np.int64)
    assert filled.tolist() == np.sort(ds["trace_index"].values[target]).tolist()
    with TraceReader(layout) as reader:
        rows = read_gather_rows(reader, runs.first[order], runs.count[order], runs.width, runs.sort_key, rms)
    np.testing.assert_array_equal(rows.slot_trace, ds["trace_index"].values)
    np.testing.assert_array_equal(rows.live, ds["live"].values)
    np.testing.assert_array_equal(rows.pad, ds["pad"].values)
    np.testing.assert_array_equal(rows.data, ds["amplitude"].values)



def test_both_readers_give_the_same_dead_reasons(tmp_path):
    """read_segy and read_gather_rows derive live and dead_reason in one place (masks.slot_live):
    flagged, dummy, zero, constant, NaN, Inf and RMS-outlier traces in ragged, shuffled gathers."""
    rng = np.random.default_rng(5)
    keys, counts = [40, 10, 30, 20], [20, 13, 18, 11]
    fr = np.repeat(keys, counts)
    ch = np.concatenate([rng.permutation(np.arange(1, n + 1)) for n in counts])
    t = np.arange(100)[None, :]
    data = np.sin(0.13 * (t - 1.5 * ch[:, None])).astype(np.float32)
    data += 0.05 * rng.standard_normal(data.shape).astype(np.float32)
    trid = np.ones(fr.size, dtype=np.int64)
    trid[[1, 25]] = [2, 3]  # dead, dummy
    data[3] = 0.0
    data[22] = 4.5  # constant
    data[35, 40:] = np.nan
    data[50, 7] = np.inf
    data[5] *= 40.0  # loud, in a full gather
    data[55] *= 0.02  # quiet, in the shortest gather (11 traces, 9 slots of padding)
    headers = {"FieldRecord": fr, "TraceNumber": ch, "offset": 25 * ch, "TraceIdentificationCode": trid}
    path = write_traces(tmp_path / "dead_kinds.sgy", data, headers)
    with pytest.warns(UserWarning, match="NaN or Inf"):
        ds = seisfill.read_segy(path, rms_outlier=3.0)
    with pytest.warns(UserWarning, match="NaN or Inf"):
        runs = plan_gather_runs(open_layout(path), rms_outlier=3.0)
    order = runs.key_order()
    with TraceReader(open_layout(path)) as reader:
        rows = read_gather_rows(reader, runs.first[order], runs.count[order], runs.width, runs.sort_key, 3.0)
    np.testing.assert_array_equal(rows.slot_trace, ds["trace_index"].values)
    np.testing.assert_array_equal(rows.pad, ds["pad"].values)
    np.testing.assert_array_equal(rows.dead_reason, ds["dead_reason"].values)
    np.testing.assert_array_equal(rows.live, ds["live"].values)
    assert runs.n_target[order].tolist() == (~rows.live & ~rows.pad).sum(axis=1).tolist()
    by_trace = dict(zip(ds["trace_index"].values.ravel().tolist(), ds["dead_reason"].values.ravel().tolist(), strict=True))
    reason = seisfill.masks.DeadReason
    assert {i: by_trace[i] for i in (1, 25, 3, 22, 35, 50, 5, 55)} == {
        1: reason.FLAGGED, 25: reason.FLAGGED, 3: reason.ZERO, 22: reason.CONSTANT,
        35: reason.NONFINITE, 50: reason.NONFINITE, 5: reason.RMS_OUTLIER, 55: reason.RMS_OUTLIER,
    }
    assert sum(v != 0 for v in by_trace.values()) == 8 + 1  # the eight above and the padding's key -1


def test_rms_outlier_is_found_in_a_short_padded_gather(ragged):
    """Padding slots take no part in the RMS test.  They used to count as live traces with a NaN
    log-RMS, which made the leave-one-out median NaN for the loudest traces of a gather padded
    by about half its length: the outlier went unflagged."""
    ds = seisfill.read_segy(ragged, rms_outlier=3.0)
    reasons = ds["dead_reason"].values
    outlier = (reasons & int(seisfill.masks.DeadReason.RMS_OUTLIER)) != 0
    assert outlier.sum() == 1
    row = np.flatnonzero(outlier.any(axis=1))[0]
    assert ds["gather"].values[row] == 150 and ds["pad"].values[row].sum() == 14
    # the old call, padding counted as live: nothing found
    log_rms = np.where(ds["pad"].values, np.nan, 0.0)
    scan = seisfill.io.segy.scan_segy(open_layout(ragged), False, log_rms=True)
    present = ds["trace_index"].values >= 0
    log_rms[present] = scan.log_rms[ds["trace_index"].values[present]]
    live_or_pad = ((reasons & ~np.uint8(seisfill.masks.DeadReason.RMS_OUTLIER)) == 0)
    assert not seisfill.masks.rms_outliers(log_rms, live_or_pad, 3.0)[row].any()


# pocs with a fixed window: window="auto" picks one window per call by cross-validation over the
# call's gathers, so a task of 4 gathers may pick another window than a call on all 6
@pytest.mark.parametrize("method, rms, options", [("pocs", None, {"window": None}), ("fx", 3.0, {})])
def test_gather_plan_fill_equals_in_memory(ragged, tmp_path, method, rms, options):
    ds = seisfill.read_segy(ragged, rms_outlier=rms)
    mem = tmp_path / "mem.sgy"
    seisfill.write_segy(seisfill.fill(ds, method, **options), mem, template=ragged)
    out = tmp_path / "out.sgy"
    summary = fill_file(ragged, out, method, rms_outlier=rms, workers=0, gathers_per_task=4, **options)
    assert summary.n_tasks == 2 and summary.n_gathers == 6 and summary.plan == "gathers"
    assert summary.n_filled == int((~ds["live"].values & ~ds["pad"].values).sum())
    assert out.read_bytes() == mem.read_bytes()
    assert Path(f"{out}.seisfill.json").read_text() == Path(f"{mem}.seisfill.json").read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_files_that_are_not_grouped_fall_back_to_the_grid(tmp_path):
    mixed = _shots(tmp_path / "mixed.sgy", [11, 12, 13], [20, 20, 20], interleave=True)
    with pytest.raises(NotGrouped, match="not contiguous"):
        plan_gather_runs(open_layout(mixed), key="FieldRecord")
    with pytest.raises(NotGrouped, match="one gather"):  # detection finds no contiguous key, as read_segy
        plan_gather_runs(open_layout(mixed))
    cube = make_cube(tmp_path / "cube.sgy", n_inline=4, n_crossline=5, n_samples=20).path
    with pytest.raises(NotGrouped, match="cube"):
        plan_gather_runs(open_layout(cube))
    # the grid plan still fills the interleaved file, as the in-memory path does
    mem = tmp_path / "mem.sgy"
    ds = seisfill.read_segy(mixed, key="FieldRecord")
    seisfill.write_segy(seisfill.fill(ds, "linear"), mem, template=mixed)
    assert fill_file(mixed, tmp_path / "out.sgy", "linear", key="FieldRecord", workers=0).plan == "grid"
    assert (tmp_path / "out.sgy").read_bytes() == mem.read_bytes()


def test_a_gather_without_live_traces(tmp_path):
    sf = make_shots(tmp_path / "s.sgy", n_shots=3, n_channels=6, dead={i: "zero" for i in range(6, 12)} | {0: "zero"})
    with pytest.raises(SeisfillError, match=r"^gather 101 has no live traces.*1 such gather"):
        plan_gather_runs(open_layout(sf.path))
    runs = plan_gather_runs(open_layout(sf.path), skip_empty=True)
    assert runs.n_target.tolist() == [1, 0, 0]
    out = tmp_path / "o.sgy"
    assert fill_file(sf.path, out, "linear", skip_empty=True).n_filled == 1
    record = json.loads(Path(f"{out}.seisfill.json").read_text())
    assert record["filled_output_traces"] == [0]


def test_planning_memory_grows_per_gather_not_per_trace(tmp_path):
    """The plan's marginal cost is a few bytes per trace (read_segy's geometry read: ~225 B at its peak)."""
    import tracemalloc

    peaks = {}
    for n_shots in (40, 240):
        sf = make_shots(tmp_path / f"m{n_shots}.sgy", n_shots=n_shots, n_channels=200, n_samples=4,
                        dead={i: "zero" for i in range(0, n_shots * 200, 10)})
        layout = open_layout(sf.path)
        plan_gather_runs(layout)  # warm: imports, caches
        with open(tmp_path / "filled", "wb") as fh:
            tracemalloc.start()
            runs = plan_gather_runs(layout, filled_list=fh, prefix=2000, chunk_bytes=1 << 16)
            peaks[n_shots] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert runs.n_target.sum() == n_shots * 20
    per_trace = (peaks[240] - peaks[40]) / (200 * 200)
    assert per_trace < 2.0, (peaks, per_trace)


@pytest.mark.parametrize("path", real_file_params())
def test_real_files_plan_as_read_segy_reads_them(path):
    """Each real file is either planned gather by gather onto read_segy's exact rows, or sent to the grid."""
    ds = seisfill.read_segy(path)
    layout = open_layout(path)
    try:
        runs = plan_gather_runs(layout, skip_empty=True)
    except NotGrouped as why:
        assert ds.attrs["layout"] == "cube" or ds.attrs["gather_key"] == "none", why
        return
    assert runs.gather_key == ds.attrs["gather_key"] and (runs.sort_key or "none") == ds.attrs["sort_key"]
    order = runs.key_order()
    with TraceReader(layout) as reader:
        rows = read_gather_rows(reader, runs.first[order], runs.count[order], runs.width, runs.sort_key)
    np.testing.assert_array_equal(rows.slot_trace, ds["trace_index"].values)
    np.testing.assert_array_equal(rows.live, ds["live"].values)
    np.testing.assert_array_equal(rows.data, ds["amplitude"].values)
