"""Tests for geometry detection (seisfill.io.geometry) through read_segy."""

from __future__ import annotations

import numpy as np
import pytest
from segy_factory import (
    make_cube,
    make_garbage_geometry,
    make_prestack_3d,
    make_shots,
    real_file,
    write_traces,
)

import seisfill
from seisfill.errors import SeisfillError
from seisfill.io.geometry import detect_index, index_bins, index_cube, index_gathers, nominal_step
from seisfill.masks import DeadReason

# ---------------------------------------------------------------------------
# real files
# ---------------------------------------------------------------------------


def test_cdp700_is_one_cdp_gather_sorted_by_offset():
    ds = seisfill.read_segy(real_file("cdp700_land.sgy"))
    assert ds.attrs["layout"] == "gathers"
    assert (ds.attrs["gather_key"], ds.attrs["sort_key"]) == ("CDP", "offset")
    assert dict(ds[seisfill.io.dataset.LIVE].sizes) == {"gather": 1, "trace": 24}
    assert ds["gather"].values.tolist() == [700]
    offsets = ds["offset"].values[0]
    assert offsets[0] == -2057 and offsets[-1] == 2023
    assert np.all(np.diff(offsets) > 0)
    assert ds["time"].values[[0, 1, -1]].tolist() == [0.0, 2.0, 2198.0]
    assert ds["live"].values.all()


def test_f3_is_a_23_by_18_cube_starting_at_4_ms():
    ds = seisfill.read_segy(real_file("f3.sgy"))
    assert ds.attrs["layout"] == "cube"
    assert ds["amplitude"].dims == ("inline", "crossline", "time")
    assert ds["amplitude"].shape == (23, 18, 75)
    np.testing.assert_array_equal(ds["inline"].values, np.arange(111, 134))
    np.testing.assert_array_equal(ds["crossline"].values, np.arange(875, 893))
    np.testing.assert_array_equal(ds["time"].values, 4.0 + 4.0 * np.arange(75))
    assert ds["time"].attrs["units"] == "ms"
    assert ds["live"].values.all()
    np.testing.assert_array_equal(ds["trace_index"].values, np.arange(414).reshape(23, 18))
    np.testing.assert_array_equal(ds["INLINE_3D"].values[:, 0], np.arange(111, 134))


def test_penobscot_is_one_gather_sorted_by_inline():
    ds = seisfill.read_segy(real_file("penobscot_xl1155.sgy"))
    assert ds.attrs["layout"] == "gathers"
    assert ds.attrs["sort_key"] == "INLINE_3D"
    assert ds["live"].shape == (1, 601)
    np.testing.assert_array_equal(ds["INLINE_3D"].values[0], np.arange(1000, 1601))
    assert (ds["CROSSLINE_3D"].values == 1155).all()
    assert ds.attrs["segy_format"] == 1


def test_qdn_is_one_line_sorted_by_cdp():
    ds = seisfill.read_segy(real_file("qdn_poststack2d.sgy"))
    assert ds.attrs["layout"] == "gathers"
    assert (ds.attrs["gather_key"], ds.attrs["sort_key"]) == ("none", "CDP")
    assert ds["live"].shape == (1, 512)
    np.testing.assert_array_equal(ds["CDP"].values[0], np.arange(1, 513))


def test_real3d_is_a_10_by_100_cube():
    ds = seisfill.read_segy(real_file("real3d_poststack.sgy"))
    assert ds.attrs["layout"] == "cube"
    assert ds["amplitude"].shape == (10, 100, 300)
    np.testing.assert_array_equal(ds["inline"].values, np.arange(1, 11))
    np.testing.assert_array_equal(ds["crossline"].values, np.arange(1, 101))
    assert ds["CDP"].values[9, 99] == 1000
    assert ds["live"].values.all()


def test_forbidding_the_cube_gives_gathers():
    ds = seisfill.read_segy(real_file("real3d_poststack.sgy"), cube=False, key="INLINE_3D", sort="CROSSLINE_3D")
    assert ds.attrs["layout"] == "gathers"
    assert ds["live"].shape == (10, 100)
    np.testing.assert_array_equal(ds["gather"].values, np.arange(1, 11))


# ---------------------------------------------------------------------------
# synthetic shots
# ---------------------------------------------------------------------------


def test_shots_detected_by_field_record_and_channel(shots):
    ds = seisfill.read_segy(shots.path)
    assert (ds.attrs["gather_key"], ds.attrs["sort_key"]) == ("FieldRecord", "TraceNumber")
    np.testing.assert_array_equal(ds["gather"].values, [100, 101, 102])
    np.testing.assert_array_equal(ds["trace"].values, np.arange(12))
    np.testing.assert_array_equal(ds["TraceNumber"].values, np.tile(np.arange(1, 13), (3, 1)))
    np.testing.assert_array_equal(ds["trace_index"].values, np.arange(36).reshape(3, 12))


def test_explicit_key_and_sort(tmp_path):
    sf = make_shots(tmp_path / "s.sgy", shuffle_within=True)
    by_channel = seisfill.read_segy(sf.path, key="fldr")
    np.testing.assert_array_equal(by_channel["TraceNumber"].values, np.tile(np.arange(1, 13), (3, 1)))
    for (fldr, channel), i in sf.slots.items():
        assert by_channel["trace_index"].values[fldr - 100, channel - 1] == i

    by_offset = seisfill.read_segy(sf.path, key="fldr", sort="offset")
    assert (by_offset.attrs["gather_key"], by_offset.attrs["sort_key"]) == ("FieldRecord", "offset")
    # offsets shrink along the cable: sorting by offset reverses the channels
    np.testing.assert_array_equal(by_offset["offset"].values, np.tile(25 * np.arange(1, 13), (3, 1)))
    np.testing.assert_array_equal(by_offset["TraceNumber"].values, np.tile(np.arange(12, 0, -1), (3, 1)))
    np.testing.assert_array_equal(
        by_offset["amplitude"].values, by_channel["amplitude"].values[:, ::-1]
    )


def test_key_none_makes_one_gather_in_file_order(shots):
    ds = seisfill.read_segy(shots.path, key="none")
    assert ds.attrs["gather_key"] == "none"
    assert ds["live"].shape == (1, 36)
    np.testing.assert_array_equal(ds["trace_index"].values[0], np.arange(36))
    np.testing.assert_array_equal(ds["amplitude"].values[0], shots.data)
    by_offset = seisfill.read_segy(shots.path, key="none", sort="offset")
    offsets = by_offset["offset"].values[0]
    assert np.all(np.diff(offsets) >= 0)
    # stable: equal offsets keep file order (shot 100 before 101 before 102)
    np.testing.assert_array_equal(by_offset["FieldRecord"].values[0, :3], [100, 101, 102])


def test_gather_by_cdp_key(shots):
    ds = seisfill.read_segy(shots.path, key="cdp", sort="offset")
    # CDP = 2 s + c for shot s = 0..2, channel c = 1..12: values 1..16
    np.testing.assert_array_equal(ds["gather"].values, np.arange(1, 17))
    counts = (~ds["pad"].values).sum(axis=1)
    np.testing.assert_array_equal(counts, [1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 1, 1])
    # CDP 5: shot 0 channel 5 (offset 200), shot 1 channel 3 (250), shot 2 channel 1 (300)
    np.testing.assert_array_equal(ds["offset"].values[4, :3], [200, 250, 300])
    np.testing.assert_array_equal(ds["trace_index"].values[4, :3], [4, 14, 24])
    assert ds["live"].values.sum() == 36


def test_ragged_gathers_are_padded(tmp_path):
    sf = make_shots(tmp_path / "r.sgy", counts=[12, 7, 10])
    ds = seisfill.read_segy(sf.path)
    assert ds["live"].shape == (3, 12)
    expected_pad = np.arange(12)[None, :] >= np.array([12, 7, 10])[:, None]
    np.testing.assert_array_equal(ds["pad"].values, expected_pad)
    np.testing.assert_array_equal(ds["live"].values, ~expected_pad)
    assert (ds["dead_reason"].values[expected_pad] == 0).all()
    assert (ds["trace_index"].values[expected_pad] == -1).all()
    assert (ds["amplitude"].values[expected_pad] == 0).all()
    assert (ds["TraceNumber"].values[expected_pad] == 0).all()
    assert np.isnan(ds["SourceX"].values[expected_pad]).all()
    assert ds["trace_index"].values[1, 6] == 18


# ---------------------------------------------------------------------------
# cubes
# ---------------------------------------------------------------------------


def test_cube_with_missing_node(cube):
    ds = seisfill.read_segy(cube.path)
    assert ds.attrs["layout"] == "cube"
    assert ds["live"].shape == (5, 6)
    np.testing.assert_array_equal(ds["inline"].values, np.arange(101, 106))
    np.testing.assert_array_equal(ds["crossline"].values, np.arange(201, 207))
    missing = np.zeros((5, 6), bool)
    missing[2, 3] = True
    np.testing.assert_array_equal(ds["live"].values, ~missing)
    assert ds["dead_reason"].values[2, 3] == DeadReason.MISSING == 32
    assert ds["trace_index"].values[2, 3] == -1
    assert not ds["pad"].values.any()
    assert (ds["amplitude"].values[2, 3] == 0).all()
    # header interpolated at the node
    assert ds["INLINE_3D"].values[2, 3] == 103
    assert ds["CROSSLINE_3D"].values[2, 3] == 204
    assert ds["CDP_X"].values[2, 3] == pytest.approx(600000 + 25 * 3 + 5 * 2)
    assert ds["CDP_Y"].values[2, 3] == pytest.approx(4000000 + 25 * 2)
    assert ds["CDP"].values[2, 3] == 2 * 6 + 3 + 1
    # and the raw header says the same
    from seisfill.io.headers import parse_trace_headers

    raw = ds["trace_header"].values[2, 3]
    words = parse_trace_headers(raw[None], "big", ["INLINE_3D", "CROSSLINE_3D", "CDP_X", "SourceGroupScalar"])
    assert (words["INLINE_3D"][0], words["CROSSLINE_3D"][0], words["CDP_X"][0]) == (103, 204, 60008500)
    assert words["SourceGroupScalar"][0] == -100
    # the other nodes hold their own traces
    for (il, xl), i in cube.slots.items():
        np.testing.assert_array_equal(ds["amplitude"].values[il - 101, xl - 201], cube.data[i])


def test_cube_completes_missing_inline_and_crossline_step(tmp_path):
    sf = make_cube(tmp_path / "c.sgy", n_inline=4, n_crossline=5, crossline_step=2,
                   missing=[(1, j) for j in range(5)] + [(3, 4)])
    ds = seisfill.read_segy(sf.path)
    np.testing.assert_array_equal(ds["inline"].values, [101, 102, 103, 104])
    np.testing.assert_array_equal(ds["crossline"].values, [201, 203, 205, 207, 209])
    expected = np.ones((4, 5), bool)
    expected[1] = False
    expected[3, 4] = False
    np.testing.assert_array_equal(ds["live"].values, expected)
    np.testing.assert_array_equal(ds["CROSSLINE_3D"].values[1], [201, 203, 205, 207, 209])
    np.testing.assert_array_equal(ds["INLINE_3D"].values[1], 102)
    assert (ds["dead_reason"].values[~expected] == DeadReason.MISSING).all()


def test_forced_cube_on_gathers_explains(shots):
    with pytest.raises(SeisfillError, match="not a post-stack cube"):
        seisfill.read_segy(shots.path, cube=True)


# ---------------------------------------------------------------------------
# index functions
# ---------------------------------------------------------------------------


def test_index_gathers_unit():
    headers = {"k": np.array([5, 3, 5, 3, 5, 9]), "s": np.array([2, 1, 1, 2, 3, 7])}
    idx = index_gathers(headers, "k", "s")
    np.testing.assert_array_equal(idx.gather_values, [3, 5, 9])
    np.testing.assert_array_equal(idx.slot_trace, [[1, 3, -1], [2, 0, 4], [5, -1, -1]])
    np.testing.assert_array_equal(idx.pad, [[0, 0, 1], [0, 0, 0], [0, 1, 1]])
    assert idx.shape == (3, 3)


def test_index_cube_unit_and_duplicates():
    headers = {"il": np.array([1, 1, 2, 2, 4, 4]), "xl": np.array([20, 10, 10, 20, 10, 20])}
    idx = index_cube(headers, "il", "xl")
    assert idx.kind == "cube"
    np.testing.assert_array_equal(idx.gather_values, [1, 2, 3, 4])  # inline 3 completed
    np.testing.assert_array_equal(idx.trace_values, [10, 20])
    np.testing.assert_array_equal(idx.slot_trace, [[1, 0], [2, 3], [-1, -1], [4, 5]])
    assert not idx.pad.any()
    # values off the nominal lattice are not completed
    idx = index_cube({"il": np.array([1, 3, 4, 6]), "xl": np.array([10, 10, 10, 10])}, "il", "xl")
    np.testing.assert_array_equal(idx.gather_values, [1, 3, 4, 6])
    with pytest.raises(SeisfillError, match="share"):
        index_cube({"il": np.array([1, 1]), "xl": np.array([10, 10])}, "il", "xl")


def test_nominal_step():
    assert nominal_step(np.array([1, 3, 5, 9, 11])) == 2
    assert nominal_step(np.array([4])) == 1
    assert nominal_step(np.array([7, 7, 7])) == 1


def test_detect_index_without_any_key_uses_first_unique_word():
    n = 6
    zeros = np.zeros(n, np.int32)
    headers = {w: zeros for w in ("FieldRecord", "TraceNumber", "EnergySourcePoint", "CDP", "CDP_TRACE",
                                   "offset", "INLINE_3D", "CROSSLINE_3D", "TraceIdentificationCode")}
    headers["TRACE_SEQUENCE_FILE"] = np.array([3, 1, 2, 6, 5, 4], np.int32)
    idx = detect_index(headers)
    assert (idx.gather_key, idx.sort_key) == (None, "TRACE_SEQUENCE_FILE")
    np.testing.assert_array_equal(idx.slot_trace, [[1, 2, 0, 5, 4, 3]])


# ---------------------------------------------------------------------------
# pre-stack 3-D: several traces per (inline, crossline) node
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("offset_major", [False, True])
def test_prestack_3d_is_grouped_into_bins_sorted_by_offset(tmp_path, offset_major):
    # segyio's small-ps.sgy: 2 inlines x 3 crosslines x 4 offsets, no FieldRecord or CDP
    sf = make_prestack_3d(tmp_path / "ps.sgy", offset_major=offset_major)
    ds = seisfill.read_segy(sf.path)
    assert ds.attrs["layout"] == "bins"
    assert (ds.attrs["gather_key"], ds.attrs["sort_key"]) == ("INLINE_3D,CROSSLINE_3D", "offset")
    assert ds["amplitude"].dims == ("gather", "trace", "time")
    assert ds["live"].shape == (6, 4)
    np.testing.assert_array_equal(ds["gather"].values, np.arange(6))
    np.testing.assert_array_equal(ds["INLINE_3D"].values, np.repeat([1, 2], 3)[:, None] * np.ones(4, int))
    np.testing.assert_array_equal(ds["CROSSLINE_3D"].values, np.tile([20, 21, 22], 2)[:, None] * np.ones(4, int))
    np.testing.assert_array_equal(ds["offset"].values, np.tile([1, 2, 3, 4], (6, 1)))
    for (il, xl, off), i in sf.slots.items():
        g = (il - 1) * 3 + (xl - 20)
        assert ds["trace_index"].values[g, off - 1] == i
        # segyio's recipe: il + xl / 100 + 100 * offset (+ sample / 1000)
        assert ds["amplitude"].values[g, off - 1, 0] == pytest.approx(il + xl / 100 + 100 * off)
    assert ds["live"].values.all() and not ds["pad"].values.any()


def test_prestack_3d_bin_with_fewer_offsets_is_padded(tmp_path):
    sf = make_prestack_3d(tmp_path / "ps.sgy", dropped=[(1, 2, 3), (0, 1, 0)])
    ds = seisfill.read_segy(sf.path)
    expected_pad = np.zeros((6, 4), bool)
    expected_pad[[1, 5], 3] = True
    np.testing.assert_array_equal(ds["pad"].values, expected_pad)
    np.testing.assert_array_equal(ds["offset"].values[1], [2, 3, 4, 0])
    np.testing.assert_array_equal(ds["offset"].values[5], [1, 2, 3, 0])


def test_prestack_3d_info_names_bins_and_keys_still_win(tmp_path):
    from seisfill.info import format_summary, summarize

    sf = make_prestack_3d(tmp_path / "ps.sgy")
    text = format_summary(summarize(sf.path))
    assert "geometry      pre-stack 3-D: 6 inline/crossline bins of up to 4 offsets, sorted by offset" in text
    # a named key is obeyed: one line in file order, as before
    line = seisfill.read_segy(sf.path, key="none")
    assert line.attrs["layout"] == "gathers" and line["live"].shape == (1, 24)
    by_inline = seisfill.read_segy(sf.path, key="iline")
    assert by_inline["live"].shape == (2, 12)


def test_prestack_3d_without_offsets_to_tell_traces_apart_is_refused(tmp_path):
    headers = {"INLINE_3D": [1, 1, 2, 2, 1, 1, 2, 2], "CROSSLINE_3D": [5, 6, 5, 6, 5, 6, 5, 6]}
    path = write_traces(tmp_path / "dup.sgy", np.ones((8, 5), np.float32), headers)
    with pytest.raises(SeisfillError, match=r"share an \(INLINE_3D, CROSSLINE_3D\) node with the same offset.*--key"):
        seisfill.read_segy(path)
    assert seisfill.read_segy(path, key="none")["live"].shape == (1, 8)


def test_index_bins_unit():
    headers = {
        "INLINE_3D": np.array([2, 1, 2, 1, 1]),
        "CROSSLINE_3D": np.array([7, 7, 7, 7, 8]),
        "offset": np.array([300, 200, 100, 100, 50]),
    }
    idx = index_bins(headers)
    assert (idx.kind, idx.gather_key, idx.sort_key) == ("bins", "INLINE_3D,CROSSLINE_3D", "offset")
    np.testing.assert_array_equal(idx.gather_values, [0, 1, 2])  # nodes (1, 7), (1, 8), (2, 7)
    np.testing.assert_array_equal(idx.slot_trace, [[3, 1], [4, -1], [2, 0]])
    np.testing.assert_array_equal(idx.pad, [[0, 0], [0, 1], [0, 0]])


# ---------------------------------------------------------------------------
# implausible cubes: garbage inline/crossline words
# ---------------------------------------------------------------------------


def test_garbage_inline_crossline_words_are_not_a_cube(tmp_path):
    # segyio's long.sgy: 3 traces of 60,000 samples whose words looked like a 3 x 3 cube
    sf = make_garbage_geometry(tmp_path / "long.sgy")
    with pytest.warns(UserWarning, match=r"6 of its 9 nodes would be missing.*one 2-D line in file order.*--cube"):
        ds = seisfill.read_segy(sf.path)
    assert ds.attrs["layout"] == "gathers"
    assert (ds.attrs["gather_key"], ds.attrs["sort_key"]) == ("none", "none")
    np.testing.assert_array_equal(ds["trace_index"].values, [[0, 1, 2]])
    assert ds["live"].values.all()
    forced = seisfill.read_segy(sf.path, cube=True)
    assert forced.attrs["layout"] == "cube" and forced["live"].shape == (3, 3)
    assert forced["live"].values.sum() == 3


def _grid_headers(il, xl):
    n = len(il)
    zeros = np.zeros(n, np.int32)
    headers = {w: zeros for w in ("FieldRecord", "TraceNumber", "EnergySourcePoint", "CDP", "CDP_TRACE",
                                   "offset", "TraceIdentificationCode")}
    headers["TRACE_SEQUENCE_FILE"] = np.arange(1, n + 1, dtype=np.int32)
    headers["INLINE_3D"], headers["CROSSLINE_3D"] = np.array(il, np.int32), np.array(xl, np.int32)
    return headers


@pytest.mark.parametrize(
    ("il", "xl", "why"),
    [
        # a diagonal: 3 traces on a regular 3 x 3 grid
        ([1, 2, 3], [10, 11, 12], r"6 of its 9 nodes would be missing\)"),
        # few missing nodes, but between irregularly spaced inlines (1, 3, 4, 6)
        ([1, 1, 3, 3, 4, 6, 6], [1, 2, 1, 2, 1, 1, 2], r"1 of its 8 nodes would be missing, irregular inline spacing"),
    ],
)
def test_implausible_cube_falls_back_to_file_order(il, xl, why):
    with pytest.warns(UserWarning, match=why):
        idx = detect_index(_grid_headers(il, xl))
    assert (idx.kind, idx.gather_key, idx.sort_key) == ("gathers", None, None)
    np.testing.assert_array_equal(idx.slot_trace, [np.arange(len(il))])
    assert detect_index(_grid_headers(il, xl), cube=True).kind == "cube"


def test_plausible_cubes_with_missing_nodes_stay_cubes(recwarn):
    # as many missing nodes as traces on a regular grid; irregular lines without missing nodes
    for il, xl in (([1, 2, 3, 4], [1, 2, 1, 2]), ([1, 1, 3, 3, 4, 4], [1, 2, 1, 2, 1, 2])):
        assert detect_index(_grid_headers(il, xl)).kind == "cube"
    assert not recwarn.list
