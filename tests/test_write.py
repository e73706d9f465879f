"""Tests for seisfill.write_segy: byte-exact copies, filled traces, atomic failures."""

from __future__ import annotations

import filecmp
import json

import numpy as np
import pytest
import xarray as xr
from file_modes import UMASKS, expected, modes, umask
from segy_factory import make_cube, make_garbage_geometry, make_rev2, make_shots, real_file_params

import seisfill
from seisfill.errors import SeisfillError
from seisfill.io import dataset as names
from seisfill.io.formats import decode_samples, encode_samples
from seisfill.io.headers import parse_trace_headers
from seisfill.io.layout import open_layout
from seisfill.simulate import decimate_dataset

ALL_FORMATS = (1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16)


def _traces(path):
    """(layout, raw traces (n, trace_size) uint8) of a SEG-Y file."""
    lay = open_layout(path)
    blob = np.frombuffer(path.read_bytes(), np.uint8)
    return lay, blob[lay.data_offset :].reshape(lay.n_traces, lay.trace_size)


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


# ---------------------------------------------------------------------------
# byte-exact round trips
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", real_file_params())
def test_round_trip_real_files(tmp_path, path):
    ds = seisfill.read_segy(path)
    with_template = tmp_path / "t.sgy"
    without = tmp_path / "n.sgy"
    summary = seisfill.write_segy(ds, with_template, template=path)
    seisfill.write_segy(ds, without)
    assert filecmp.cmp(path, with_template, shallow=False)
    assert filecmp.cmp(path, without, shallow=False)
    assert (summary.n_traces, summary.n_filled, summary.n_inserted) == (ds.attrs["segy_n_traces"], 0, 0)
    record = json.loads((tmp_path / "t.sgy.seisfill.json").read_text())
    assert record["filled_output_traces"] == [] and record["inserted_output_traces"] == []


@pytest.mark.parametrize("path", real_file_params())
def test_round_trip_real_files_lazy(tmp_path, path):
    ds = seisfill.read_segy(path, chunks="auto")
    out = tmp_path / "lazy.sgy"
    seisfill.write_segy(ds, out, chunk_bytes=1 << 20, sidecar=False)
    assert filecmp.cmp(path, out, shallow=False)
    assert _files(tmp_path) == ["lazy.sgy"]


@pytest.mark.parametrize("endian", ["big", "little"])
@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_round_trip_every_format_with_ext_headers_and_ragged_gathers(tmp_path, fmt, endian):
    sf = make_shots(tmp_path / "s.sgy", fmt=fmt, endian=endian, ext_headers=1, counts=[12, 8, 10])
    ds = seisfill.read_segy(sf.path)
    assert ds["pad"].values.sum() == 6
    for template in (sf.path, None):
        out = tmp_path / f"out_{template is None}.sgy"
        seisfill.write_segy(ds, out, template=template, sidecar=False)
        assert filecmp.cmp(sf.path, out, shallow=False), (fmt, endian, template)


def test_round_trip_shuffled_file_order(tmp_path):
    # gathers sorted by channel, file in random order: the output keeps file order
    sf = make_shots(tmp_path / "s.sgy", fmt=3, shuffle_within=True)
    ds = seisfill.read_segy(sf.path, sort="offset")
    for template in (sf.path, None):
        out = tmp_path / f"o{template is None}.sgy"
        seisfill.write_segy(ds, out, template=template)
        assert filecmp.cmp(sf.path, out, shallow=False)


def test_round_trip_cube_with_missing_node(cube, tmp_path):
    ds = seisfill.read_segy(cube.path)
    for template in (cube.path, None):
        out = tmp_path / f"o{template is None}.sgy"
        summary = seisfill.write_segy(ds, out, template=template)
        assert summary.n_traces == 29
        assert filecmp.cmp(cube.path, out, shallow=False)


def test_overwrites_an_existing_output(shots, tmp_path):
    out = tmp_path / "o.sgy"
    out.write_bytes(b"old content")
    seisfill.write_segy(seisfill.read_segy(shots.path), out, template=shots.path, sidecar=False)
    assert filecmp.cmp(shots.path, out, shallow=False)
    assert _files(tmp_path) == ["o.sgy", "shots.sgy"]


# ---------------------------------------------------------------------------
# filled traces
# ---------------------------------------------------------------------------


def _allowed_bytes(trace_size: int) -> np.ndarray:
    """Byte positions of a trace that filling may change: trid, flag word, samples."""
    allowed = np.zeros(trace_size, bool)
    allowed[28:30] = True  # TraceIdentificationCode, bytes 29-30
    allowed[232:236] = True  # UnassignedInt1, bytes 233-236
    allowed[240:] = True
    return allowed


@pytest.mark.parametrize("endian", ["big", "little"])
def test_fill_changes_only_the_filled_traces_ibm(ibm_shots, tmp_path, endian):
    sf = ibm_shots
    if endian == "little":
        sf = make_shots(tmp_path / "le.sgy", fmt=1, endian="little", dead=sf.dead)
    ds = seisfill.read_segy(sf.path)
    decimated = decimate_dataset(ds, "random25", seed=7)
    filled = seisfill.fill(decimated, "linear")
    out = tmp_path / "filled.sgy"
    summary = seisfill.write_segy(filled, out, template=sf.path)

    target = filled["filled"].values
    np.testing.assert_array_equal(target, decimated["decimated"].values | (ds["dead_reason"].values != 0))
    filled_traces = np.sort(ds["trace_index"].values[target])
    # 3 dead traces + 25 % of each gather's live traces: round(11/4) + round(10/4) + round(12/4)
    assert summary.n_filled == filled_traces.size == 3 + (3 + 2 + 3)
    assert summary.n_traces == 36 and summary.n_inserted == 0

    lay_in, before = _traces(sf.path)
    lay_out, after = _traces(out)
    assert lay_out.format == 1 and lay_out.endian == endian
    assert sf.path.read_bytes()[: lay_in.data_offset] == out.read_bytes()[: lay_out.data_offset]
    changed = before != after
    unfilled = np.setdiff1d(np.arange(36), filled_traces)
    assert not changed[unfilled].any()
    assert not changed[filled_traces][:, ~_allowed_bytes(lay_in.trace_size)].any()
    assert changed[filled_traces][:, 240:].any(axis=1).all()

    headers = parse_trace_headers(after[:, :240], endian, ["TraceIdentificationCode", "UnassignedInt1"])
    np.testing.assert_array_equal(headers["TraceIdentificationCode"], 1)
    flags = np.zeros(36, np.int32)
    flags[filled_traces] = 1
    np.testing.assert_array_equal(headers["UnassignedInt1"], flags)

    # new samples: the dataset's values, encoded as IBM
    gi, ti = np.nonzero(target)
    values = filled["amplitude"].values[gi, ti]
    rows = ds["trace_index"].values[gi, ti]
    np.testing.assert_array_equal(after[rows, 240:], encode_samples(values, 1, endian))
    decoded = decode_samples(after[rows, 240:], 1, endian)
    np.testing.assert_allclose(decoded, values, rtol=2.0**-20, atol=0)
    # live slots hold the original samples
    live = ~target
    np.testing.assert_array_equal(filled["amplitude"].values[live], ds["amplitude"].values[live])

    record = json.loads((tmp_path / "filled.sgy.seisfill.json").read_text())
    assert record["filled_output_traces"] == filled_traces.tolist()
    assert record["filled_source_traces"] == filled_traces.tolist()
    assert record["inserted_output_traces"] == []
    assert record["method"] == "linear"
    assert record["flag_word"] == "UnassignedInt1"
    assert record["source"] == str(sf.path)


@pytest.mark.parametrize("path", real_file_params())
def test_fill_real_files_changes_only_filled_traces(tmp_path, path):
    ds = seisfill.read_segy(path)
    filled = seisfill.fill(decimate_dataset(ds, "random10", seed=1), "linear")
    out = tmp_path / "filled.sgy"
    summary = seisfill.write_segy(filled, out, template=path)
    rows = np.sort(ds["trace_index"].values[filled["filled"].values])
    n_live = int(ds["live"].values.sum())
    assert summary.n_filled == rows.size > 0
    if ds.attrs["layout"] == "cube":
        assert rows.size == round(0.1 * n_live)
    lay, before = _traces(path)
    _, after = _traces(out)
    assert path.read_bytes()[: lay.data_offset] == out.read_bytes()[: lay.data_offset]
    changed = before != after
    assert not np.delete(changed, rows, axis=0).any()
    assert not changed[rows][:, ~_allowed_bytes(lay.trace_size)].any()
    words = parse_trace_headers(after[rows, :240], "big", ["UnassignedInt1", "TraceIdentificationCode"])
    assert (words["UnassignedInt1"] == 1).all() and (words["TraceIdentificationCode"] == 1).all()
    gi, ti = np.nonzero(filled["filled"].values)
    order = np.argsort(ds["trace_index"].values[gi, ti])
    values = filled["amplitude"].values[gi, ti][order]
    np.testing.assert_array_equal(after[rows, 240:], encode_samples(values, lay.format, "big"))
    record = json.loads((tmp_path / "filled.sgy.seisfill.json").read_text())
    assert record["filled_output_traces"] == rows.tolist()


def test_fill_without_template_matches_template(shots, tmp_path):
    ds = seisfill.read_segy(shots.path)
    filled = seisfill.fill(decimate_dataset(ds, "regular2", seed=0), "linear")
    seisfill.write_segy(filled, tmp_path / "a.sgy", template=shots.path)
    seisfill.write_segy(filled, tmp_path / "b.sgy")
    assert filecmp.cmp(tmp_path / "a.sgy", tmp_path / "b.sgy", shallow=False)
    lazy = seisfill.fill(decimate_dataset(seisfill.read_segy(shots.path, chunks={"gather": 1}), "regular2", seed=0), "linear")
    assert lazy["amplitude"].chunks is not None
    seisfill.write_segy(lazy, tmp_path / "c.sgy", template=shots.path, chunk_bytes=2000)
    assert filecmp.cmp(tmp_path / "a.sgy", tmp_path / "c.sgy", shallow=False)


def test_linear_fill_values_on_ieee(tmp_path):
    sf = make_shots(tmp_path / "s.sgy", fmt=5, endian="little")
    ds = seisfill.read_segy(sf.path)
    live = ds["live"].values.copy()
    live[1, 4] = False
    filled = seisfill.fill(ds.assign(live=(ds["live"].dims, live)), "linear")
    out = tmp_path / "f.sgy"
    seisfill.write_segy(filled, out, template=sf.path)
    _, after = _traces(out)
    expected = 0.5 * (sf.data[15] + sf.data[17])  # neighbours of shot 1 channel 5
    got = after[16, 240:].copy().view("<f4")
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert after[16, 232:236].tobytes() == (1).to_bytes(4, "little")
    assert after[16, 28:30].tobytes() == (1).to_bytes(2, "little")


def test_flag_word_none_leaves_header_but_trid(ibm_shots, tmp_path):
    ds = seisfill.read_segy(ibm_shots.path)
    filled = seisfill.fill(ds, "linear")  # the three dead traces (3: trid 2, 15: zero, 20: constant)
    out = tmp_path / "o.sgy"
    seisfill.write_segy(filled, out, template=ibm_shots.path, flag_word=None)
    _, before = _traces(ibm_shots.path)
    _, after = _traces(out)
    changed = np.flatnonzero((before[:, :240] != after[:, :240]).any(axis=1))
    assert changed.tolist() == [3]  # only the trid-2 trace's header changes ...
    assert np.flatnonzero(before[3, :240] != after[3, :240]).tolist() == [29]  # ... in trid's low byte
    assert after[3, 28:30].tobytes() == b"\x00\x01"
    assert not after[:, 232:236].any()
    samples_changed = np.flatnonzero((before[:, 240:] != after[:, 240:]).any(axis=1))
    assert samples_changed.tolist() == [3, 15, 20]
    record = json.loads((tmp_path / "o.sgy.seisfill.json").read_text())
    assert record["flag_word"] is None
    assert record["filled_output_traces"] == [3, 15, 20]


def test_custom_flag_word_and_trace_id(shots, tmp_path):
    ds = seisfill.read_segy(shots.path)
    live = ds["live"].values.copy()
    live[0, 2] = False
    filled = seisfill.fill(ds.assign(live=(ds["live"].dims, live)), "linear")
    out = tmp_path / "o.sgy"
    seisfill.write_segy(filled, out, template=shots.path, flag_word="UnassignedInt2", trace_id=2, sidecar=False)
    _, before = _traces(shots.path)
    _, after = _traces(out)
    assert after[2, 236:240].tobytes() == (1).to_bytes(4, "big")
    assert after[2, 28:30].tobytes() == (2).to_bytes(2, "big")
    assert not after[2, 232:236].any()
    np.testing.assert_array_equal(np.delete(after, 2, axis=0), np.delete(before, 2, axis=0))
    assert _files(tmp_path) == ["o.sgy", "shots.sgy"]


def test_filled_cube_node_is_inserted_after_its_predecessor(tmp_path):
    sf = make_cube(tmp_path / "c.sgy", missing=[(2, 3), (0, 0)], fmt=1)
    ds = seisfill.read_segy(sf.path)
    filled = seisfill.fill(ds, "linear")
    out = tmp_path / "o.sgy"
    summary = seisfill.write_segy(filled, out, template=sf.path)
    assert (summary.n_traces, summary.n_filled, summary.n_inserted) == (30, 0, 2)
    _, before = _traces(sf.path)
    _, after = _traces(out)
    # node (0, 0) goes first, node (2, 3) after (2, 2), file trace 13
    inserted = [0, 15]
    np.testing.assert_array_equal(np.delete(after, inserted, axis=0), before)
    words = parse_trace_headers(after[:, :240], "big", ["INLINE_3D", "CROSSLINE_3D", "UnassignedInt1", "trid"])
    np.testing.assert_array_equal(words["INLINE_3D"], np.repeat(np.arange(101, 106), 6))
    np.testing.assert_array_equal(words["CROSSLINE_3D"], np.tile(np.arange(201, 207), 5))
    assert np.flatnonzero(words["UnassignedInt1"]).tolist() == inserted
    assert (words["UnassignedInt1"][inserted] == 2).all()
    assert (words["TraceIdentificationCode"] == 1).all()
    record = json.loads((tmp_path / "o.sgy.seisfill.json").read_text())
    assert record["inserted_output_traces"] == inserted


def test_fill_gather_without_live_traces(shots, tmp_path):
    ds = seisfill.read_segy(shots.path)
    live = ds["live"].values.copy()
    live[1] = False
    dead = ds.assign(live=(ds["live"].dims, live))
    with pytest.raises(SeisfillError, match=r"gather 101 has no live traces.*skip-empty"):
        seisfill.fill(dead, "linear")
    filled = seisfill.fill(dead, "linear", skip_empty=True)
    assert not filled["filled"].values.any()
    np.testing.assert_array_equal(filled["amplitude"].values, ds["amplitude"].values)
    out = tmp_path / "o.sgy"
    summary = seisfill.write_segy(filled, out, template=shots.path)
    assert summary.n_filled == 0
    assert filecmp.cmp(shots.path, out, shallow=False)


@pytest.mark.parametrize(
    "chunks",
    [
        pytest.param({"gather": 1}, id="dask"),
        pytest.param(None, id="numpy"),
    ],
)
def test_skip_empty_with_other_gathers_to_fill(shots, tmp_path, chunks):
    ds = seisfill.read_segy(shots.path, chunks=chunks)
    live = ds["live"].values.copy()
    live[1] = False
    live[0, 5] = False
    dead = ds.assign(live=(ds["live"].dims, live))
    filled = seisfill.fill(dead, "linear", skip_empty=True)
    assert filled["filled"].values.sum() == 1 and filled["filled"].values[0, 5]
    np.testing.assert_array_equal(filled["amplitude"].values[1], ds["amplitude"].values[1])
    out = tmp_path / "o.sgy"
    summary = seisfill.write_segy(filled, out, template=shots.path)
    assert summary.n_filled == 1
    _, before = _traces(shots.path)
    _, after = _traces(out)
    assert np.flatnonzero((before != after).any(axis=1)).tolist() == [5]


# ---------------------------------------------------------------------------
# failures: clear errors, input untouched, nothing left behind
# ---------------------------------------------------------------------------


def test_output_equal_to_input_is_refused(shots, tmp_path):
    ds = seisfill.read_segy(shots.path)
    original = shots.path.read_bytes()
    listing = _files(tmp_path)
    for kwargs in ({"template": shots.path}, {}, {"template": str(shots.path)}):
        with pytest.raises(SeisfillError, match="output path equals the input"):
            seisfill.write_segy(ds, shots.path, **kwargs)
    with pytest.raises(SeisfillError, match="output path equals the input"):
        seisfill.write_segy(ds, tmp_path / "." / "shots.sgy")
    link = tmp_path / "link.sgy"
    link.symlink_to(shots.path)
    with pytest.raises(SeisfillError, match="output path equals the input"):
        seisfill.write_segy(ds, link)
    link.unlink()
    assert shots.path.read_bytes() == original
    assert _files(tmp_path) == listing


def test_template_mismatch_is_refused(shots, tmp_path):
    ds = seisfill.read_segy(shots.path)
    (tmp_path / "other").mkdir()
    others = [
        (make_shots(tmp_path / "other" / "ns.sgy", n_samples=30), "30/40 samples"),
        (make_shots(tmp_path / "other" / "fmt.sgy", fmt=1), "format 1/5"),
        (make_shots(tmp_path / "other" / "le.sgy", endian="little"), "little/big endian"),
        (make_shots(tmp_path / "other" / "n.sgy", n_shots=2), "template has 24 traces"),
    ]
    listing = _files(tmp_path)
    for other, match in others:
        with pytest.raises(SeisfillError, match=match):
            seisfill.write_segy(ds, tmp_path / "out.sgy", template=other.path)
    assert _files(tmp_path) == listing


def test_failed_write_leaves_nothing_behind(shots, tmp_path):
    ds = seisfill.read_segy(shots.path)
    live = ds["live"].values.copy()
    live[2, 9] = False
    filled = seisfill.fill(ds.assign(live=(ds["live"].dims, live)), "linear")
    amp = filled["amplitude"].values.copy()
    amp[2, 9, 17] = np.nan
    broken = filled.assign(amplitude=(filled["amplitude"].dims, amp))
    listing = _files(tmp_path)
    for template in (shots.path, None):
        # chunks of one trace: the failure comes after part of the file is written
        with pytest.raises(SeisfillError, match="NaN or Inf"):
            seisfill.write_segy(broken, tmp_path / "out.sgy", template=template, chunk_bytes=1)
        assert _files(tmp_path) == listing

    with pytest.raises(SeisfillError, match="does not exist"):
        seisfill.write_segy(ds, tmp_path / "missing" / "out.sgy")
    with pytest.raises(SeisfillError, match="not a seisfill dataset"):
        seisfill.write_segy(xr.Dataset({"x": ("a", [1.0])}), tmp_path / "out.sgy")
    no_attrs = ds.copy()
    no_attrs.attrs = {k: v for k, v in ds.attrs.items() if k != "segy_textual_header"}
    with pytest.raises(SeisfillError, match="pass template"):
        seisfill.write_segy(no_attrs, tmp_path / "out.sgy")
    assert _files(tmp_path) == listing


def test_nan_in_an_unfilled_float_trace_is_copied(tmp_path):
    sf = make_shots(tmp_path / "n.sgy", fmt=5, dead={4: "nan"})
    with pytest.warns(UserWarning, match="NaN"):
        ds = seisfill.read_segy(sf.path)
    for template in (sf.path, None):
        out = tmp_path / f"o{template is None}.sgy"
        seisfill.write_segy(ds, out, template=template)
        assert filecmp.cmp(sf.path, out, shallow=False)
    filled = seisfill.fill(ds, "linear")
    out = tmp_path / "filled.sgy"
    seisfill.write_segy(filled, out, template=sf.path)
    _, after = _traces(out)
    assert np.isfinite(after[4, 240:].copy().view(">f4")).all()
    assert names.FILLED in filled and filled["filled"].values.sum() == 1


# ---------------------------------------------------------------------------
# SEG-Y rev 2 trace header extensions, 3-byte samples, garbage geometry
# ---------------------------------------------------------------------------


def _rev2_cube(tmp_path, fmt=1):
    """A rev 2 cube (2 trace header extensions, variable extended text) with nodes (2, 3) and (0, 0)
    missing and file traces 4 (zero) and 9 (flagged) dead."""
    src = make_cube(tmp_path / "c.sgy", missing=[(2, 3), (0, 0)], fmt=fmt)
    blob = bytearray(src.path.read_bytes())
    lay = open_layout(src.path)
    traces = np.frombuffer(blob, np.uint8, offset=lay.data_offset).reshape(lay.n_traces, lay.trace_size).copy()
    traces[4, 240:] = 0
    traces[9, 28:30] = np.frombuffer((2).to_bytes(2, "big"), np.uint8)
    src.path.write_bytes(bytes(blob[: lay.data_offset]) + traces.tobytes())
    rev2 = tmp_path / "rev2.sgy"
    return rev2, make_rev2(src.path, rev2, n_trace_ext=2)


def test_rev2_round_trip_is_byte_identical(tmp_path):
    rev2, _ = _rev2_cube(tmp_path)
    for read in (dict(), dict(lazy=True), dict(chunks={"inline": 2})):
        ds = seisfill.read_segy(rev2, **read)
        for template in (rev2, None):
            out = tmp_path / f"out_{template is None}.sgy"
            summary = seisfill.write_segy(ds, out, template=template, sidecar=False)
            assert summary.n_traces == 28
            assert filecmp.cmp(rev2, out, shallow=False), (read, template)


@pytest.mark.parametrize("use_template", [True, False])
def test_fill_rev2_changes_only_the_filled_traces(tmp_path, use_template):
    rev2, ext = _rev2_cube(tmp_path)
    ds = seisfill.read_segy(rev2)
    filled = seisfill.fill(ds, "linear")
    out = tmp_path / "filled.sgy"
    summary = seisfill.write_segy(filled, out, template=rev2 if use_template else None)
    assert (summary.n_traces, summary.n_filled, summary.n_inserted) == (30, 2, 2)
    lay, before = _traces(rev2)
    lay_out, after = _traces(out)
    assert (lay_out.n_trace_ext, lay_out.n_traces) == (2, 30)
    assert rev2.read_bytes()[: lay.data_offset] == out.read_bytes()[: lay_out.data_offset]
    # node (0, 0) goes first, node (2, 3) after node (2, 2), file trace 13
    inserted = [0, 15]
    kept = np.delete(after, inserted, axis=0)
    changed = kept != before
    assert np.flatnonzero(changed.any(axis=1)).tolist() == [4, 9]
    allowed = np.zeros(lay.trace_size, bool)
    allowed[[28, 29, 232, 233, 234, 235]] = True  # trid, flag word
    allowed[lay.header_size :] = True  # samples, after the extensions
    assert not changed[:, ~allowed].any()
    np.testing.assert_array_equal(kept[:, 240:720], ext)  # every extension where it was
    # inserted traces carry the extensions of the trace they follow (the next one when first)
    np.testing.assert_array_equal(after[0, 240:720], ext[0])
    np.testing.assert_array_equal(after[15, 240:720], ext[13])
    words = parse_trace_headers(after[:, :240], "big", ["INLINE_3D", "CROSSLINE_3D", "UnassignedInt1", "trid"])
    np.testing.assert_array_equal(words["INLINE_3D"], np.repeat(np.arange(101, 106), 6))
    np.testing.assert_array_equal(words["CROSSLINE_3D"], np.tile(np.arange(201, 207), 5))
    assert np.flatnonzero(words["UnassignedInt1"]).tolist() == [0, 5, 10, 15]
    assert (words["TraceIdentificationCode"] == 1).all()
    # the samples are the filled ones, encoded after the extensions
    g, t = np.nonzero(filled["filled"].values)
    values = filled["amplitude"].values[g, t]
    np.testing.assert_array_equal(after[[0, 5, 10, 15], 720:], encode_samples(values, 1, "big"))


def test_cli_fill_of_a_rev2_file_changes_only_the_filled_traces(tmp_path, capsys):
    from seisfill.cli import main

    rev2, ext = _rev2_cube(tmp_path, fmt=5)
    out = tmp_path / "filled.sgy"
    assert main(["fill", str(rev2), str(out), "--method", "linear", "--no-progress"]) == 0
    lay, before = _traces(rev2)
    _, after = _traces(out)
    kept = np.delete(after, [0, 15], axis=0)
    assert np.flatnonzero((kept != before).any(axis=1)).tolist() == [4, 9]
    assert not (kept != before)[:, :lay.header_size][:, np.r_[0:28, 30:232, 236:720]].any()
    np.testing.assert_array_equal(after[[0, 15], 240:720], ext[[0, 13]])


@pytest.mark.parametrize("endian", ["big", "little"])
@pytest.mark.parametrize("fmt", [7, 15])
def test_fill_three_byte_formats(tmp_path, fmt, endian):
    sf = make_shots(tmp_path / "s.sgy", fmt=fmt, endian=endian, dead={3: "zero", 20: "constant"})
    ds = seisfill.read_segy(sf.path)
    filled = seisfill.fill(ds, "linear")
    out = tmp_path / "o.sgy"
    assert seisfill.write_segy(filled, out, template=sf.path).n_filled == 2
    lay, before = _traces(sf.path)
    _, after = _traces(out)
    changed = before != after
    assert np.flatnonzero(changed.any(axis=1)).tolist() == [3, 20]
    assert not changed[:, ~_allowed_bytes(lay.trace_size)].any()
    values = filled["amplitude"].values[[0, 1], [3, 8]].astype(np.float64)
    decoded = decode_samples(after[[3, 20], 240:], fmt, endian)
    np.testing.assert_array_equal(decoded, np.rint(values))  # rounded to the nearest integer
    assert np.abs(decoded - values).max() <= 0.5


def test_fill_of_garbage_geometry_inserts_nothing(tmp_path):
    # segyio's long.sgy was taken as a 3 x 3 cube and got 6 invented traces of 60,000 samples
    sf = make_garbage_geometry(tmp_path / "long.sgy")
    with pytest.warns(UserWarning, match="--cube"):
        ds = seisfill.read_segy(sf.path)
    out = tmp_path / "o.sgy"
    summary = seisfill.write_segy(seisfill.fill(ds, "linear"), out, template=sf.path)
    assert (summary.n_traces, summary.n_filled, summary.n_inserted) == (3, 0, 0)
    assert filecmp.cmp(sf.path, out, shallow=False)


@pytest.mark.parametrize("mask", UMASKS)
def test_output_and_sidecar_get_the_permissions_of_a_normal_write(shots, tmp_path, mask):
    """Not the temporary file's private 0600: 0666 less the umask, as any program's output."""
    out = tmp_path / "out" / "o.sgy"
    out.parent.mkdir()
    ds = decimate_dataset(seisfill.read_segy(shots.path), "random50", seed=0)
    with umask(mask):
        summary = seisfill.write_segy(seisfill.fill(ds, "linear"), out, template=shots.path)
    assert summary.n_filled > 0 and _files(out.parent) == ["o.sgy", "o.sgy.seisfill.json"]
    assert modes(out, out.with_name("o.sgy.seisfill.json")) == {"file": {expected(mask)["file"]}}
