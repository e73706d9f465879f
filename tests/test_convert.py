"""Tests for seisfill.io.convert: SEG-Y -> netCDF / Zarr -> SEG-Y, byte for byte."""

from __future__ import annotations

import filecmp

import numpy as np
import pytest
import xarray as xr
from file_modes import UMASKS, expected, modes, umask
from segy_factory import make_shots, real_file_params

import seisfill
from seisfill.errors import SeisfillError
from seisfill.io.convert import convert, exact_dataset, kind_of, read_dataset, write_dataset
from seisfill.io.formats import ibm_round_trips, ibm_to_ieee

pytest.importorskip("netCDF4")
pytest.importorskip("zarr")

# zarr 3 warns that consolidated metadata is not in the v3 spec; not our concern
pytestmark = pytest.mark.filterwarnings("ignore:.*[Cc]onsolidated metadata.*")

SUFFIXES = [".nc", ".zarr"]


def _round_trip(tmp_path, source, suffix):
    middle = tmp_path / f"{source.stem}{suffix}"
    back = tmp_path / f"{source.stem}_back.sgy"
    assert convert(source, middle) == middle
    assert convert(middle, back) == back
    return middle, back


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("path", real_file_params())
def test_real_files_round_trip(tmp_path, path, suffix):
    middle, back = _round_trip(tmp_path, path, suffix)
    assert filecmp.cmp(path, back, shallow=False)
    ds = read_dataset(middle)
    assert ds["live"].dtype == bool and ds["pad"].dtype == bool
    assert ds["live"].values.all()
    assert ds.attrs["segy_n_traces"] == seisfill.read_segy(path, lazy=True).attrs["segy_n_traces"]


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize(
    ("fmt", "endian", "dtype"),
    [
        (1, "big", np.float32),
        (2, "big", np.int32),
        (2, "little", np.int32),
        (3, "little", np.float32),  # float32 holds every int16 exactly
        (5, "big", np.float32),
        (6, "big", np.float64),
        (6, "little", np.float64),
        (9, "big", np.int64),
        (12, "little", np.uint64),
    ],
)
def test_formats_round_trip_at_full_precision(tmp_path, fmt, endian, dtype, suffix):
    sf = make_shots(tmp_path / "s.sgy", fmt=fmt, endian=endian, wide=True, counts=[12, 10, 12], ext_headers=1)
    if fmt in (2, 9, 12):
        assert np.abs(sf.data.astype(np.float64)).max() > 2**24  # float32 cannot hold these
    if fmt == 6:
        assert not np.array_equal(sf.data.astype(np.float32).astype(np.float64), sf.data)
    middle, back = _round_trip(tmp_path, sf.path, suffix)
    assert filecmp.cmp(sf.path, back, shallow=False)
    ds = read_dataset(middle)
    assert ds["amplitude"].dtype == dtype
    present = ds["trace_index"].values >= 0
    np.testing.assert_array_equal(ds["amplitude"].values[present], sf.data[ds["trace_index"].values[present]])


def _ibm_with_odd_words(tmp_path, endian):
    sf = make_shots(tmp_path / "s.sgy", fmt=1, endian=endian)
    blob = bytearray(sf.path.read_bytes())
    order = ">" if endian == "big" else "<"
    odd = [
        (0, 1, 0x41000000),  # "dirty" zero: zero fraction, non-zero exponent
        (4, 5, 0x42010000),  # unnormalised fraction
        (7, 3, 0x7F123456),  # beyond float32: decodes to inf
        (10, 0, 0x01100000),  # far below float32
        (20, 39, 0xC2000001),  # unnormalised negative
    ]
    for trace, sample, word in odd:
        at = 3600 + trace * (240 + 4 * 40) + 240 + 4 * sample
        blob[at : at + 4] = np.array([word], f"{order}u4").tobytes()
    path = tmp_path / "odd.sgy"
    path.write_bytes(bytes(blob))
    return path, odd


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("endian", ["big", "little"])
def test_ibm_odd_words_survive_via_fixups(tmp_path, endian, suffix):
    path, odd = _ibm_with_odd_words(tmp_path, endian)
    words = np.array([w for *_, w in odd], np.uint32)
    assert not ibm_round_trips(words).any()
    with pytest.warns(UserWarning, match="NaN or Inf"):
        ds = exact_dataset(path)
    np.testing.assert_array_equal(ds["segy_fixup_trace"].values, [0, 4, 7, 10, 20])
    np.testing.assert_array_equal(ds["segy_fixup_sample"].values, [1, 5, 3, 0, 39])
    np.testing.assert_array_equal(ds["segy_fixup_word"].values, words)
    assert ds["amplitude"].values[0, 7, 3] == np.inf
    assert ds["amplitude"].values[0, 4, 5] == ibm_to_ieee(np.uint32(0x42010000))
    with pytest.warns(UserWarning, match="NaN or Inf"):
        middle, back = _round_trip(tmp_path, path, suffix)
    assert filecmp.cmp(path, back, shallow=False)


def test_fixups_skip_filled_traces(tmp_path):
    path, _ = _ibm_with_odd_words(tmp_path, "big")
    with pytest.warns(UserWarning):
        ds = exact_dataset(path)
    live = ds["live"].values.copy()
    live[0, 4] = False  # the trace with the unnormalised word gets filled
    filled = seisfill.fill(ds.assign(live=(ds["live"].dims, live)), "linear")
    out = tmp_path / "filled.sgy"
    seisfill.write_segy(filled, out, sidecar=False)
    before = np.frombuffer(path.read_bytes(), np.uint8)[3600:].reshape(36, 400)
    after = np.frombuffer(out.read_bytes(), np.uint8)[3600:].reshape(36, 400)
    changed = np.flatnonzero((before != after).any(axis=1))
    assert changed.tolist() == [4, 7]  # 4 filled; 7 (dead, inf) filled too
    assert after[4, 240 + 20 : 240 + 24].tobytes() != before[4, 240 + 20 : 240 + 24].tobytes()
    # trace 0 and 20 keep their odd words
    assert after[0, 244:248].tobytes() == bytes.fromhex("41000000")
    assert after[20, 240 + 156 : 240 + 160].tobytes() == bytes.fromhex("c2000001")


def test_netcdf_to_zarr_to_segy(tmp_path, shots):
    nc, zarr_store, back = tmp_path / "a.nc", tmp_path / "b.zarr", tmp_path / "c.sgy"
    convert(shots.path, nc)
    convert(nc, zarr_store)
    convert(zarr_store, back)
    assert filecmp.cmp(shots.path, back, shallow=False)
    ds = read_dataset(zarr_store)
    assert "seisfill_bool" not in ds["live"].attrs and "seisfill_bool" not in ds["pad"].attrs


@pytest.mark.filterwarnings("ignore:The specified chunks separate the stored chunks")
def test_write_and_read_dataset_directly(tmp_path, shots):
    ds = seisfill.read_segy(shots.path)
    for suffix in SUFFIXES:
        path = write_dataset(ds, tmp_path / f"d{suffix}")
        back = read_dataset(path)
        xr.testing.assert_identical(back.load(), ds)
        lazy = read_dataset(path, chunks={"gather": 1})
        assert lazy["amplitude"].chunks[0] == (1, 1, 1)
        out = tmp_path / f"from{suffix}.sgy"
        seisfill.write_segy(lazy, out, template=shots.path, sidecar=False)
        assert filecmp.cmp(shots.path, out, shallow=False)
    # overwriting an existing Zarr store replaces it
    write_dataset(ds.isel(gather=[0]), tmp_path / "d.zarr")
    assert read_dataset(tmp_path / "d.zarr")["live"].shape == (1, 12)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "d.nc", "d.zarr", "from.nc.sgy", "from.zarr.sgy", "shots.sgy"]


def test_kind_of():
    assert kind_of("a.SGY") == kind_of("a.segy") == "segy"
    assert kind_of("a.nc") == "netcdf"
    assert kind_of("a.zarr") == "zarr"
    with pytest.raises(SeisfillError, match="cannot tell the format from the extension '.txt'"):
        kind_of("a.txt")


def test_convert_errors(tmp_path, shots):
    listing = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(SeisfillError, match="output path equals the input"):
        convert(shots.path, shots.path)
    with pytest.raises(SeisfillError, match="nothing to convert"):
        convert(shots.path, tmp_path / "copy.sgy")
    with pytest.raises(SeisfillError, match="no such file"):
        convert(tmp_path / "missing.nc", tmp_path / "out.sgy")
    bogus = tmp_path / "bogus.nc"
    bogus.write_text("not netcdf")
    with pytest.raises(SeisfillError, match="cannot open as netcdf"):
        convert(bogus, tmp_path / "out.sgy")
    bogus.unlink()
    with pytest.raises(SeisfillError, match="use write_segy"):
        write_dataset(seisfill.read_segy(shots.path), tmp_path / "x.sgy")
    with pytest.raises(SeisfillError, match="not a seisfill dataset"):
        other = tmp_path / "other.nc"
        xr.Dataset({"x": ("a", [1.0])}).to_netcdf(other)
        read_dataset(other)
    other.unlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


@pytest.mark.parametrize("mask", UMASKS)
def test_converted_files_get_the_permissions_of_a_normal_write(tmp_path, shots, mask):
    """netCDF (written to a private temporary file first), a Zarr store's folders and files, SEG-Y back."""
    nc, store, back = tmp_path / "a.nc", tmp_path / "b.zarr", tmp_path / "c.sgy"
    with umask(mask):
        convert(shots.path, nc)
        convert(shots.path, store)
        convert(nc, back)
    assert filecmp.cmp(shots.path, back, shallow=False)
    assert modes(nc, back) == {"file": {expected(mask)["file"]}}
    assert modes(store) == {kind: {mode} for kind, mode in expected(mask).items()}
