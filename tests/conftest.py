"""Shared fixtures of the SEG-Y IO tests.

The builders live in :mod:`segy_factory` (importable from every test module:
pytest puts this folder on ``sys.path``); the fixtures here give each test a
fresh synthetic file in its own ``tmp_path``.
"""

from __future__ import annotations

import pytest
from segy_factory import SegyFile, make_cube, make_shots


@pytest.fixture
def shots(tmp_path) -> SegyFile:
    """Three 12-channel IEEE shot gathers, 40 samples, big-endian, all live."""
    return make_shots(tmp_path / "shots.sgy")


@pytest.fixture
def ibm_shots(tmp_path) -> SegyFile:
    """The same three shots in IBM floats, with a trid-2, a zero and a constant trace."""
    return make_shots(tmp_path / "shots_ibm.sgy", fmt=1, dead={3: "flagged", 15: "zero", 20: "constant"})


@pytest.fixture
def cube(tmp_path) -> SegyFile:
    """A 5 x 6 IEEE post-stack cube with node (2, 3) missing."""
    return make_cube(tmp_path / "cube.sgy", missing=[(2, 3)])
