"""Tests for seisfill.read_segy: samples, dead traces, lazy reading, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import segyio
import xarray as xr
from segy_factory import EXT_HEADER_TEXT, make_rev2, make_shots, real_file_params, write_traces

import seisfill
from seisfill.errors import SeisfillError
from seisfill.io import dataset as names
from seisfill.io.formats import decode_samples
from seisfill.io.layout import TraceReader, open_layout
from seisfill.masks import DeadReason

ALL_FORMATS = (1, 2, 3, 5, 6, 8, 9, 10, 11, 12, 16)


def _present(ds):
    ti = ds["trace_index"].values
    return ti >= 0, ti


@pytest.mark.parametrize("path", real_file_params())
def test_live_samples_bit_identical_on_real_files(path):
    ds = seisfill.read_segy(path)
    present, ti = _present(ds)
    assert present.sum() == ds.attrs["segy_n_traces"]
    amp = ds["amplitude"].values[present]
    with segyio.open(path, ignore_geometry=True) as f:
        raw = f.trace.raw[:]
    lay = open_layout(path)
    if lay.format == 1:
        with TraceReader(lay) as reader:
            words = reader.read_raw(np.arange(lay.n_traces))[:, 240:]
        expected = decode_samples(words, 1, "big")[ti[present]]
        np.testing.assert_array_equal(amp.view(np.uint32), expected.view(np.uint32))
        # segyio's own IBM conversion agrees on these (canonical) words
        np.testing.assert_array_equal(amp, raw[ti[present]])
    else:
        expected = raw[ti[present]].astype(np.float32)
        np.testing.assert_array_equal(amp, expected)
        if raw.dtype == np.float32:
            np.testing.assert_array_equal(amp.view(np.uint32), expected.view(np.uint32))
    assert amp.dtype == np.float32


@pytest.mark.parametrize("endian", ["big", "little"])
@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_samples_of_every_format(tmp_path, fmt, endian):
    sf = make_shots(tmp_path / "s.sgy", fmt=fmt, endian=endian, n_shots=2)
    ds = seisfill.read_segy(sf.path)
    assert ds.attrs["segy_format"] == fmt
    assert ds.attrs["segy_endian"] == endian
    assert ds["amplitude"].dtype == np.float32
    np.testing.assert_array_equal(ds["amplitude"].values.reshape(24, -1), sf.data.astype(np.float32))
    with segyio.open(sf.path, ignore_geometry=True, endian=endian) as f:
        np.testing.assert_array_equal(ds["amplitude"].values.reshape(24, -1), f.trace.raw[:].astype(np.float32))
    assert ds["live"].values.all()


def test_dataset_layout_and_attrs(tmp_path):
    sf = make_shots(tmp_path / "s.sgy", ext_headers=1)
    ds = seisfill.read_segy(sf.path)
    assert ds["amplitude"].dims == ("gather", "trace", "time")
    assert ds["trace_header"].dims == ("gather", "trace", "header_byte")
    assert ds["trace_header"].dtype == np.uint8
    assert ds["trace_index"].dtype == np.int64
    assert ds["dead_reason"].dtype == np.uint8
    assert ds.attrs["segy_n_traces"] == 36
    assert ds.attrs["dt_ms"] == 4.0
    assert ds.attrs["segy_source"] == str(sf.path)
    blob = sf.path.read_bytes()
    assert names.decode_bytes(ds.attrs["segy_textual_header"]) == blob[:3200]
    assert names.decode_bytes(ds.attrs["segy_binary_header"]) == blob[3200:3600]
    assert names.decode_bytes(ds.attrs["segy_extended_headers"]).decode("cp037") == EXT_HEADER_TEXT  # segyio writes EBCDIC
    assert names.textual_header_text(ds).splitlines()[0] == "C 1 seisfill synthetic test file"
    # raw headers are the file's bytes
    first = np.frombuffer(blob[6800 : 6800 + 240], np.uint8)
    np.testing.assert_array_equal(ds["trace_header"].values[0, 0], first)
    np.testing.assert_array_equal(ds["time"].values, 4.0 * np.arange(40))


def test_dead_trace_detection(tmp_path):
    dead = {1: "flagged", 5: "zero", 14: "constant", 30: "nan", 33: "zero"}
    sf = make_shots(tmp_path / "d.sgy", fmt=5, dead=dead)
    with pytest.warns(UserWarning, match=r"1 trace\(s\) hold NaN or Inf samples .*file trace indices 30"):
        ds = seisfill.read_segy(sf.path)
    reasons = ds["dead_reason"].values.reshape(-1)
    expected = np.zeros(36, np.uint8)
    expected[1] = DeadReason.FLAGGED
    expected[5] = expected[33] = DeadReason.ZERO
    expected[14] = DeadReason.CONSTANT
    expected[30] = DeadReason.NONFINITE
    np.testing.assert_array_equal(reasons, expected)
    np.testing.assert_array_equal(ds["live"].values.reshape(-1), expected == 0)
    # dead traces keep their samples (trid-2 trace is not zeroed)
    np.testing.assert_array_equal(ds["amplitude"].values[0, 1], sf.data[1])
    assert np.isnan(ds["amplitude"].values[2, 6, 20:]).all()
    assert ds["TraceIdentificationCode"].values[0, 1] == 2


def test_flagged_and_zero_bits_combine(tmp_path):
    data = np.ones((4, 10), np.float32) * np.arange(1, 5)[:, None] * np.linspace(1, 2, 10)
    data[2] = 0
    path = write_traces(tmp_path / "z.sgy", data, {"TraceNumber": [1, 2, 3, 4], "TraceIdentificationCode": [1, 3, 2, 1]})
    ds = seisfill.read_segy(path)
    np.testing.assert_array_equal(ds["dead_reason"].values[0], [0, DeadReason.FLAGGED, DeadReason.FLAGGED | DeadReason.ZERO, 0])


def test_integer_constant_and_zero_traces(tmp_path):
    sf = make_shots(tmp_path / "i.sgy", fmt=3, dead={0: "constant", 35: "zero"})
    ds = seisfill.read_segy(sf.path)
    assert ds["dead_reason"].values[0, 0] == DeadReason.CONSTANT
    assert ds["dead_reason"].values[2, 11] == DeadReason.ZERO
    assert ds["live"].values.sum() == 34


def test_rms_outlier_option(tmp_path):
    sf = make_shots(tmp_path / "o.sgy", fmt=5, n_shots=2)
    data = sf.data.copy()
    data[7] *= 50.0  # a hot trace in shot 0
    data[15] *= 0.01  # a weak one in shot 1
    path = write_traces(tmp_path / "hot.sgy", data, sf.headers)
    plain = seisfill.read_segy(path)
    assert plain["live"].values.all()
    ds = seisfill.read_segy(path, rms_outlier=5.0)
    expected = np.zeros((2, 12), bool)
    expected[0, 7] = expected[1, 3] = True
    np.testing.assert_array_equal(ds["dead_reason"].values == DeadReason.RMS_OUTLIER, expected)
    np.testing.assert_array_equal(ds["live"].values, ~expected)
    lazy = seisfill.read_segy(path, rms_outlier=5.0, lazy=True)
    np.testing.assert_array_equal(lazy["dead_reason"].values, ds["dead_reason"].values)


# ---------------------------------------------------------------------------
# lazy and dask
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [1, 3])
def test_lazy_and_dask_equal_eager(tmp_path, fmt):
    sf = make_shots(tmp_path / "s.sgy", fmt=fmt, endian="little", counts=[12, 9, 11], shuffle_within=True)
    eager = seisfill.read_segy(sf.path)
    lazy = seisfill.read_segy(sf.path, lazy=True)
    chunked = seisfill.read_segy(sf.path, chunks={"gather": 1})
    auto = seisfill.read_segy(sf.path, chunks="auto")
    assert chunked["amplitude"].chunks == ((1, 1, 1), (12,), (40,))
    assert auto["amplitude"].chunks[0] == (1, 1, 1)
    for other in (lazy, chunked, auto):
        xr.testing.assert_identical(other.load(), eager)
    np.testing.assert_array_equal(eager["amplitude"].values[0].view(np.uint32),
                                  lazy["amplitude"].values[0].view(np.uint32))


@pytest.mark.parametrize(
    "indexers",
    [
        {"gather": 1},
        {"gather": -1, "trace": -2},
        {"trace": 5},
        {"gather": slice(0, 2), "trace": [3, 1, 7]},
        {"gather": [2, 0], "time": slice(5, 9)},
        {"trace": slice(None, None, -2), "time": 3},
        {"gather": np.array([0, 2, 2]), "trace": slice(8, 12)},
        {"gather": xr.DataArray([0, 2, 1], dims="k"), "trace": xr.DataArray([3, 10, 11], dims="k")},
    ],
)
def test_lazy_indexing_subsets(tmp_path, indexers):
    sf = make_shots(tmp_path / "s.sgy", fmt=1, counts=[12, 9, 11])
    eager = seisfill.read_segy(sf.path)
    lazy = seisfill.read_segy(sf.path, lazy=True)
    chunked = seisfill.read_segy(sf.path, chunks={"gather": 1})
    want = eager["amplitude"].isel(indexers).values
    np.testing.assert_array_equal(lazy["amplitude"].isel(indexers).values, want)
    np.testing.assert_array_equal(chunked["amplitude"].isel(indexers).values, want)


def test_lazy_cube_reads_missing_node_as_zeros(cube):
    eager = seisfill.read_segy(cube.path)
    lazy = seisfill.read_segy(cube.path, lazy=True)
    np.testing.assert_array_equal(lazy["amplitude"].isel(inline=2).values, eager["amplitude"].values[2])
    assert (lazy["amplitude"].values[2, 3] == 0).all()
    xr.testing.assert_identical(lazy.load(), eager)


def test_lazy_read_does_not_keep_all_samples(tmp_path, monkeypatch):
    sf = make_shots(tmp_path / "s.sgy")
    calls = []
    original = TraceReader.read_raw

    def spy(self, indices):
        calls.append(np.asarray(indices).copy())
        return original(self, indices)

    monkeypatch.setattr(TraceReader, "read_raw", spy)
    lazy = seisfill.read_segy(sf.path, lazy=True)
    assert calls == []  # the scan walks chunks with read_range, no sample reads yet
    got = lazy["amplitude"].isel(gather=1).values
    assert len(calls) == 1
    np.testing.assert_array_equal(calls[0], np.arange(12, 24))
    np.testing.assert_array_equal(got, sf.data[12:24])


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


def test_bad_inputs(tmp_path, shots):
    empty = tmp_path / "empty.sgy"
    empty.write_bytes(b"")
    with pytest.raises(SeisfillError, match="empty file"):
        seisfill.read_segy(empty)

    noise = tmp_path / "noise.sgy"
    noise.write_bytes(np.random.default_rng(0).integers(0, 256, 20000, dtype=np.uint8).tobytes())
    with pytest.raises(SeisfillError, match="not a SEG-Y file"):
        seisfill.read_segy(noise)

    text = tmp_path / "notes.sgy"
    text.write_text("this is a text file, not seismic data\n" * 200)
    with pytest.raises(SeisfillError, match="not a SEG-Y file"):
        seisfill.read_segy(text)

    short = tmp_path / "short.sgy"
    short.write_text("hello\n")
    with pytest.raises(SeisfillError, match="too short"):
        seisfill.read_segy(short)

    cut = tmp_path / "cut.sgy"
    cut.write_bytes(shots.path.read_bytes()[: 3600 + 400 * 7 + 123])
    with pytest.raises(SeisfillError, match="truncated"):
        seisfill.read_segy(cut)

    with pytest.raises(SeisfillError, match="no such file"):
        seisfill.read_segy(tmp_path / "nope.sgy")
    with pytest.raises(SeisfillError, match="directory"):
        seisfill.read_segy(tmp_path)
    with pytest.raises(SeisfillError, match="unknown trace-header key 'bogus'"):
        seisfill.read_segy(shots.path, key="bogus")
    with pytest.raises(SeisfillError, match="unknown trace-header key 'nope'"):
        seisfill.read_segy(shots.path, sort="nope")


def test_no_warning_on_clean_file(shots):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seisfill.read_segy(shots.path)


@pytest.mark.parametrize("which", ["shots", "cube"])
def test_geometry_headers_only_give_the_same_layout_and_masks(request, which):
    """headers="geometry": same gathers, masks and trace numbers; no raw headers or header coordinates."""
    src = request.getfixturevalue(which)
    full = seisfill.read_segy(src.path, lazy=True)
    slim = seisfill.read_segy(src.path, lazy=True, headers="geometry")
    assert names.TRACE_HEADER not in slim and names.TRACE_HEADER in full
    for var in (names.LIVE, names.DEAD_REASON, names.TRACE_INDEX, names.PAD):
        assert np.array_equal(slim[var].values, full[var].values), var
    assert slim["amplitude"].dims == full["amplitude"].dims
    assert np.array_equal(slim["amplitude"].values, full["amplitude"].values)
    assert set(slim.coords) < set(full.coords)
    with pytest.raises(SeisfillError, match="lazy=True or chunks"):
        seisfill.read_segy(src.path, headers="geometry")
    with pytest.raises(SeisfillError, match="'all' or 'geometry'"):
        seisfill.read_segy(src.path, lazy=True, headers="some")


def test_geometry_scan_keeps_a_few_bytes_per_trace(tmp_path):
    """The plan of a streaming fill holds ~12 bytes per trace, not the 240-byte headers and their coordinates."""
    import tracemalloc

    sf = make_shots(tmp_path / "many.sgy", n_shots=200, n_channels=250, n_samples=4)
    n = 200 * 250
    per_trace = {}
    for mode in ("all", "geometry"):
        seisfill.read_segy(sf.path, lazy=True, headers=mode)  # warm: imports, caches
        tracemalloc.start()
        ds = seisfill.read_segy(sf.path, lazy=True, headers=mode)
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        per_trace[mode] = (held / n, peak / n)
        del ds
    assert per_trace["all"][0] > 240  # the raw headers alone
    assert per_trace["geometry"][0] < 40, per_trace
    # the transient peak (sorting the geometry words into gathers) is about half the full read's
    assert per_trace["geometry"][1] < 0.6 * per_trace["all"][1], per_trace


# ---------------------------------------------------------------------------
# formats and headers segyio 1.9 does not read: 3-byte integers, SEG-Y rev 2
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("endian", ["big", "little"])
@pytest.mark.parametrize("fmt", [7, 15])
def test_three_byte_samples_read_exactly(tmp_path, fmt, endian):
    sf = make_shots(tmp_path / "s.sgy", fmt=fmt, endian=endian, counts=[12, 9, 11], dead={4: "zero", 7: "constant"})
    ds = seisfill.read_segy(sf.path)
    assert (ds.attrs["segy_format"], ds.attrs["segy_endian"]) == (fmt, endian)
    present, ti = _present(ds)
    amp = ds["amplitude"].values[present]
    assert amp.dtype == np.float32
    # 24-bit integers are exact in float32: every sample equals the integer written
    np.testing.assert_array_equal(amp.astype(np.int64), sf.data[ti[present]].astype(np.int64))
    assert sf.data.min() < (0 if fmt == 7 else 2**22) and sf.data.max() > 2**22
    assert ds["dead_reason"].values[0, 4] == DeadReason.ZERO and ds["dead_reason"].values[0, 7] == DeadReason.CONSTANT
    for other in (seisfill.read_segy(sf.path, lazy=True), seisfill.read_segy(sf.path, chunks={"gather": 1})):
        xr.testing.assert_identical(other.load(), ds)


@pytest.mark.parametrize("endian", ["big", "little"])
def test_rev2_trace_header_extensions_travel_with_the_headers(tmp_path, endian):
    sf = make_shots(tmp_path / "s.sgy", endian=endian, shuffle_within=True)
    rev2 = tmp_path / "rev2.sgy"
    ext = make_rev2(sf.path, rev2, n_trace_ext=2)
    ds = seisfill.read_segy(rev2)
    assert ds.attrs["segy_trace_extensions"] == 2
    assert "segy_trace_extensions" not in seisfill.read_segy(sf.path).attrs
    assert ds[names.TRACE_HEADER_EXTENSION].dims == ("gather", "trace", "extension_byte")
    assert ds[names.TRACE_HEADER_EXTENSION].shape == (3, 12, 480)
    present, ti = _present(ds)
    np.testing.assert_array_equal(ds[names.TRACE_HEADER_EXTENSION].values[present], ext[ti[present]])
    # the same gathers, header words and samples as the rev 1 file
    rev1 = seisfill.read_segy(sf.path)
    for var in ("amplitude", "live", "trace_index", "trace_header", "TraceNumber", "offset", "SourceX"):
        np.testing.assert_array_equal(ds[var].values, rev1[var].values, err_msg=var)
    blob = rev2.read_bytes()
    assert names.decode_bytes(ds.attrs["segy_extended_headers"]) == blob[3600 : 3600 + 3 * 3200]
    lazy = seisfill.read_segy(rev2, chunks={"gather": 1})
    xr.testing.assert_identical(lazy.load(), ds)
