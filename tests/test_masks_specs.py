"""Tests for seisfill.masks.specs: decimation spec strings, Decimation and mix."""

from __future__ import annotations

import numpy as np
import pytest

from seisfill.errors import SeisfillError
from seisfill.masks import Decimation, decimate, decimate_mix, parse_pattern


def test_mix_is_union_of_patterns():
    keep = decimate_mix(300, seed=4, patterns=("random30", "gap8"))
    rng = np.random.default_rng(4)
    first = decimate(300, "random30", rng)
    second = decimate(300, "gap8", rng)
    np.testing.assert_array_equal(keep, first & second)
    assert np.count_nonzero(~keep) == np.count_nonzero(~first | ~second)
    assert np.count_nonzero(~keep) >= 90
    np.testing.assert_array_equal(keep, decimate(300, "mix:random30+gap8", 4))
    with pytest.raises(SeisfillError):
        decimate_mix(300, 0, patterns=())


@pytest.mark.parametrize(
    "spec",
    [
        "random50",
        "random0.7",
        "random12.5",
        "regular2",
        "jitter3",
        "gap8",
        "gap16x2",
        "dead5",
        "dead0.05",
        "mix:random30+gap8",
        "mix:regular2+dead5+gap4x3",
    ],
)
def test_parse_pattern_round_trips(spec):
    d = parse_pattern(spec)
    assert isinstance(d, Decimation)
    assert d.name == spec and str(d) == spec
    assert parse_pattern(d.name) == d
    assert parse_pattern(d) is d
    hash(d)
    keep = d(200, 0)
    assert keep.shape == (200,) and np.count_nonzero(keep) >= 2
    np.testing.assert_array_equal(keep, decimate(200, spec, 0))


def test_parse_pattern_values():
    assert parse_pattern("random50").fraction == 0.5
    assert parse_pattern("random0.7").fraction == 0.7
    assert parse_pattern(" Random50 ").name == "random50"
    assert parse_pattern("gap8x1").name == "gap8"
    assert parse_pattern("gap16x2").kwargs == {"gap": 16, "n_gaps": 2}
    assert np.count_nonzero(~decimate(200, "random0.7", 1)) == 140
    assert np.count_nonzero(~decimate(200, "random70", 1)) == 140
    assert np.count_nonzero(~decimate(200, "dead5", 1)) == 10
    np.testing.assert_array_equal(decimate(10, "regular2", None), np.arange(10) % 2 == 0)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "random",
        "random150",
        "regular0",
        "regularx",
        "jitter",
        "gap0",
        "gap8x0",
        "gap8y2",
        "dead",
        "mix:",
        "mix:random30+",
        "mix:mix:gap8",
        "sparse50",
        "random-5",
        50,
    ],
)
def test_parse_pattern_rejects_garbage(bad):
    with pytest.raises(SeisfillError, match="valid forms"):
        parse_pattern(bad)


def test_decimation_direct_construction_is_checked():
    with pytest.raises(SeisfillError):
        Decimation("blur", ())
    with pytest.raises(SeisfillError):
        Decimation("random", (("every", 2),))
    d = Decimation("regular", (("every", 4),))
    assert d.name == "regular4" and parse_pattern("regular4") == d
