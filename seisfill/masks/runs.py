"""Runs of True in a 1-D boolean array (e.g. the live traces of a gather)."""

from __future__ import annotations

import numpy as np

__all__ = ["true_runs"]


def true_runs(row: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each run of True in a 1-D boolean array."""
    padded = np.concatenate([[False], np.asarray(row, dtype=bool), [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b - a)) for a, b in zip(edges[0::2], edges[1::2], strict=True)]
