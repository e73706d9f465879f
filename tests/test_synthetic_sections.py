"""Tests for seisfill.synthetic.sections: post-stack 2-D sections and 3-D cubes."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_checks import snr_db

from seisfill.synthetic import synthetic_cube, synthetic_section


def test_section_structure() -> None:
    s = synthetic_section(200, 400, 0.004, seed=1, n_faults=2, noise_snr_db=20.0)
    assert s.data.shape == (200, 400) and s.data.dtype == np.float32
    assert s.data.tobytes() == synthetic_section(200, 400, 0.004, seed=1, n_faults=2).data.tobytes()
    assert s.data.tobytes() != synthetic_section(200, 400, 0.004, seed=2, n_faults=2).data.tobytes()
    assert snr_db(s.clean, s.data - s.clean) == pytest.approx(20.0, abs=0.05)
    jumps = np.abs(np.diff(s.horizons, axis=1))
    assert jumps.max() > 0.015  # a fault throw of at least 15 ms somewhere
    # each fault cuts a horizon once: away from the two largest steps, dips are within max_dip
    smooth = np.sort(jumps, axis=1)[:, :-2]
    assert smooth.max() / 12.5 <= 0.4e-3 * 1.05
    assert np.std(s.horizons - s.horizons.mean(axis=1, keepdims=True)) > 0.004  # not flat
    # a horizon shows up in the clean data at its own time
    k = int(np.argmax(np.abs(s.reflectivity).mean(axis=1)))
    tr = 100
    i = int(round(s.horizons[k, tr] / s.dt))
    assert np.abs(s.clean[tr, i - 2 : i + 3]).max() > 0.3 * abs(s.reflectivity[k, tr])
    assert len(s.faults) == 2 and s.diffractors.shape == (3, 3)


def test_cube_structure() -> None:
    c = synthetic_cube(24, 32, 128, 0.004, seed=5, noise_snr_db=None)
    assert c.data.shape == (24, 32, 128) and c.data.dtype == np.float32
    assert np.array_equal(c.data, c.clean)
    assert (
        c.data.tobytes()
        == synthetic_cube(24, 32, 128, 0.004, seed=5, noise_snr_db=None).data.tobytes()
    )
    h = c.horizons
    assert h.shape[1:] == (24, 32)
    assert np.ptp(h, axis=1).max() > 0.004 and np.ptp(h, axis=2).max() > 0.004  # varies both ways
    assert c.inline_coords.shape == (24,) and c.crossline_coords.shape == (32,)
