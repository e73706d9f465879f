"""mimic_gaps: hidden live traces shaped like the real gaps (seisfill.masks.mimic)."""

import numpy as np
import pytest

from seisfill.errors import SeisfillError
from seisfill.masks import decimate
from seisfill.masks.mimic import gap_lengths, mimic_gaps


def _live(spec: str, n_rows: int = 40, n: int = 120) -> np.ndarray:
    return np.stack([decimate(n, spec, seed=s) for s in range(n_rows)])


def _histogram(lengths: np.ndarray, top: int = 12) -> np.ndarray:
    counts = np.bincount(np.minimum(lengths, top), minlength=top + 1)[1:].astype(float)
    return counts / counts.sum()


class TestMimicGaps:
    @pytest.mark.parametrize("spec", ["random50", "random30", "gap8", "gap4x3"])
    def test_run_lengths_match_the_real_gaps(self, spec):
        live = _live(spec)
        hidden = mimic_gaps(live, 0.2, np.random.default_rng(0))
        assert not (hidden & ~live).any()
        real, mimic = _histogram(gap_lengths(live)), _histogram(gap_lengths(~hidden))
        # total variation distance between the run-length histograms
        assert 0.5 * np.abs(real - mimic).sum() < 0.15, (real.round(2), mimic.round(2))

    def test_gap8_hides_runs_of_8(self):
        live = _live("gap8")
        lengths = gap_lengths(~mimic_gaps(live, 0.1, np.random.default_rng(1)))
        assert lengths.size >= 30 and np.all(lengths == 8)

    @pytest.mark.parametrize("spec", ["regular2", "regular3"])
    def test_regular_gaps_give_a_lattice(self, spec):
        live = _live(spec, n_rows=5)
        hidden = mimic_gaps(live, 0.25, np.random.default_rng(2))
        for row in hidden:
            at = np.flatnonzero(row)
            assert at.size >= 5
            assert np.unique(np.diff(at)).size == 1  # evenly spaced: every k-th live trace

    def test_share_and_at_least_two_live(self):
        live = _live("random50")
        hidden = mimic_gaps(live, 0.2, np.random.default_rng(3))
        share = hidden.sum() / live.sum()
        assert 0.18 <= share <= 0.3
        tiny = np.array([[True, True, False, True, False, False]])
        left = tiny & ~mimic_gaps(tiny, 0.9, np.random.default_rng(0))
        assert left.sum() == 2

    def test_deterministic_given_the_generator(self):
        live = _live("random50")
        a = mimic_gaps(live, 0.2, np.random.default_rng(7))
        b = mimic_gaps(live, 0.2, np.random.default_rng(7))
        c = mimic_gaps(live, 0.2, np.random.default_rng(8))
        assert np.array_equal(a, b) and not np.array_equal(a, c)

    def test_full_gathers_hide_single_traces(self):
        live = np.ones((3, 50), dtype=bool)
        lengths = gap_lengths(~mimic_gaps(live, 0.2, np.random.default_rng(0)))
        assert np.all(lengths == 1) and lengths.size == 30

    def test_bad_share(self):
        with pytest.raises(SeisfillError, match="share"):
            mimic_gaps(np.ones(10, bool), 1.5, np.random.default_rng(0))
