"""Tests for seisfill.synthetic.earth: gather offsets."""

from __future__ import annotations

import numpy as np
import pytest

from seisfill.errors import SeisfillError
from seisfill.synthetic import make_offsets


def test_offsets_geometry() -> None:
    split = make_offsets(96, dx=25.0)
    assert split.shape == (96,) and split[0] == -48 * 25.0 and split[-1] == 48 * 25.0
    assert np.all(np.diff(split)[np.arange(95) != 47] == 25.0) and 0.0 not in split
    end = make_offsets(10, spread="end", dx=12.5)
    np.testing.assert_array_equal(end, 25.0 + 12.5 * np.arange(10))
    cdp = make_offsets(60, kind="cdp", dx=50.0, seed=3)
    steps = np.diff(cdp)
    assert np.all(cdp >= 0) and np.all(steps >= 0) and steps.std() > 5.0  # sorted, irregular
    np.testing.assert_array_equal(cdp, make_offsets(60, kind="cdp", dx=50.0, seed=3))


def test_offsets_reject_a_bad_spread() -> None:
    with pytest.raises(SeisfillError):
        make_offsets(10, spread="both")  # type: ignore[arg-type]
