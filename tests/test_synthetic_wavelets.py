"""Tests for seisfill.synthetic.wavelets: Ricker, Ormsby, minimum phase, rotation, random draws."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_checks import amplitude_spectrum

from seisfill.errors import SeisfillError
from seisfill.synthetic import Wavelet, minimum_phase, ormsby, phase_rotate, random_wavelet, ricker

DT = 0.002


def test_ricker_is_centred_and_peaks_at_f0() -> None:
    w = ricker(25.0, DT)
    assert w.size % 2 == 1
    assert np.argmax(w) == w.size // 2 and w[w.size // 2] == pytest.approx(1.0)
    np.testing.assert_allclose(w, w[::-1], atol=1e-12)  # zero phase
    f, a = amplitude_spectrum(w, DT, 1 << 15)
    assert f[np.argmax(a)] == pytest.approx(25.0, abs=0.1)


def test_ormsby_has_a_trapezoid_pass_band() -> None:
    w = ormsby(5.0, 10.0, 40.0, 60.0, DT)
    f, a = amplitude_spectrum(w, DT, 1 << 14)
    a /= a.max()
    assert a[(f >= 12) & (f <= 38)].min() > 0.9
    assert a[f <= 3].max() < 0.15
    assert a[f >= 65].max() < 0.1
    with pytest.raises(SeisfillError):
        ormsby(10.0, 5.0, 40.0, 60.0, DT)


def test_minimum_phase_keeps_spectrum_and_is_causal() -> None:
    w = ricker(30.0, DT, length=0.2)
    m = minimum_phase(w)
    c = w.size // 2
    assert m.shape == w.shape and np.all(m[:c] == 0.0)
    f, a0 = amplitude_spectrum(w, DT)
    _, a1 = amplitude_spectrum(m, DT)
    band = (f > 10) & (f < 60)
    np.testing.assert_allclose(a1[band] / a1.max(), a0[band] / a0.max(), atol=0.03)
    # front-loaded: half its energy arrives well before that of a causal zero-phase copy
    e_min = np.cumsum(m[c:] ** 2) / np.sum(m**2)
    onset = int(np.argmax(np.abs(w) > 1e-3))
    causal = np.concatenate([w[onset:], np.zeros(onset)])
    e_zero = np.cumsum(causal**2) / np.sum(causal**2)
    assert np.argmax(e_min > 0.5) < np.argmax(e_zero > 0.5)
    maximum = m[c:][::-1]  # the time-reversed (maximum-phase) wavelet is the slowest of all
    e_max = np.cumsum(maximum**2) / np.sum(maximum**2)
    assert np.argmax(e_zero > 0.5) < np.argmax(e_max > 0.5)


def test_phase_rotation_keeps_amplitude_spectrum() -> None:
    w = ricker(20.0, DT, length=0.3)
    r = phase_rotate(w, 90.0)
    f, a0 = amplitude_spectrum(w, DT)
    _, a1 = amplitude_spectrum(r, DT)
    band = (f > 5) & (f < 50)
    np.testing.assert_allclose(a1[band] / a1.max(), a0[band] / a0.max(), atol=0.02)
    np.testing.assert_allclose(r, -r[::-1], atol=0.02)  # 90 degrees: odd wavelet
    np.testing.assert_allclose(phase_rotate(w, 180.0), -w, atol=1e-9)


def test_random_wavelet_variety_and_determinism() -> None:
    draws = [random_wavelet(np.random.default_rng(s), DT) for s in range(60)]
    again = random_wavelet(np.random.default_rng(7), DT)
    np.testing.assert_array_equal(again.samples, draws[7].samples)
    assert {d.kind for d in draws} == {
        "ricker",
        "ormsby",
        "minimum_phase_ricker",
        "minimum_phase_ormsby",
    }
    for d in draws:
        assert isinstance(d, Wavelet) and d.samples.size % 2 == 1
        assert np.max(np.abs(d.samples)) == pytest.approx(1.0)
        assert 10.0 * 0.84 <= d.f_dominant <= 60.0 * 1.01
        assert abs(d.phase_deg) <= 60.0
        if d.kind.endswith("ricker"):  # amplitude spectrum peak stays at f0 whatever the phase
            f, a = amplitude_spectrum(d.samples, DT, 1 << 14)
            assert f[np.argmax(a)] == pytest.approx(d.f_dominant, rel=0.1)
    # Nyquist guard: a coarse dt caps the frequency at Nyquist / 3
    coarse = [random_wavelet(np.random.default_rng(s), 0.008) for s in range(20)]
    assert max(d.f_dominant for d in coarse) <= 62.5 / 3.0 * 1.01
