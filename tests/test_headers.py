"""Tests for seisfill.io.headers: header word names, parsing, writing and scalars."""

from __future__ import annotations

import numpy as np
import pytest
import segyio
from segy_factory import make_shots, real_file, real_file_params

import seisfill
from seisfill.errors import SeisfillError
from seisfill.io.headers import (
    FIELD_SIZE,
    TRACE_FIELDS,
    parse_trace_headers,
    resolve_field,
    scaled_coordinates,
    set_trace_field,
    trace_header_dtype,
)
from seisfill.io.layout import TraceReader, open_layout


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("FieldRecord", "FieldRecord"),
        ("fieldrecord", "FieldRecord"),
        ("fldr", "FieldRecord"),
        (" FLDR ", "FieldRecord"),
        ("tracf", "TraceNumber"),
        ("channel", "TraceNumber"),
        ("cdp", "CDP"),
        ("offset", "offset"),
        ("iline", "INLINE_3D"),
        ("xl", "CROSSLINE_3D"),
        ("scalco", "SourceGroupScalar"),
        (189, "INLINE_3D"),
        ("9", "FieldRecord"),
        (np.int64(21), "CDP"),
        (233, "UnassignedInt1"),
    ],
)
def test_resolve_field(key, name):
    assert resolve_field(key) == name


@pytest.mark.parametrize(("key", "match"), [("bogus", "unknown trace-header key 'bogus'"), (10, "no trace-header word starts at byte 10")])
def test_resolve_field_errors(key, match):
    with pytest.raises(SeisfillError, match=match):
        resolve_field(key)


def test_field_table_matches_segyio():
    assert len(TRACE_FIELDS) == 91
    assert TRACE_FIELDS["FieldRecord"] == 9 and FIELD_SIZE["FieldRecord"] == 4
    assert TRACE_FIELDS["TraceIdentificationCode"] == 29 and FIELD_SIZE["TraceIdentificationCode"] == 2
    assert TRACE_FIELDS["UnassignedInt1"] == 233 and FIELD_SIZE["UnassignedInt1"] == 4
    assert FIELD_SIZE["UnassignedInt2"] == 4
    # the words tile the 240 bytes
    assert sum(FIELD_SIZE.values()) == 240
    assert trace_header_dtype("big").itemsize == 240


@pytest.mark.parametrize("path", real_file_params())
def test_parse_matches_segyio_on_real_files(path):
    lay = open_layout(path)
    with TraceReader(lay) as reader:
        raw = reader.read_raw(np.arange(lay.n_traces))[:, :240]
    parsed = parse_trace_headers(raw, lay.endian)
    assert set(parsed) == set(TRACE_FIELDS)
    with segyio.open(path, ignore_geometry=True) as f:
        for name, pos in TRACE_FIELDS.items():
            np.testing.assert_array_equal(parsed[name], f.attributes(pos)[:], err_msg=name)


@pytest.mark.parametrize("endian", ["big", "little"])
def test_parse_synthetic_headers(tmp_path, endian):
    sf = make_shots(tmp_path / "s.sgy", endian=endian)
    lay = open_layout(sf.path)
    with TraceReader(lay) as reader:
        raw = reader.read_raw(np.arange(lay.n_traces))[:, :240]
    parsed = parse_trace_headers(raw, endian, ["fldr", "tracf", "offset", "scalco", "sx"])
    assert set(parsed) == {"FieldRecord", "TraceNumber", "offset", "SourceGroupScalar", "SourceX"}
    for name in parsed:
        np.testing.assert_array_equal(parsed[name], sf.headers[name])
        assert parsed[name].dtype == np.int32


@pytest.mark.parametrize("endian", ["big", "little"])
def test_set_trace_field_round_trip(endian):
    raw = np.zeros((3, 240), dtype=np.uint8)
    set_trace_field(raw, "trid", 2, endian)
    set_trace_field(raw, "UnassignedInt1", np.array([1, -2, 2**31 - 1]), endian)
    set_trace_field(raw, "fldr", np.array([7, 8, 9]), endian)
    parsed = parse_trace_headers(raw, endian)
    np.testing.assert_array_equal(parsed["TraceIdentificationCode"], [2, 2, 2])
    np.testing.assert_array_equal(parsed["UnassignedInt1"], [1, -2, 2**31 - 1])
    np.testing.assert_array_equal(parsed["FieldRecord"], [7, 8, 9])
    order = ">" if endian == "big" else "<"
    assert raw[1, 28:30].tobytes() == np.array(2, f"{order}i2").tobytes()
    assert raw[1, 232:236].tobytes() == np.array(-2, f"{order}i4").tobytes()
    # untouched bytes stay zero
    touched = np.zeros(240, bool)
    touched[[*range(28, 30), *range(232, 236), *range(8, 12)]] = True
    assert not raw[:, ~touched].any()


def test_set_trace_field_range_error():
    raw = np.zeros((2, 240), dtype=np.uint8)
    with pytest.raises(SeisfillError, match="out of range for the 2-byte header word TraceIdentificationCode"):
        set_trace_field(raw, "trid", 40000, "big")
    with pytest.raises(SeisfillError, match="out of range"):
        set_trace_field(raw, "fldr", 2**31, "big")
    assert not raw.any()


def test_scaled_coordinates_rules():
    headers = {
        "SourceX": np.array([12345, 12345, 12345, 12345]),
        "GroupX": np.array([10, 10, 10, 10]),
        "SourceGroupScalar": np.array([-100, 100, 0, 1]),
        "ReceiverGroupElevation": np.array([55, 55, 55, 55]),
        "ElevationScalar": np.array([-10, 10, 0, -1]),
    }
    scaled = scaled_coordinates(headers)
    np.testing.assert_allclose(scaled["SourceX"], [123.45, 1234500.0, 12345.0, 12345.0])
    np.testing.assert_allclose(scaled["GroupX"], [0.1, 1000.0, 10.0, 10.0])
    np.testing.assert_allclose(scaled["ReceiverGroupElevation"], [5.5, 550.0, 55.0, 55.0])
    assert set(scaled) == {"SourceX", "GroupX", "ReceiverGroupElevation"}


@pytest.mark.parametrize("scalar", [-100, 10, 0])
def test_dataset_coordinates_are_scaled(tmp_path, scalar):
    sf = make_shots(tmp_path / "s.sgy", scalar=scalar)
    ds = seisfill.read_segy(sf.path)
    # shot s at x = 1000 + 50 s m; channel c at SourceX - 25 (13 - c) m
    expected_sx = (1000.0 + 50.0 * np.arange(3))[:, None] * np.ones((1, 12))
    offsets = 25.0 * (13 - np.arange(1, 13))
    if scalar > 0:  # stored as value / 10, read back multiplied: the grid is 10 m
        expected_sx = np.round(expected_sx / 10.0) * 10.0
        expected_gx = np.round((expected_sx - offsets) / 10.0) * 10.0
    else:
        expected_gx = expected_sx - offsets
    np.testing.assert_allclose(ds["SourceX"].values, expected_sx)
    np.testing.assert_allclose(ds["GroupX"].values, expected_gx)
    np.testing.assert_allclose(ds["SourceY"].values, 500.0)
    np.testing.assert_allclose(ds["ReceiverGroupElevation"].values, (1200 + 3 * np.arange(1, 13)) / 10.0 * np.ones((3, 1)))
    assert ds["SourceX"].attrs["scaled_by"] == "SourceGroupScalar"
    assert ds["ReceiverGroupElevation"].attrs["scaled_by"] == "ElevationScalar"
    np.testing.assert_array_equal(ds["offset"].values[0], 25 * (13 - np.arange(1, 13)))
    assert ds["offset"].dtype == np.int32


def test_real_coordinates_are_scaled():
    ds = seisfill.read_segy(real_file("f3.sgy"))  # SourceGroupScalar -10
    assert ds["CDP_X"].values[0, 0] == pytest.approx(620197.2)
    assert ds["CDP_X"].values[0, 1] == pytest.approx(620222.2)
    cdp = seisfill.read_segy(real_file("cdp700_land.sgy"))  # scalar 0: unscaled
    assert cdp["SourceX"].values[0, :3].tolist() == [371548.0, 371643.0, 371667.0]
