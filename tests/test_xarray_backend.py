"""Tests for the xarray engine ``seisfill`` (seisfill.io.xarray_backend)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from segy_factory import make_shots, real_file

import seisfill
from seisfill.errors import SeisfillError
from seisfill.io.layout import TraceReader
from seisfill.io.xarray_backend import SeisfillBackendEntrypoint


def test_engine_is_registered():
    assert "seisfill" in xr.backends.list_engines()


def test_open_dataset_equals_read_segy(tmp_path, monkeypatch):
    sf = make_shots(tmp_path / "s.sgy", fmt=1, endian="little", counts=[12, 9, 12], dead={2: "zero"})
    reads = []
    original = TraceReader.read_raw
    monkeypatch.setattr(TraceReader, "read_raw", lambda self, idx: reads.append(1) or original(self, idx))
    ds = xr.open_dataset(sf.path, engine="seisfill")
    assert reads == []  # amplitudes stay on disk until asked for
    eager = seisfill.read_segy(sf.path)
    xr.testing.assert_identical(ds.load(), eager)
    assert ds["dead_reason"].values[0, 2] == seisfill.DeadReason.ZERO


def test_open_dataset_with_chunks_and_options(tmp_path):
    sf = make_shots(tmp_path / "s.sgy", fmt=3)
    ds = xr.open_dataset(sf.path, engine="seisfill", chunks={"gather": 1}, key="fldr", sort="offset")
    assert ds["amplitude"].chunks[0] == (1, 1, 1)
    assert ds.attrs["sort_key"] == "offset"
    eager = seisfill.read_segy(sf.path, key="fldr", sort="offset")
    np.testing.assert_array_equal(ds["amplitude"].values, eager["amplitude"].values)
    np.testing.assert_array_equal(ds["offset"].values, eager["offset"].values)
    # backend_kwargs work the same
    via_kwargs = xr.open_dataset(sf.path, engine="seisfill", backend_kwargs={"key": "none"})
    assert via_kwargs["live"].shape == (1, 36)


def test_open_dataset_cube_and_drop_variables():
    path = real_file("f3.sgy")
    ds = xr.open_dataset(path, engine="seisfill", drop_variables=["trace_header"])
    assert "trace_header" not in ds
    assert ds["amplitude"].dims == ("inline", "crossline", "time")
    eager = seisfill.read_segy(path)
    np.testing.assert_array_equal(ds["amplitude"].isel(inline=[3, 20], crossline=slice(2, 5)).values,
                                  eager["amplitude"].values[[3, 20], 2:5])
    xr.testing.assert_identical(ds.load(), eager.drop_vars("trace_header"))


def test_rms_outlier_option_passes_through(tmp_path):
    sf = make_shots(tmp_path / "s.sgy", n_shots=1)
    ds = xr.open_dataset(sf.path, engine="seisfill", rms_outlier=3.0)
    np.testing.assert_array_equal(ds["dead_reason"].values, seisfill.read_segy(sf.path, rms_outlier=3.0)["dead_reason"].values)


def test_guess_can_open(tmp_path):
    backend = SeisfillBackendEntrypoint()
    assert backend.guess_can_open("survey.sgy")
    assert backend.guess_can_open(tmp_path / "LINE.SEGY")
    assert not backend.guess_can_open("survey.nc")
    assert not backend.guess_can_open(object())


def test_open_dataset_errors(tmp_path):
    bad = tmp_path / "bad.sgy"
    bad.write_bytes(b"\0" * 10)
    with pytest.raises(SeisfillError, match="too short"):
        xr.open_dataset(bad, engine="seisfill")
    sf = make_shots(tmp_path / "s.sgy")
    with pytest.raises(SeisfillError, match="unknown trace-header key"):
        xr.open_dataset(sf.path, engine="seisfill", key="nonsense")
