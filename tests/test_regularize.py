"""Tests for seisfill.regularize: inserting the slots of dropped channels."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from segy_factory import make_shots, real_file

import seisfill
from seisfill.errors import SeisfillError
from seisfill.io.headers import parse_trace_headers
from seisfill.io.layout import open_layout
from seisfill.masks import DeadReason
from seisfill.simulate import decimate_dataset

# channels missing from the file, by shot index; interior gaps only
DROPPED = {0: [3, 4], 2: [7]}
CHANNELS = np.arange(1, 13)


def _traces(path):
    lay = open_layout(path)
    blob = np.frombuffer(path.read_bytes(), np.uint8)
    return blob[lay.data_offset :].reshape(lay.n_traces, lay.trace_size)


@pytest.fixture
def gappy(tmp_path):
    return make_shots(tmp_path / "gappy.sgy", fmt=5, dropped=DROPPED)


def test_inserts_exactly_the_dropped_channels(gappy):
    ds = seisfill.read_segy(gappy.path)
    assert ds["live"].shape == (3, 12)  # shot 1 is complete; others padded
    assert ds["pad"].values.sum() == 3
    reg = seisfill.regularize(ds)
    assert reg.attrs["regularized_on"] == "TraceNumber"
    assert reg["live"].shape == (3, 12)
    np.testing.assert_array_equal(reg["TraceNumber"].values, np.tile(CHANNELS, (3, 1)))
    inserted = np.zeros((3, 12), bool)
    for shot, channels in DROPPED.items():
        inserted[shot, np.asarray(channels) - 1] = True
    np.testing.assert_array_equal(reg["trace_index"].values == -1, inserted)
    np.testing.assert_array_equal(reg["dead_reason"].values, np.where(inserted, DeadReason.MISSING, 0))
    np.testing.assert_array_equal(reg["live"].values, ~inserted)
    assert not reg["pad"].values.any()
    assert (reg["amplitude"].values[inserted] == 0).all()
    # every recorded trace sits at its channel with its samples
    for (fldr, channel), i in gappy.slots.items():
        g, t = fldr - 100, channel - 1
        assert reg["trace_index"].values[g, t] == i
        np.testing.assert_array_equal(reg["amplitude"].values[g, t], gappy.data[i])


def test_inserted_headers_are_interpolated(gappy):
    reg = seisfill.regularize(seisfill.read_segy(gappy.path))
    offsets = 25 * (13 - CHANNELS)
    np.testing.assert_array_equal(reg["offset"].values, np.tile(offsets, (3, 1)))
    source_x = (1000.0 + 50.0 * np.arange(3))[:, None]
    np.testing.assert_allclose(reg["GroupX"].values, source_x - offsets)
    np.testing.assert_allclose(reg["SourceX"].values, np.broadcast_to(source_x, (3, 12)))
    np.testing.assert_array_equal(reg["FieldRecord"].values, np.repeat([[100], [101], [102]], 12, axis=1))
    np.testing.assert_allclose(reg["ReceiverGroupElevation"].values, np.tile((1200 + 3 * CHANNELS) / 10.0, (3, 1)))
    # the raw header of channel 3 of shot 100
    words = parse_trace_headers(reg["trace_header"].values[0, 2][None], "big",
                                ["GroupX", "SourceGroupScalar", "CDP", "TRACE_SEQUENCE_FILE"])
    assert words["GroupX"][0] == round((1000.0 - 250.0) * 100)
    assert words["SourceGroupScalar"][0] == -100
    assert words["CDP"][0] == 3
    assert words["TRACE_SEQUENCE_FILE"][0] == 2  # between file traces 2 and 3 (1-based), rounded half to even


def test_extent_gather_keeps_end_gaps_and_survey_fills_them(tmp_path):
    sf = make_shots(tmp_path / "ends.sgy", dropped={0: [5], 1: [12], 2: [1, 2]})
    ds = seisfill.read_segy(sf.path)
    reg = seisfill.regularize(ds)
    np.testing.assert_array_equal(reg["pad"].values.sum(axis=1), [0, 1, 2])
    np.testing.assert_array_equal((reg["trace_index"].values == -1) & ~reg["pad"].values,
                                  np.eye(3, 12, 4, dtype=bool)[[0, 2, 2]] & [[1], [0], [0]])
    np.testing.assert_array_equal(reg["TraceNumber"].values[2, :10], np.arange(3, 13))

    survey = seisfill.regularize(ds, extent="survey")
    np.testing.assert_array_equal(survey["TraceNumber"].values, np.tile(CHANNELS, (3, 1)))
    assert not survey["pad"].values.any()
    missing = survey["dead_reason"].values == DeadReason.MISSING
    assert [np.flatnonzero(row).tolist() for row in missing] == [[4], [11], [0, 1]]
    # offsets extrapolated beyond the ends of the recorded cable
    np.testing.assert_array_equal(survey["offset"].values, np.tile(25 * (13 - CHANNELS), (3, 1)))
    np.testing.assert_allclose(survey["GroupX"].values[2, :2], 1100.0 - np.array([300.0, 275.0]))


def test_fill_and_write_inserted_traces(tmp_path, gappy):
    ds = seisfill.read_segy(gappy.path)
    filled = seisfill.fill(seisfill.regularize(ds), "linear")
    out = tmp_path / "regular.sgy"
    summary = seisfill.write_segy(filled, out, template=gappy.path)
    n_orig, n_new = gappy.n_traces, 3
    assert (summary.n_traces, summary.n_filled, summary.n_inserted) == (n_orig + n_new, 0, n_new)

    before = _traces(gappy.path)
    after = _traces(out)
    assert after.shape[0] == 36
    # in gather order: shot 100 channels 1..12, 101 1..12, 102 1..12
    words = parse_trace_headers(after[:, :240], "big",
                                ["FieldRecord", "TraceNumber", "offset", "GroupX", "UnassignedInt1", "trid"])
    np.testing.assert_array_equal(words["FieldRecord"], np.repeat([100, 101, 102], 12))
    np.testing.assert_array_equal(words["TraceNumber"], np.tile(CHANNELS, 3))
    np.testing.assert_array_equal(words["offset"], np.tile(25 * (13 - CHANNELS), 3))
    inserted = [2, 3, 24 + 6]
    np.testing.assert_array_equal(np.flatnonzero(words["UnassignedInt1"]), inserted)
    assert (words["UnassignedInt1"][inserted] == 2).all()
    assert (words["TraceIdentificationCode"] == 1).all()
    np.testing.assert_array_equal(words["GroupX"][inserted], [(1000 - 250) * 100, (1000 - 225) * 100, (1100 - 150) * 100])
    # originals byte-identical, in order
    np.testing.assert_array_equal(np.delete(after, inserted, axis=0), before)
    # inserted samples: linear interpolation between the neighbouring channels
    got = after[inserted[0], 240:].copy().view(">f4")
    expected = gappy.data[1] + (gappy.data[2] - gappy.data[1]) / 3.0
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-3)
    record = json.loads((tmp_path / "regular.sgy.seisfill.json").read_text())
    assert record["inserted_output_traces"] == inserted

    # the written file reads back as a complete, live survey
    again = seisfill.read_segy(out)
    assert again["live"].values.all() and again["live"].shape == (3, 12)
    np.testing.assert_array_equal(again["amplitude"].values, filled["amplitude"].values)


def test_fill_and_write_survey_extent_places_end_traces(tmp_path):
    sf = make_shots(tmp_path / "ends.sgy", dropped={1: [12], 2: [1]})
    filled = seisfill.fill(seisfill.regularize(seisfill.read_segy(sf.path), extent="survey"), "linear")
    out = tmp_path / "o.sgy"
    summary = seisfill.write_segy(filled, out, template=sf.path)
    assert summary.n_inserted == 2
    after = _traces(out)
    words = parse_trace_headers(after[:, :240], "big", ["FieldRecord", "TraceNumber", "UnassignedInt1"])
    np.testing.assert_array_equal(words["FieldRecord"], np.repeat([100, 101, 102], 12))
    np.testing.assert_array_equal(words["TraceNumber"], np.tile(CHANNELS, 3))
    np.testing.assert_array_equal(np.flatnonzero(words["UnassignedInt1"]), [23, 24])
    np.testing.assert_array_equal(np.delete(after, [23, 24], axis=0), _traces(sf.path))


def test_regularize_keeps_decimation_and_fill_marks(gappy):
    ds = seisfill.read_segy(gappy.path)
    decimated = decimate_dataset(ds, "regular3", seed=2)
    reg = seisfill.regularize(decimated)
    assert "decimated" in reg
    assert reg["decimated"].attrs == decimated["decimated"].attrs
    ti = reg["trace_index"].values
    # decimated traces keep their mark at their new slot, inserted slots are not decimated
    for (fldr, channel), i in gappy.slots.items():
        g0 = fldr - 100
        t0 = int(np.flatnonzero(ds["trace_index"].values[g0] == i)[0])
        assert reg["decimated"].values[g0, channel - 1] == decimated["decimated"].values[g0, t0]
    assert not reg["decimated"].values[ti == -1].any()
    filled = seisfill.fill(decimated, "linear")
    reg_filled = seisfill.regularize(filled)
    assert reg_filled["filled"].values.sum() == filled["filled"].values.sum()


def test_regularize_is_idempotent_and_lazy_equals_eager(gappy):
    eager = seisfill.regularize(seisfill.read_segy(gappy.path))
    again = seisfill.regularize(eager)
    np.testing.assert_array_equal(again["trace_index"].values, eager["trace_index"].values)
    np.testing.assert_array_equal(again["trace_header"].values, eager["trace_header"].values)
    lazy = seisfill.regularize(seisfill.read_segy(gappy.path, chunks={"gather": 1}))
    xr.testing.assert_identical(lazy.load(), eager)


def test_explicit_key_and_step(gappy):
    ds = seisfill.read_segy(gappy.path)
    by_offset = seisfill.regularize(ds, key="offset")
    # sorted by channel, offsets decrease: not an increasing sequence, left alone
    np.testing.assert_array_equal(by_offset["trace_index"].values, ds["trace_index"].values)
    ds_off = seisfill.read_segy(gappy.path, sort="offset")
    reg = seisfill.regularize(ds_off, key="offset", step=25)
    assert reg.attrs["regularized_on"] == "offset"
    np.testing.assert_array_equal(reg["offset"].values, np.tile(25 * np.arange(1, 13), (3, 1)))
    assert (reg["trace_index"].values == -1).sum() == 3
    coarse = seisfill.regularize(ds, step=2)  # channels not on a lattice of 2: unchanged
    np.testing.assert_array_equal(coarse["trace_index"].values, ds["trace_index"].values)


def test_repeated_key_values_are_left_alone(gappy):
    # one gather of all shots sorted by channel: every channel number repeats
    ds = seisfill.read_segy(gappy.path, key="none", sort="TraceNumber")
    assert ds["live"].shape == (1, 33)
    reg = seisfill.regularize(ds)
    np.testing.assert_array_equal(reg["trace_index"].values, ds["trace_index"].values)
    np.testing.assert_array_equal(reg["trace_header"].values, ds["trace_header"].values)
    np.testing.assert_array_equal(reg["amplitude"].values, ds["amplitude"].values)
    assert reg["live"].values.all()


def test_irregular_real_offsets_are_left_alone():
    ds = seisfill.read_segy(real_file("cdp700_land.sgy"))
    reg = seisfill.regularize(ds)
    np.testing.assert_array_equal(reg["trace_index"].values, ds["trace_index"].values)
    np.testing.assert_array_equal(reg["offset"].values, ds["offset"].values)
    assert reg["live"].values.all()


def test_regularize_errors(gappy, cube):
    ds = seisfill.read_segy(gappy.path)
    with pytest.raises(SeisfillError, match="extent must be"):
        seisfill.regularize(ds, extent="everything")
    with pytest.raises(SeisfillError, match="step must be positive"):
        seisfill.regularize(ds, step=-1)
    with pytest.raises(SeisfillError, match="more than max_insert=1"):
        seisfill.regularize(ds, max_insert=1)
    with pytest.raises(SeisfillError, match="unknown trace-header key"):
        seisfill.regularize(ds, key="nope")
    with pytest.raises(SeisfillError, match="cube"):
        seisfill.regularize(seisfill.read_segy(cube.path))


def test_single_trace_gather_gets_the_lattice_key(tmp_path):
    # shot 101 holds only channel 1: nothing to interpolate from, but the
    # inserted slots must still carry their own channel numbers
    sf = make_shots(tmp_path / "one.sgy", counts=[12, 1, 12])
    reg = seisfill.regularize(seisfill.read_segy(sf.path), extent="survey")
    np.testing.assert_array_equal(reg["TraceNumber"].values, np.tile(CHANNELS, (3, 1)))
    np.testing.assert_array_equal(reg["trace_index"].values[1], [12] + [-1] * 11)
    assert (reg["FieldRecord"].values[1] == 101).all()
    filled = seisfill.fill(reg, "linear")
    out = tmp_path / "o.sgy"
    assert seisfill.write_segy(filled, out, template=sf.path).n_inserted == 11
    words = parse_trace_headers(_traces(out)[:, :240], "big", ["FieldRecord", "TraceNumber"])
    np.testing.assert_array_equal(words["TraceNumber"], np.tile(CHANNELS, 3))
