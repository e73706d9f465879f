"""fill() on arrays and datasets: live traces untouched, the linear baseline works."""

from __future__ import annotations

import numpy as np
import pytest

from seisfill import SeisfillError
from seisfill.classical.linear import fill_linear
from seisfill.fill import fill, fill_array
from seisfill.metrics import snr, snr_missing


def _dipping(n_trace=64, nt=200, slope=0.3, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(nt)[None, :]
    x = np.arange(n_trace)[:, None]
    data = np.zeros((n_trace, nt), np.float32)
    for t0, f in ((40, 0.08), (110, 0.05)):
        data += np.cos(2 * np.pi * f * (t - t0 - slope * x)) * np.exp(-(((t - t0 - slope * x) / 6.0) ** 2))
    return (data + 0.001 * rng.standard_normal(data.shape)).astype(np.float32)


class TestFillLinear:
    def test_hand_computed(self):
        data = np.array([[0.0, 0.0], [9.0, 9.0], [2.0, 4.0], [9.0, 9.0], [6.0, 8.0]])
        live = np.array([True, False, True, False, True])
        out = fill_linear(data, live)
        assert np.allclose(out[1], [1.0, 2.0]) and np.allclose(out[3], [4.0, 6.0])
        assert np.array_equal(out[live], data[live])

    def test_positions_and_ends(self):
        data = np.array([[5.0], [0.0], [1.0], [0.0]])
        live = np.array([False, True, False, True])
        data[1], data[3] = 2.0, 8.0
        out = fill_linear(data, live, positions=np.array([0.0, 10.0, 20.0, 40.0]))
        assert out[0, 0] == 2.0  # nearest live at the start, no extrapolation
        assert out[2, 0] == pytest.approx(4.0)  # a third of the way from 10 to 40

    def test_leading_gather_axes(self):
        data = np.stack([_dipping(seed=s) for s in range(3)])
        live = np.ones(data.shape[:-1], bool)
        live[:, 10:13] = False
        out = fill_linear(data, live)
        for g in range(3):
            assert np.array_equal(out[g], fill_linear(data[g], live[g]))

    def test_no_live_trace(self):
        with pytest.raises(SeisfillError, match="no live traces"):
            fill_linear(np.zeros((4, 10)), np.zeros(4, bool))

    def test_recovers_gentle_dip(self):
        data = _dipping(slope=0.2)
        live = np.ones(64, bool)
        live[1::2] = False
        out = fill_array(data, live, "linear")
        assert snr_missing(data, out, ~live) > 8.0
        assert np.array_equal(out[live], data[live])


class TestFillDataset:
    def test_only_missing_change(self):
        import xarray as xr

        data = _dipping()[None]
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
        import xarray as xr

        ds = xr.Dataset({"amplitude": (("g", "t", "time"), np.zeros((1, 3, 4))), "live": (("g", "t"), np.ones((1, 3), bool))})
        with pytest.raises(SeisfillError, match="unknown method"):
            fill(ds, "kriging")
