"""Pre-stack shot and CDP gathers from a random 1-D layered model.

Primaries with hyperbolic moveout, Shuey AVO, spherical divergence and
optional Q, plus what field records add: free-surface multiples, direct and
head waves, dispersive ground roll, statics, a first-break mute and noise at an
exact SNR.  :func:`random_gather` draws every knob (variety for training).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import fft as sp_fft

from seisfill.errors import SeisfillError
from seisfill.synthetic._common import (
    _check_count,
    _check_positive,
    _cosine_ramp,
    _resolve_seed,
    _smooth_noise,
    _streams,
)
from seisfill.synthetic.earth import _V_WATER, LayeredModel, layered_model, make_offsets
from seisfill.synthetic.events import _add_noise, _synthesize
from seisfill.synthetic.wavelets import Wavelet, _as_wavelet

__all__ = ["GatherSynthetic", "synthetic_gather", "random_gather_params", "random_gather"]


@dataclass
class GatherSynthetic:
    """A synthetic pre-stack gather and everything it was made from.

    Attributes
    ----------
    data : ndarray, shape (ntr, nt), float32
        ``clean + parts["noise"]``.
    clean : ndarray, shape (ntr, nt), float32
        Sum of all signal parts (after jitter and mute).
    offsets : ndarray, shape (ntr,), float64
        Signed offsets, m.
    time : ndarray, shape (nt,), float64
        Sample times, s.
    dt : float
        Sample interval, s.
    parts : dict of str to ndarray (ntr, nt) float32
        ``"reflections"`` (primaries), ``"multiples"``, ``"refractions"``
        (direct wave and head waves), ``"ground_roll"``, ``"noise"``.
    model : LayeredModel
    wavelet : Wavelet
    first_break : ndarray, shape (ntr,)
        First-arrival time (direct or head wave, statics included), s.
    statics : ndarray, shape (ntr,)
        Per-trace static shift applied to every event, s.
    seed : int or None
    kind : str
    """

    data: np.ndarray
    clean: np.ndarray
    offsets: np.ndarray
    time: np.ndarray
    dt: float
    parts: dict[str, np.ndarray]
    model: LayeredModel
    wavelet: Wavelet
    first_break: np.ndarray
    statics: np.ndarray
    seed: int | None = None
    kind: str = "shot"

    @property
    def n_traces(self) -> int:
        return int(self.data.shape[0])

    @property
    def nt(self) -> int:
        return int(self.data.shape[1])


def _divergence(t: np.ndarray, v_rms: np.ndarray, v_top: float, t_ref: float = 0.1) -> np.ndarray:
    """Spherical-divergence amplitude factor ``v_top^2 t_ref / (v_rms^2 max(t, t_ref))`` (<= 1)."""
    return v_top**2 * t_ref / (v_rms**2 * np.maximum(t, t_ref))


def _multiple_events(
    model: LayeredModel, n: int, t_max: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``n`` strongest free-surface multiples: (t0, v_rms, amplitude), each shape (m,).

    First-order surface multiples and peg-legs of the 8 shallowest interfaces
    (``t0 = t_j + t_k``, amplitude ``-R_j R_k`` (x2 for the two peg-leg paths),
    RMS velocity of the combined path) plus, for a marine model, sea-floor
    reverberations of order 3-6 (``(-1)^(m-1) R_wb^m``).
    """
    r, t0, v = model.intercept, model.t0, model.v_rms
    cands: list[tuple[float, float, float]] = []
    k_max = min(8, t0.size)
    for j in range(k_max):
        for k in range(j, k_max):
            t = t0[j] + t0[k]
            if t < t_max:
                amp = -r[j] * r[k] * (1.0 if j == k else 2.0)
                vv = np.sqrt((v[j] ** 2 * t0[j] + v[k] ** 2 * t0[k]) / t)
                cands.append((t, vv, amp))
    if model.water_depth is not None:
        for order in range(3, 7):
            t = order * t0[0]
            if t < t_max:
                cands.append((t, v[0], (-1.0) ** (order - 1) * r[0] ** order))
    cands.sort(key=lambda c: -abs(c[2]))
    chosen = np.array(cands[:n], dtype=np.float64).reshape(-1, 3)
    return chosen[:, 0], chosen[:, 1], chosen[:, 2]


def _first_arrivals(
    model: LayeredModel, x: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Direct wave and head waves.

    Land: a weathering layer (500-1000 m/s, 5-30 m thick) over the model, so
    the arrivals are the slow direct wave and head waves along the base of
    weathering and along every model interface faster than everything above
    it.  Marine: the direct water wave and the head waves.  Head-wave
    intercepts and critical distances follow from the layer thicknesses
    (``t_i = 2 sum h_j sqrt(1/v_j^2 - 1/v_r^2)``).  Only head waves that are
    the first arrival somewhere between offset 0 and ``max(x)`` are kept, so
    the first break is the usual piecewise-linear curve.

    Returns
    -------
    times, amps : ndarray, shape (ntr, n_arrivals)
        Arrival times (s, NaN before the critical distance) and relative
        amplitudes (head waves: onset ramp over 100 m; decay ``(100 / x)``
        for the direct wave, ``0.7 (100 / x)^1.4`` for head waves).
    first_break : ndarray, shape (ntr,)
    """
    vp = model.v_interval
    dt_layer = np.diff(np.concatenate([[0.0], model.t0]))
    thick = vp[:-1] * dt_layer / 2.0
    if model.water_depth is None:
        v_w = rng.uniform(500.0, 1000.0)
        h_w = rng.uniform(5.0, 30.0)
        layers_v = np.concatenate([[v_w], vp])
        layers_h = np.concatenate([[h_w], thick])
    else:
        layers_v, layers_h = vp.copy(), thick.copy()
    # (velocity, intercept, critical distance); layer k lies below thickness layers_h[:k]
    arrivals: list[tuple[float, float, float]] = [(float(layers_v[0]), 0.0, 0.0)]
    for k in range(1, layers_v.size):
        vr = layers_v[k]
        if vr <= layers_v[:k].max():
            continue
        vj, hj = layers_v[:k], layers_h[:k]
        sin_c = vj / vr
        t_i = 2.0 * np.sum(hj * np.sqrt(1.0 / vj**2 - 1.0 / vr**2))
        x_c = 2.0 * np.sum(hj * sin_c / np.sqrt(1.0 - sin_c**2))
        arrivals.append((float(vr), float(t_i), float(x_c)))

    def arrival_times(xs: np.ndarray) -> np.ndarray:
        t = np.full((xs.size, len(arrivals)), np.nan)
        for i, (v, t_i, x_c) in enumerate(arrivals):
            exists = xs >= x_c
            t[exists, i] = xs[exists] / v + t_i
        return t

    dense = np.concatenate([np.linspace(0.0, float(np.max(x)), 1024), x])
    t_dense = arrival_times(dense)
    first = np.nanargmin(np.where(np.isfinite(t_dense), t_dense, np.inf), axis=1)
    keep = np.unique(np.concatenate([[0], first]))
    arrivals = [arrivals[i] for i in keep]
    times = arrival_times(x)
    amps = np.zeros_like(times)
    for i, (_, _, x_c) in enumerate(arrivals):
        if i == 0:
            amps[:, i] = 100.0 / np.maximum(x, 100.0)
        else:
            amps[:, i] = (
                0.7 * _cosine_ramp(x, x_c, x_c + 100.0) * (100.0 / np.maximum(x, 100.0)) ** 1.4
            )
    first_break = np.nanmin(times, axis=1)
    return times, np.where(np.isfinite(times), amps, 0.0), first_break


def _ground_roll(
    x: np.ndarray, statics: np.ndarray, nt: int, dt: float, rng: np.random.Generator
) -> np.ndarray:
    """Dispersive Rayleigh waves, synthesised per trace in the frequency domain.

    One or two modes.  Fundamental: Gaussian spectrum centred 5-10 Hz (width
    0.25 fc + 0.5 Hz), phase velocity ``c(f) = c_min + (c_max - c_min) /
    (1 + (f/f_t)^2)`` with ``c_max`` 300-600 m/s, ``c_min`` 150-350 m/s
    (normal dispersion: low frequencies are faster, giving the fan/cone),
    cylindrical spreading ``1/sqrt(x + 30)``, attenuation ``exp(-pi f x /
    (Q c))`` with Q 30-80.  The optional higher mode is 1.3x higher in
    frequency, 1.4x faster and 0.4x as strong.  Frequencies whose group delay
    falls after the record end are tapered out so nothing wraps around.

    Returns
    -------
    ndarray, shape (ntr, nt), unnormalised
    """
    t_end = nt * dt
    nfft = sp_fft.next_fast_len(nt + int(np.ceil(4.0 / dt)))
    freqs = np.fft.rfftfreq(nfft, dt)
    spec = np.zeros((x.size, freqs.size), dtype=np.complex128)
    c_max0 = rng.uniform(300.0, 600.0)
    c_min0 = rng.uniform(150.0, min(0.7 * c_max0, 350.0))
    f_t = rng.uniform(5.0, 12.0)
    fc0 = rng.uniform(5.0, 10.0)
    q = rng.uniform(30.0, 80.0)
    n_modes = int(rng.integers(1, 3))
    for mode in range(n_modes):
        fc = fc0 * (1.3 if mode else 1.0)
        c_max, c_min = (c_max0, c_min0) if mode == 0 else (1.4 * c_max0, 1.4 * c_min0)
        strength = 1.0 if mode == 0 else 0.4
        sig = 0.25 * fc + 0.5
        amp_f = np.exp(-0.5 * ((freqs - fc) / sig) ** 2) * (1.0 - np.exp(-((freqs / 2.0) ** 2)))
        band = amp_f > 1e-4
        f = freqs[band]
        r2 = 1.0 + (f / f_t) ** 2
        c = c_min + (c_max - c_min) / r2
        dcdf = -(c_max - c_min) * 2.0 * f / (f_t**2 * r2**2)
        u = c / (1.0 - f / c * dcdf)  # group velocity (< c for normal dispersion)
        t_group = x[:, None] / u[None, :]
        keep = 1.0 - _cosine_ramp(t_group, t_end + 0.3, t_end + 1.3)
        phase = 2.0 * np.pi * f[None, :] * (
            x[:, None] / c[None, :] + statics[:, None]
        ) + rng.uniform(0, 2 * np.pi)
        atten = np.exp(-np.pi * f[None, :] * x[:, None] / (q * c[None, :]))
        spread = 1.0 / np.sqrt(x[:, None] + 30.0)
        spec[:, band] += (
            strength * amp_f[band][None, :] * keep * atten * spread * np.exp(-1j * phase)
        )
    return np.fft.irfft(spec, nfft, axis=1)[:, :nt]


def _trace_statics(rng: np.random.Generator, ntr: int, statics_ms: float) -> np.ndarray:
    """Per-trace statics, s: 70 % smooth (along the spread) + 30 % white, std ``statics_ms``."""
    if statics_ms <= 0:
        return np.zeros(ntr)
    smooth = _smooth_noise(rng, (1, ntr), (0.0, max(2.0, ntr / 12.0)))[0]
    white = rng.standard_normal(ntr)
    mix = 0.7 * smooth + 0.3 * white
    std = mix.std()
    return statics_ms * 1e-3 * mix / std if std > 0 else np.zeros(ntr)


def _mute_weights(first_break: np.ndarray, nt: int, dt: float, wavelet: Wavelet) -> np.ndarray:
    """0 above the first break, cosine ramp (20 ms) ending where the first-arrival wavelet starts."""
    w = np.abs(wavelet.samples)
    precursor = (wavelet.center - int(np.argmax(w > 0.02))) * wavelet.dt
    t = np.arange(nt) * dt
    stop = first_break[:, None] - precursor
    return _cosine_ramp(t[None, :] - stop, -0.02, 0.0)


def synthetic_gather(
    n_traces: int = 96,
    nt: int = 1000,
    dt: float = 0.002,
    offsets: np.ndarray | None = None,
    seed: int | None = 0,
    *,
    kind: Literal["shot", "cdp"] = "shot",
    spread: Literal["split", "end"] = "split",
    dx: float = 25.0,
    near_offset: float | None = None,
    n_reflectors: int = 30,
    v_range: tuple[float, float] = (1500.0, 4500.0),
    water_depth: float | None = None,
    wavelet: Wavelet | np.ndarray | float | None = None,
    avo: bool = True,
    divergence: bool = True,
    q: float | None = None,
    n_multiples: int = 0,
    refractions: bool = False,
    refraction_strength: float = 3.0,
    ground_roll: bool = False,
    ground_roll_strength: float = 5.0,
    mute: bool = False,
    statics_ms: float = 0.0,
    amp_jitter: float = 0.0,
    noise_snr_db: float | None = 20.0,
) -> GatherSynthetic:
    """Synthetic pre-stack shot or CDP gather from a random 1-D layered model.

    Primaries follow ``t(x) = sqrt(t0^2 + x^2 / v_rms^2)`` (Dix RMS velocity),
    with Shuey AVO ``A + B sin^2(theta)``, ``sin(theta) = v_int x /
    (v_rms^2 t(x))`` (ray parameter of the hyperbola, clipped at 0.7), placed
    with sub-sample accuracy and convolved with the wavelet (raw gathers keep
    the wavelet shape; NMO stretch appears when they are NMO-corrected).

    Parameters
    ----------
    n_traces, nt, dt : int, int, float
        Gather size and sample interval (s).  ``n_traces`` is ignored when
        ``offsets`` is given.
    offsets : ndarray, shape (ntr,), optional
        Signed offsets, m; default from :func:`make_offsets` with ``kind``,
        ``spread``, ``dx`` and ``near_offset``.
    seed : int, optional
        Same seed, same gather (bit for bit); None draws one from the OS
        (recorded in the result's ``seed``).
    kind, spread, dx, near_offset
        Geometry, see :func:`make_offsets`.
    n_reflectors : int
        Number of interfaces in the model.
    v_range : (float, float)
        Interval-velocity range, m/s (trend increases with depth).
    water_depth : float, optional
        Marine model: water layer of this depth (m); strong sea-floor
        reflection and, with ``n_multiples``, its reverberations.
    wavelet : Wavelet, ndarray, float or None
        None: :func:`random_wavelet`; float: zero-phase Ricker of that
        frequency (Hz); array: centred custom wavelet.
    avo : bool
        Offset-dependent reflectivity (else ``R = A``).
    divergence : bool
        Spherical-divergence decay ``v_top^2 0.1 / (v_rms^2 t)``.
    q : float, optional
        Constant-Q amplitude attenuation (e.g. 50-250); None: none.
    n_multiples : int
        Number of free-surface multiples / peg-legs added (strongest first).
    refractions : bool
        Add the direct wave and head waves.
    refraction_strength : float
        Peak ``|refractions|`` / peak ``|reflections|`` (before
        ``amp_jitter`` and ``mute``).
    ground_roll : bool
        Add dispersive ground roll (150-600 m/s, 4-15 Hz, cone-shaped).
    ground_roll_strength : float
        Peak ``|ground roll|`` / peak ``|reflections|`` (before
        ``amp_jitter`` and ``mute``).
    mute : bool
        Zero everything above the first break (20 ms cosine ramp ending where
        the first-arrival wavelet begins); the noise is muted too.
    statics_ms : float
        Std of per-trace static time shifts, ms (smooth + random).
    amp_jitter : float
        Std of per-trace log-amplitude (coupling) variation, e.g. 0.2.
    noise_snr_db : float or None
        Band-limited random noise (band ``[max(1.5, f/4), min(3 f, 0.8
        Nyquist)]`` Hz, f the wavelet's dominant frequency) scaled so that
        ``10 log10(sum S^2 / sum noise^2)`` over the gather is exactly this,
        where S is the reflected signal ``parts["reflections"] +
        parts["multiples"]`` (ground roll and refractions are coherent noise
        and do not count); None: no noise.

    Returns
    -------
    GatherSynthetic
    """
    _check_count(nt=nt, n_reflectors=n_reflectors)
    _check_positive(dt=dt)
    seed = _resolve_seed(seed)
    rngs = _streams(
        seed,
        "gather",
        ("model", "wavelet", "offsets", "statics", "refractions", "ground_roll", "jitter", "noise"),
    )
    if offsets is None:
        offsets = make_offsets(
            n_traces,
            kind=kind,
            spread=spread,
            dx=dx,
            near_offset=near_offset,
            seed=int(rngs["offsets"].integers(2**31)),
        )
    offsets = np.asarray(offsets, dtype=np.float64).ravel()
    if offsets.size == 0:
        raise SeisfillError("a gather needs at least one trace")
    ntr = offsets.size
    t_max = nt * dt
    x = np.abs(offsets)
    wav = _as_wavelet(wavelet, dt, rngs["wavelet"])
    model = layered_model(
        rngs["model"], n_reflectors, t_max, v_range=v_range, water_depth=water_depth
    )
    statics = _trace_statics(rngs["statics"], ntr, statics_ms)
    v_top = float(model.v_interval[0])

    # primaries
    vr = model.v_rms[None, :]
    t_ev = np.sqrt(model.t0[None, :] ** 2 + (x[:, None] / vr) ** 2)
    if avo:
        v_int = 0.5 * (model.v_interval[:-1] + model.v_interval[1:])
        amp = model.reflectivity(v_int[None, :] * x[:, None] / (vr**2 * t_ev))
    else:
        amp = np.broadcast_to(model.intercept[None, :], t_ev.shape).copy()
    if divergence:
        amp = amp * _divergence(t_ev, vr, v_top)
    reflections = _synthesize(t_ev + statics[:, None], amp, nt, dt, wav.samples, q)
    peak = float(np.max(np.abs(reflections))) or 1.0

    # multiples
    multiples = np.zeros_like(reflections)
    if n_multiples > 0:
        t0m, vm, am = _multiple_events(model, n_multiples, t_max)
        if t0m.size:
            tm = np.sqrt(t0m[None, :] ** 2 + (x[:, None] / vm[None, :]) ** 2)
            a = am[None, :] * (_divergence(tm, vm[None, :], v_top) if divergence else 1.0)
            multiples = _synthesize(
                tm + statics[:, None], np.broadcast_to(a, tm.shape), nt, dt, wav.samples, q
            )

    # first arrivals
    fa_times, fa_amps, first_break = _first_arrivals(model, x, rngs["refractions"])
    first_break = first_break + statics
    refr = np.zeros_like(reflections)
    if refractions:
        refr = _synthesize(fa_times + statics[:, None], fa_amps, nt, dt, wav.samples, q)
        m = float(np.max(np.abs(refr)))
        if m > 0:
            refr *= refraction_strength * peak / m

    # ground roll
    gr = np.zeros_like(reflections)
    if ground_roll:
        gr = _ground_roll(x, statics, nt, dt, rngs["ground_roll"])
        m = float(np.max(np.abs(gr)))
        if m > 0:
            gr *= ground_roll_strength * peak / m

    parts = {
        "reflections": reflections,
        "multiples": multiples,
        "refractions": refr,
        "ground_roll": gr,
    }
    if amp_jitter > 0:
        gains = np.exp(amp_jitter * rngs["jitter"].standard_normal(ntr))[:, None]
        parts = {k: v * gains for k, v in parts.items()}
    weights = _mute_weights(first_break, nt, dt, wav) if mute else None
    if weights is not None:
        parts = {k: v * weights for k, v in parts.items()}
    clean = sum(parts.values())
    reflected = parts["reflections"] + parts["multiples"]
    reference = reflected if np.any(reflected) else clean
    noise = _add_noise(rngs["noise"], reference, dt, wav, noise_snr_db, weights)
    parts32 = {k: v.astype(np.float32) for k, v in parts.items()}
    parts32["noise"] = noise.astype(np.float32)
    return GatherSynthetic(
        data=(clean + noise).astype(np.float32),
        clean=clean.astype(np.float32),
        offsets=offsets,
        time=np.arange(nt) * dt,
        dt=dt,
        parts=parts32,
        model=model,
        wavelet=wav,
        first_break=first_break,
        statics=statics,
        seed=seed,
        kind=kind,
    )


def random_gather_params(rng: np.random.Generator, t_max: float = 2.0) -> dict[str, Any]:
    """Draw a varied set of :func:`synthetic_gather` keyword arguments.

    kind shot (70 %) / cdp; spread split (60 %) / end; dx in {12.5, 25, 50};
    10-80 reflectors; v_range (1450-1900, 3000-5000) m/s; marine (30 %, water
    50-800 m) else land; AVO (80 %); Q 50-250 (60 %); 1-6 multiples (50 %);
    refractions (50 %); ground roll on land (50 %, strength 1-20); mute (50 %);
    the sea floor is kept within the first 30 % of the record;
    statics 0-8 ms (50 %); amplitude jitter 0-0.3; divergence (80 %); SNR
    0-40 dB (90 %) else noise-free.  The wavelet is left to the gather's seed.

    Parameters
    ----------
    rng : numpy.random.Generator
    t_max : float
        Record length, s (limits the water depth).

    Returns
    -------
    dict
        Keyword arguments for :func:`synthetic_gather`.
    """
    marine = bool(rng.random() < 0.3)
    wd_hi = min(800.0, 0.3 * t_max * _V_WATER / 2.0)
    params: dict[str, Any] = {
        "kind": "shot" if rng.random() < 0.7 else "cdp",
        "spread": "split" if rng.random() < 0.6 else "end",
        "dx": float(rng.choice([12.5, 25.0, 50.0])),
        "n_reflectors": int(rng.integers(10, 81)),
        "v_range": (float(rng.uniform(1450.0, 1900.0)), float(rng.uniform(3000.0, 5000.0))),
        "water_depth": float(rng.uniform(min(50.0, 0.5 * wd_hi), wd_hi)) if marine else None,
        "avo": bool(rng.random() < 0.8),
        "q": float(rng.uniform(50.0, 250.0)) if rng.random() < 0.6 else None,
        "n_multiples": int(rng.integers(1, 7)) if rng.random() < 0.5 else 0,
        "refractions": bool(rng.random() < 0.5),
        "refraction_strength": float(rng.uniform(1.0, 5.0)),
        "ground_roll": (not marine) and bool(rng.random() < 0.5),
        "ground_roll_strength": float(rng.uniform(1.0, 20.0)),
        "mute": bool(rng.random() < 0.5),
        "statics_ms": float(rng.uniform(0.0, 8.0)) if rng.random() < 0.5 else 0.0,
        "amp_jitter": float(rng.uniform(0.0, 0.3)),
        "divergence": bool(rng.random() < 0.8),
        "noise_snr_db": float(rng.uniform(0.0, 40.0)) if rng.random() < 0.9 else None,
    }
    return params


def random_gather(
    seed: int | None = 0, n_traces: int = 96, nt: int = 1000, dt: float = 0.002, **overrides: Any
) -> GatherSynthetic:
    """A gather with every knob drawn by :func:`random_gather_params` (for training variety).

    Parameters
    ----------
    seed : int, optional
        Draws the knobs and then the gather itself.
    n_traces, nt, dt : int, int, float
    **overrides
        Any :func:`synthetic_gather` keyword, taking precedence over the draw
        (e.g. ``noise_snr_db=None`` or ``offsets=...``).

    Returns
    -------
    GatherSynthetic
    """
    seed = _resolve_seed(seed)
    params = random_gather_params(_streams(seed, "random_gather", ("params",))["params"], nt * dt)
    params.update(overrides)
    return synthetic_gather(n_traces, nt, dt, seed=seed, **params)
