"""Tests for seisfill.synthetic.survey and .segy_writer: headers, gaps, dead traces, formats."""

from __future__ import annotations

import filecmp

import numpy as np
import pytest
import segyio

from seisfill.errors import SeisfillError
from seisfill.synthetic import (
    COORDINATE_SCALAR,
    ELEVATION_SCALAR,
    iter_synthetic_segy_gathers,
    make_offsets,
    write_synthetic_segy,
)

DT = 0.002
TF = segyio.TraceField


SEGY_ARGS = {"n_gathers": 6, "traces_per_gather": 24, "nt": 250, "dt": DT, "seed": 9}


def test_write_segy_headers_data_and_gaps(tmp_path) -> None:
    path = tmp_path / "a.sgy"
    summary = write_synthetic_segy(path, **SEGY_ARGS, dead_fraction=0.1, drop_fraction=0.05)
    n_slots = 6 * 24
    n_drop = round(0.05 * n_slots)
    assert summary.n_traces == n_slots - n_drop and summary.dropped.shape == (n_drop, 2)
    n_dead = round(0.1 * summary.n_traces)
    assert summary.dead_traces.size == n_dead
    assert summary.dead_flagged.sum() == (n_dead + 1) // 2
    shots = list(iter_synthetic_segy_gathers(**SEGY_ARGS, dead_fraction=0.1, drop_fraction=0.05))
    expected = np.concatenate([s.data for s in shots])
    spread = make_offsets(24, dx=25.0)

    with segyio.open(path, ignore_geometry=True) as f:
        assert f.tracecount == summary.n_traces == expected.shape[0]
        assert f.bin[segyio.BinField.Samples] == 250 and f.bin[segyio.BinField.Interval] == 2000
        assert f.bin[segyio.BinField.Format] == 5
        assert (
            "SYNTHETIC" in f.text[0].decode("ascii", "replace") and "SEED 9" in f.text[0].decode()
        )
        data = f.trace.raw[:]
        h = {
            name: f.attributes(getattr(TF, name))[:]
            for name in (
                "TRACE_SEQUENCE_LINE",
                "FieldRecord",
                "TraceNumber",
                "offset",
                "TraceIdentificationCode",
                "SourceX",
                "GroupX",
                "SourceY",
                "SourceGroupScalar",
                "ElevationScalar",
                "ReceiverGroupElevation",
                "CDP",
                "TRACE_SAMPLE_COUNT",
                "TRACE_SAMPLE_INTERVAL",
            )
        }

    np.testing.assert_array_equal(data, expected)  # what was generated is what was written
    np.testing.assert_array_equal(h["TRACE_SEQUENCE_LINE"], np.arange(1, summary.n_traces + 1))
    assert np.all(h["TRACE_SAMPLE_COUNT"] == 250) and np.all(h["TRACE_SAMPLE_INTERVAL"] == 2000)
    # offsets equal the spread's, and the scaled coordinates agree with them
    np.testing.assert_array_equal(h["offset"], spread[h["TraceNumber"] - 1])
    assert COORDINATE_SCALAR == -100 and np.all(h["SourceGroupScalar"] == COORDINATE_SCALAR)
    np.testing.assert_allclose((h["GroupX"] - h["SourceX"]) / 100.0, h["offset"])
    assert np.all(h["SourceY"] / 100.0 == 6_200_000.0)
    assert np.all(h["ElevationScalar"] == ELEVATION_SCALAR)
    assert (
        40.0
        < (h["ReceiverGroupElevation"] / 100.0).min()
        < (h["ReceiverGroupElevation"] / 100.0).max()
        < 250.0
    )
    # shots step along the line, and CDPs are midpoint bins
    src = h["SourceX"][np.unique(h["FieldRecord"], return_index=True)[1]] / 100.0
    np.testing.assert_allclose(np.diff(src), 50.0)
    mid = (h["SourceX"] + h["GroupX"]) / 200.0
    np.testing.assert_allclose(
        np.diff(mid[np.argsort(h["CDP"])])[np.diff(np.sort(h["CDP"])) == 1], 12.5
    )
    # dead traces: all zero; the flagged half has code 2, the rest code 1
    assert not np.any(data[summary.dead_traces])
    np.testing.assert_array_equal(h["TraceIdentificationCode"][summary.dead_flagged_traces], 2)
    live_code = np.delete(h["TraceIdentificationCode"], summary.dead_flagged_traces)
    assert np.all(live_code == 1) and summary.dead_unflagged_traces.size == n_dead // 2
    live = np.delete(np.arange(summary.n_traces), summary.dead_traces)
    assert np.all(np.abs(data[live]).max(axis=1) > 0)
    # dropped slots leave gaps in TraceNumber, exactly where reported
    ffid0 = h["FieldRecord"].min()
    for g in range(6):
        present = set(h["TraceNumber"][h["FieldRecord"] == ffid0 + g].tolist())
        missing = set(summary.dropped[summary.dropped[:, 0] == g, 1].tolist())
        assert present | missing == set(range(1, 25)) and not present & missing


def test_write_segy_is_byte_deterministic(tmp_path) -> None:
    a = write_synthetic_segy(tmp_path / "a.sgy", **SEGY_ARGS, dead_fraction=0.05)
    b = write_synthetic_segy(tmp_path / "b.sgy", **SEGY_ARGS, dead_fraction=0.05)
    c = write_synthetic_segy(tmp_path / "c.sgy", **{**SEGY_ARGS, "seed": 10}, dead_fraction=0.05)
    assert filecmp.cmp(a.path, b.path, shallow=False)
    assert not filecmp.cmp(a.path, c.path, shallow=False)
    assert a.bytes == 3600 + a.n_traces * (240 + 4 * 250)


@pytest.mark.parametrize(("fmt", "endian"), [(1, "little"), (3, "big"), (2, "little"), (8, "big")])
def test_write_segy_other_formats(tmp_path, fmt: int, endian: str) -> None:
    path = tmp_path / "f.sgy"
    s = write_synthetic_segy(
        path, 3, 16, 200, 0.004, 4, sample_format=fmt, endian=endian, dead_fraction=0.1
    )
    expected = np.concatenate(
        [
            g.data
            for g in iter_synthetic_segy_gathers(
                3, 16, 200, 0.004, 4, sample_format=fmt, dead_fraction=0.1
            )
        ]
    )
    with segyio.open(path, ignore_geometry=True, endian=endian) as f:
        assert f.bin[segyio.BinField.Format] == fmt
        data = f.trace.raw[:].astype(np.float32)
        assert f.header[0][TF.TRACE_SAMPLE_INTERVAL] == 4000
    if fmt == 1:  # IBM float holds 21-24 mantissa bits
        assert s.int_scale is None
        np.testing.assert_allclose(data, expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max())
    else:
        assert s.int_scale is not None and np.all(expected == np.rint(expected))
        np.testing.assert_array_equal(data, expected)
        assert np.abs(expected).max() > 0.2 * np.iinfo(
            {2: np.int32, 3: np.int16, 8: np.int8}[fmt]
        ).max / (1 if fmt != 2 else 2**31 / 2**23)


def test_write_segy_rejects_bad_options(tmp_path) -> None:
    with pytest.raises(SeisfillError):
        write_synthetic_segy(tmp_path / "x.sgy", 2, 8, 100, DT, sample_format=4)
    with pytest.raises(SeisfillError):
        write_synthetic_segy(tmp_path / "x.sgy", 2, 8, 100, DT, dead_fraction=1.0)
    with pytest.raises(SeisfillError):
        write_synthetic_segy(tmp_path / "x.sgy", 2, 8, 100, 0.0020005)
    with pytest.raises(SeisfillError):
        write_synthetic_segy(tmp_path / "x.sgy", 2, 8, 100, DT, endian="middle")  # type: ignore[arg-type]
