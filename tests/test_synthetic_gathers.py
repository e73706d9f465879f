"""Tests for seisfill.synthetic.gathers: moveout, AVO, spectra, noise, ground roll, refractions."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_checks import amplitude_spectrum, snr_db

from seisfill.errors import SeisfillError
from seisfill.synthetic import random_gather, ricker, synthetic_gather

DT = 0.002


def peak_times(data: np.ndarray, dt: float) -> np.ndarray:
    """Time of the largest |sample| of each trace, refined by a parabola through 3 samples, s."""
    d = data.astype(np.float64)
    rows = np.arange(d.shape[0])
    i = np.clip(np.argmax(np.abs(d), axis=1), 1, d.shape[1] - 2)
    y0, y1, y2 = d[rows, i - 1], d[rows, i], d[rows, i + 1]
    return (i + 0.5 * (y0 - y2) / (y0 - 2.0 * y1 + y2)) * dt


def test_gather_is_deterministic_and_typed() -> None:
    kw = {"ground_roll": True, "refractions": True, "n_multiples": 3, "statics_ms": 3.0, "q": 120.0}
    a = synthetic_gather(48, 600, DT, seed=11, **kw)
    b = synthetic_gather(48, 600, DT, seed=11, **kw)
    c = synthetic_gather(48, 600, DT, seed=12, **kw)
    assert a.data.shape == (48, 600) and a.data.dtype == np.float32
    assert a.clean.dtype == np.float32 and a.offsets.shape == (48,) and a.time.shape == (600,)
    assert a.time[1] == pytest.approx(DT)
    assert a.data.tobytes() == b.data.tobytes()
    assert a.data.tobytes() != c.data.tobytes()
    assert set(a.parts) == {"reflections", "multiples", "refractions", "ground_roll", "noise"}
    np.testing.assert_allclose(a.data, a.clean + a.parts["noise"], atol=1e-6)
    # components have their own random streams: switching ground roll off keeps the reflections
    d = synthetic_gather(48, 600, DT, seed=11, **{**kw, "ground_roll": False})
    np.testing.assert_array_equal(d.parts["reflections"], a.parts["reflections"])
    assert not np.any(d.parts["ground_roll"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_moveout_follows_the_hyperbola(seed: int) -> None:
    g = synthetic_gather(
        96,
        1000,
        DT,
        seed=seed,
        n_reflectors=1,
        wavelet=ricker(25.0, DT),
        noise_snr_db=None,
        avo=False,
        divergence=False,
    )
    t0, v = g.model.t0[0], g.model.v_rms[0]
    expected = np.sqrt(t0**2 + (g.offsets / v) ** 2)
    inside = expected < 0.95 * g.time[-1]
    assert inside.sum() > 40
    err = np.abs(peak_times(g.data, DT) - expected)[inside]
    assert err.max() < 0.1 * DT  # sub-sample placement: no staircase
    # the peak amplitude is the reflection coefficient at every offset
    peak = np.max(np.abs(g.data[inside]), axis=1)
    np.testing.assert_allclose(peak, abs(g.model.intercept[0]), rtol=0.03)


def test_avo_follows_shuey() -> None:
    g = synthetic_gather(
        96,
        1000,
        DT,
        seed=3,
        n_reflectors=1,
        wavelet=ricker(25.0, DT),
        noise_snr_db=None,
        avo=True,
        divergence=False,
    )
    m = g.model
    x = np.abs(g.offsets)
    t = np.sqrt(m.t0[0] ** 2 + (x / m.v_rms[0]) ** 2)
    sin = 0.5 * (m.v_interval[0] + m.v_interval[1]) * x / (m.v_rms[0] ** 2 * t)
    expected = m.intercept[0] + m.gradient[0] * np.clip(sin, 0.0, 0.7) ** 2
    i = np.rint(t / DT).astype(int)
    inside = t < 0.95 * g.time[-1]
    measured = np.array(
        [
            g.data[k, i[k] - 1 : i[k] + 2][np.argmax(np.abs(g.data[k, i[k] - 1 : i[k] + 2]))]
            for k in range(96)
        ]
    )
    assert abs(m.gradient[0]) > 0.05  # the amplitude really varies with offset
    assert np.abs(measured - expected)[inside].max() < 0.03 * np.abs(expected).max()


@pytest.mark.parametrize("f0", [15.0, 30.0, 50.0])
def test_spectrum_peaks_at_the_wavelet_frequency(f0: float) -> None:
    g = synthetic_gather(
        96, 1000, DT, seed=4, n_reflectors=60, wavelet=f0, noise_snr_db=None, avo=False
    )
    f, a = amplitude_spectrum(g.data, DT, 2000)
    smooth = np.convolve(a, np.ones(9) / 9, mode="same")
    assert f[np.argmax(smooth)] == pytest.approx(f0, rel=0.25)


@pytest.mark.parametrize("snr", [0.0, 10.0, 25.0])
def test_noise_has_the_requested_snr(snr: float) -> None:
    g = synthetic_gather(
        96,
        800,
        DT,
        seed=2,
        noise_snr_db=snr,
        ground_roll=True,
        refractions=True,
        n_multiples=3,
        mute=True,
    )
    signal = g.parts["reflections"] + g.parts["multiples"]
    assert snr_db(signal, g.data - g.clean) == pytest.approx(snr, abs=1.0)
    assert snr_db(signal, g.parts["noise"]) == pytest.approx(snr, abs=0.05)
    quiet = synthetic_gather(24, 300, DT, seed=2, noise_snr_db=None)
    assert not np.any(quiet.parts["noise"]) and np.array_equal(quiet.data, quiet.clean)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_ground_roll_is_slow_low_frequency_and_cone_shaped(seed: int) -> None:
    g = synthetic_gather(120, 1000, DT, seed=seed, ground_roll=True, noise_snr_db=None)
    gr = g.parts["ground_roll"].astype(np.float64)
    power = np.abs(np.fft.rfft(gr, axis=1)) ** 2
    f = np.fft.rfftfreq(gr.shape[1], DT)
    assert power[:, f < 20.0].sum() / power.sum() > 0.95
    assert np.abs(gr).max() == pytest.approx(5.0 * np.abs(g.parts["reflections"]).max(), rel=1e-4)
    # energy arrives later with offset at 150-600 m/s: a cone centred on the source
    x = np.abs(g.offsets)
    env = np.abs(gr)
    t_peak = g.time[np.argmax(env, axis=1)]
    sel = (
        (x > 300) & (x < 1200) & (env.max(axis=1) > 0)
    )  # slow ground roll may not reach far traces
    v_apparent = x[sel] / t_peak[sel]
    assert np.median(v_apparent) == pytest.approx(375.0, rel=0.7)
    assert env[np.argmin(x)].max() > 5.0 * env[np.argmax(x)].max()


def test_refractions_and_mute() -> None:
    g = synthetic_gather(96, 1000, DT, seed=5, refractions=True, mute=True, noise_snr_db=10.0)
    x = np.abs(g.offsets)
    order = np.argsort(x)
    fb = g.first_break[order]
    assert np.all(np.diff(fb) >= -1e-12)  # first break grows with offset
    slopes = np.diff(fb) / np.maximum(np.diff(x[order]), 1e-9)
    assert np.all(slopes[np.diff(x[order]) > 0] <= 1.0 / 400.0)  # no slower than the weathering
    refr = np.abs(g.parts["refractions"]).max()
    assert refr == pytest.approx(3.0 * np.abs(g.parts["reflections"]).max(), rel=1e-4)
    # everything (noise too) is zero well above the first break
    early = g.time[None, :] < (g.first_break[:, None] - 0.15)
    assert early.any() and not np.any(g.data[early])


def test_marine_multiples() -> None:
    g = synthetic_gather(
        48, 1000, DT, seed=6, water_depth=300.0, n_multiples=4, noise_snr_db=None, wavelet=25.0
    )
    t_wb = 2 * 300.0 / 1500.0
    assert g.model.t0[0] == pytest.approx(t_wb)
    assert g.model.intercept[0] > 0.2  # hard sea floor
    near = int(np.argmin(np.abs(g.offsets)))
    mult = g.parts["multiples"][near]
    window = (g.time > 2 * t_wb - 0.01) & (g.time < 2 * t_wb + 0.03)
    assert np.abs(mult[window]).max() > 0.5 * np.abs(mult).max()  # first sea-floor multiple


def test_random_gathers_vary() -> None:
    gathers = [random_gather(s, 32, 400) for s in range(6)]
    again = random_gather(3, 32, 400)
    assert again.data.tobytes() == gathers[3].data.tobytes()
    assert len({g.wavelet.kind for g in gathers}) >= 2
    assert all(g.data.shape == (32, 400) and np.isfinite(g.data).all() for g in gathers)
    assert random_gather(0, 16, 200, noise_snr_db=None).parts["noise"].max() == 0.0


def test_bad_arguments_raise() -> None:
    with pytest.raises(SeisfillError):
        synthetic_gather(10, 100, -0.002)
    with pytest.raises(SeisfillError):
        synthetic_gather(10, 100, DT, water_depth=5000.0)
