"""Linear interpolation between live neighbours, along a line and over a 3-D grid (seisfill.classical.linear)."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_checks import dipping_events

from seisfill import SeisfillError
from seisfill.classical.linear import fill_linear, fill_linear_grid
from seisfill.core import fill_array
from seisfill.metrics import snr_missing


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
        data = np.stack([dipping_events(seed=s) for s in range(3)])
        live = np.ones(data.shape[:-1], bool)
        live[:, 10:13] = False
        out = fill_linear(data, live)
        for g in range(3):
            assert np.array_equal(out[g], fill_linear(data[g], live[g]))

    def test_no_live_trace(self):
        with pytest.raises(SeisfillError, match="no live traces"):
            fill_linear(np.zeros((4, 10)), np.zeros(4, bool))

    def test_recovers_gentle_dip(self):
        data = dipping_events(slope=0.2)
        live = np.ones(64, bool)
        live[1::2] = False
        out = fill_array(data, live, "linear")
        assert snr_missing(data, out, ~live) > 8.0
        assert np.array_equal(out[live], data[live])


class TestFillLinearGrid:
    def test_hand_computed(self):
        cube = np.zeros((3, 3, 1))
        live = np.zeros((3, 3), bool)
        cube[0, 0], cube[0, 2], cube[2, 1] = 1.0, 3.0, 7.0
        live[0, 0] = live[0, 2] = live[2, 1] = True
        out = fill_linear_grid(cube, live)
        np.testing.assert_allclose(out[0, :, 0], [1.0, 2.0, 3.0])  # along the crosslines
        np.testing.assert_allclose(out[2, :, 0], [7.0, 7.0, 7.0])
        np.testing.assert_allclose(out[1, :, 0], [4.0, 4.5, 5.0])  # inline 1 is empty: across the inlines
        assert np.array_equal(out[live], cube[live])

    def test_inlines_with_live_traces_are_fill_linear(self):
        cube = np.random.default_rng(0).standard_normal((4, 16, 40)).astype(np.float32)
        live = np.ones((4, 16), bool)
        live[:, 5:8] = False
        np.testing.assert_array_equal(fill_linear_grid(cube[None], live[None])[0], fill_linear(cube, live))

    def test_bad_shapes_and_no_live_trace(self):
        with pytest.raises(SeisfillError, match="do not fit"):
            fill_linear_grid(np.zeros((3, 10)), np.zeros(3, bool))
        with pytest.raises(SeisfillError, match="no live traces"):
            fill_linear_grid(np.zeros((2, 3, 10)), np.zeros((2, 3), bool))
