"""Tests for seisfill.masks.runs."""

from __future__ import annotations

import numpy as np

from seisfill.masks import true_runs


def test_true_runs():
    assert true_runs(np.array([False, True, True, False, True])) == [(1, 2), (4, 1)]
    assert true_runs(np.ones(3, dtype=bool)) == [(0, 3)]
    assert true_runs(np.zeros(4, dtype=bool)) == []
    assert true_runs(np.array([], dtype=bool)) == []
    assert true_runs([1, 0, 1]) == [(0, 1), (2, 1)]
