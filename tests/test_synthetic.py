"""Tests for seisfill.synthetic: wavelets, gathers, sections, cubes and SEG-Y files."""

from __future__ import annotations

import filecmp

import numpy as np
import pytest
import segyio

from seisfill.errors import SeisfillError
from seisfill.synthetic import (
    COORDINATE_SCALAR,
    ELEVATION_SCALAR,
    Wavelet,
    iter_synthetic_segy_gathers,
    make_offsets,
    minimum_phase,
    ormsby,
    phase_rotate,
    random_gather,
    random_wavelet,
    ricker,
    synthetic_cube,
    synthetic_gather,
    synthetic_section,
    write_synthetic_segy,
)

DT = 0.002
TF = segyio.TraceField


def amplitude_spectrum(x: np.ndarray, dt: float, nfft: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies (Hz) and amplitude spectrum along the last axis, averaged over the others."""
    spec = np.abs(np.fft.rfft(np.asarray(x, dtype=np.float64), nfft, axis=-1))
    return np.fft.rfftfreq(nfft, dt), spec.reshape(-1, spec.shape[-1]).mean(axis=0)


def peak_times(data: np.ndarray, dt: float) -> np.ndarray:
    """Time of the largest |sample| of each trace, refined by a parabola through 3 samples, s."""
    d = data.astype(np.float64)
    rows = np.arange(d.shape[0])
    i = np.clip(np.argmax(np.abs(d), axis=1), 1, d.shape[1] - 2)
    y0, y1, y2 = d[rows, i - 1], d[rows, i], d[rows, i + 1]
    return (i + 0.5 * (y0 - y2) / (y0 - 2.0 * y1 + y2)) * dt


def snr_db(signal: np.ndarray, noise: np.ndarray) -> float:
    s, n = signal.astype(np.float64), noise.astype(np.float64)
    return float(10.0 * np.log10(np.sum(s**2) / np.sum(n**2)))


# --------------------------------------------------------------------- wavelets


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


# ---------------------------------------------------------------------- gathers


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
        make_offsets(10, spread="both")  # type: ignore[arg-type]
    with pytest.raises(SeisfillError):
        synthetic_gather(10, 100, DT, water_depth=5000.0)


# --------------------------------------------------------------- section, cube


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


# ------------------------------------------------------------------------ SEG-Y


SEGY_ARGS = {"n_gathers": 6, "traces_per_gather": 24, "nt": 250, "dt": DT, "seed": 9}


def test_write_segy_headers_data_and_gaps(tmp_path) -> None:
    path = tmp_path / "a.sgy"
    summary = write_synthetic_segy(path, **SEGY_ARGS, dead_fraction=0.1, drop_fraction=0.05)
    n_slots = 6 * 24
    n_drop = round(0.05 * n_slots)
    assert summary.n_traces == n_slots - n_drop and summary.dropped.shape == (n_drop, 2)
    n_dead = round(0.1 * summary.n_traces)
    assert summary.dead_traces.size == n_dead
    assert summary.dead_flagged.sum() == (n_dead + 1) // 2
    shots = list(iter_synthetic_segy_gathers(**SEGY_ARGS, dead_fraction=0.1, drop_fraction=0.05))
    expected = np.concatenate([s.data for s in shots])
    spread = make_offsets(24, dx=25.0)

    with segyio.open(path, ignore_geometry=True) as f:
        assert f.tracecount == summary.n_traces == expected.shape[0]
        assert f.bin[segyio.BinField.Samples] == 250 and f.bin[segyio.BinField.Interval] == 2000
        assert f.bin[segyio.BinField.Format] == 5
        assert (
            "SYNTHETIC" in f.text[0].decode("ascii", "replace") and "SEED 9" in f.text[0].decode()
        )
        data = f.trace.raw[:]
        h = {
            name: f.attributes(getattr(TF, name))[:]
            for name in (
                "TRACE_SEQUENCE_LINE",
                "FieldRecord",
                "TraceNumber",
                "offset",
                "TraceIdentificationCode",
                "SourceX",
                "GroupX",
                "SourceY",
                "SourceGroupScalar",
                "ElevationScalar",
                "ReceiverGroupElevation",
                "CDP",
                "TRACE_SAMPLE_COUNT",
                "TRACE_SAMPLE_INTERVAL",
            )
        }

    np.testing.assert_array_equal(data, expected)  # what was generated is what was written
    np.testing.assert_array_equal(h["TRACE_SEQUENCE_LINE"], np.arange(1, summary.n_traces + 1))
    assert np.all(h["TRACE_SAMPLE_COUNT"] == 250) and np.all(h["TRACE_SAMPLE_INTERVAL"] == 2000)
    # offsets equal the spread's, and the scaled coordinates agree with them
    np.testing.assert_array_equal(h["offset"], spread[h["TraceNumber"] - 1])
    assert COORDINATE_SCALAR == -100 and np.all(h["SourceGroupScalar"] == COORDINATE_SCALAR)
    np.testing.assert_allclose((h["GroupX"] - h["SourceX"]) / 100.0, h["offset"])
    assert np.all(h["SourceY"] / 100.0 == 6_200_000.0)
    assert np.all(h["ElevationScalar"] == ELEVATION_SCALAR)
    assert (
        40.0
        < (h["ReceiverGroupElevation"] / 100.0).min()
        < (h["ReceiverGroupElevation"] / 100.0).max()
        < 250.0
    )
    # shots step along the line, and CDPs are midpoint bins
    src = h["SourceX"][np.unique(h["FieldRecord"], return_index=True)[1]] / 100.0
    np.testing.assert_allclose(np.diff(src), 50.0)
    mid = (h["SourceX"] + h["GroupX"]) / 200.0
    np.testing.assert_allclose(
        np.diff(mid[np.argsort(h["CDP"])])[np.diff(np.sort(h["CDP"])) == 1], 12.5
    )
    # dead traces: all zero; the flagged half has code 2, the rest code 1
    assert not np.any(data[summary.dead_traces])
    np.testing.assert_array_equal(h["TraceIdentificationCode"][summary.dead_flagged_traces], 2)
    live_code = np.delete(h["TraceIdentificationCode"], summary.dead_flagged_traces)
    assert np.all(live_code == 1) and summary.dead_unflagged_traces.size == n_dead // 2
    live = np.delete(np.arange(summary.n_traces), summary.dead_traces)
    assert np.all(np.abs(data[live]).max(axis=1) > 0)
    # dropped slots leave gaps in TraceNumber, exactly where reported
    ffid0 = h["FieldRecord"].min()
    for g in range(6):
        present = set(h["TraceNumber"][h["FieldRecord"] == ffid0 + g].tolist())
        missing = set(summary.dropped[summary.dropped[:, 0] == g, 1].tolist())
        assert present | missing == set(range(1, 25)) and not present & missing


def test_write_segy_is_byte_deterministic(tmp_path) -> None:
    a = write_synthetic_segy(tmp_path / "a.sgy", **SEGY_ARGS, dead_fraction=0.05)
    b = write_synthetic_segy(tmp_path / "b.sgy", **SEGY_ARGS, dead_fraction=0.05)
    c = write_synthetic_segy(tmp_path / "c.sgy", **{**SEGY_ARGS, "seed": 10}, dead_fraction=0.05)
    assert filecmp.cmp(a.path, b.path, shallow=False)
    assert not filecmp.cmp(a.path, c.path, shallow=False)
    assert a.bytes == 3600 + a.n_traces * (240 + 4 * 250)


@pytest.mark.parametrize(("fmt", "endian"), [(1, "little"), (3, "big"), (2, "little"), (8, "big")])
def test_write_segy_other_formats(tmp_path, fmt: int, endian: str) -> None:
    path = tmp_path / "f.sgy"
    s = write_synthetic_segy(
        path, 3, 16, 200, 0.004, 4, sample_format=fmt, endian=endian, dead_fraction=0.1
    )
    expected = np.concatenate(
        [
            g.data
            for g in iter_synthetic_segy_gathers(
                3, 16, 200, 0.004, 4, sample_format=fmt, dead_fraction=0.1
            )
        ]
    )
    with segyio.open(path, ignore_geometry=True, endian=endian) as f:
        assert f.bin[segyio.BinField.Format] == fmt
        data = f.trace.raw[:].astype(np.float32)
        assert f.header[0][TF.TRACE_SAMPLE_INTERVAL] == 4000
    if fmt == 1:  # IBM float holds 21-24 mantissa bits
        assert s.int_scale is None
        np.testing.assert_allclose(data, expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max())
    else:
        assert s.int_scale is not None and np.all(expected == np.rint(expected))
        np.testing.assert_array_equal(data, expected)
        assert np.abs(expected).max() > 0.2 * np.iinfo(
            {2: np.int32, 3: np.int16, 8: np.int8}[fmt]
        ).max / (1 if fmt != 2 else 2**31 / 2**23)


def test_write_segy_rejects_bad_options(tmp_path) -> None:
    with pytest.raises(SeisfillError):
        write_synthetic_segy(tmp_path / "x.sgy", 2, 8, 100, DT, sample_format=4)
    with pytest.raises(SeisfillError):
        write_synthetic_segy(tmp_path / "x.sgy", 2, 8, 100, DT, dead_fraction=1.0)
    with pytest.raises(SeisfillError):
        write_synthetic_segy(tmp_path / "x.sgy", 2, 8, 100, 0.0020005)
    with pytest.raises(SeisfillError):
        write_synthetic_segy(tmp_path / "x.sgy", 2, 8, 100, DT, endian="middle")  # type: ignore[arg-type]
