"""seisfill.fill on datasets: only the missing slots change, one default method, the method recorded."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from synthetic_checks import dipping_events

import seisfill
from seisfill import SeisfillError
from seisfill.fill_dataset import fill
from seisfill.metrics import snr


class TestFillDataset:
    def test_only_missing_change(self):
        data = dipping_events()[None]
        live = np.ones((1, 64), bool)
        live[0, [5, 6, 40]] = False
        ds = xr.Dataset(
            {
                "amplitude": (("gather", "trace", "time"), np.where(live[..., None], data, 0)),
                "live": (("gather", "trace"), live),
                "pad": (("gather", "trace"), np.zeros_like(live)),
            }
        )
        out = fill(ds, "linear")
        assert out["filled"].values.sum() == 3
        assert np.array_equal(out["amplitude"].values[live], data[live])
        assert snr(data, out["amplitude"].values) > 25
        assert out.attrs["fill_method"] == "linear"

    def test_unknown_method(self):
        ds = xr.Dataset({"amplitude": (("g", "t", "time"), np.zeros((1, 3, 4))), "live": (("g", "t"), np.ones((1, 3), bool))})
        with pytest.raises(SeisfillError, match="unknown method"):
            fill(ds, "kriging")

    def test_default_is_the_registry_default(self):
        import inspect

        assert inspect.signature(fill).parameters["method"].default == seisfill.DEFAULT_METHOD


def test_network_method_records_its_model():
    pytest.importorskip("torch")
    data = dipping_events(n_trace=48, nt=128)[None]
    live = np.ones((1, 48), bool)
    live[0, 20:23] = False
    ds = xr.Dataset({"amplitude": (("gather", "trace", "time"), np.where(live[..., None], data, 0)),
                     "live": (("gather", "trace"), live), "pad": (("gather", "trace"), np.zeros_like(live))})
    out = fill(ds, "unet", device="cpu")
    assert out.attrs["fill_method"] == "unet" and out.attrs["fill_model"] == "gated2d"
    assert np.array_equal(out["amplitude"].values[live], data[live])


SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.mark.parametrize("name, regularize, digest", [
    ("penobscot_xl1155_w200_dead.sgy", False, "ccd2306cb1eccf2d58c3276d4ccc6b1da00669ba525953494e4c343a35e15caf"),
    ("synthetic_shots_gaps.sgy", True, "f66336fe88b507fc13e0ce72d2ece3edc193409d411e865117e3b47f222fe5c3"),
])
def test_linear_fill_writes_the_bytes_it_always_wrote(tmp_path, name, regularize, digest):
    """Pinned output of ``seisfill fill --method linear`` (and --regularize), as before the method registry."""
    ds = seisfill.read_segy(SAMPLES / name)
    if regularize:
        ds = seisfill.regularize(ds)
    out = tmp_path / "filled.sgy"
    seisfill.write_segy(fill(ds, "linear"), out, template=SAMPLES / name)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest
