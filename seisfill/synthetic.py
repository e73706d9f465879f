"""Seeded synthetic seismic data: wavelets, gathers, sections, cubes and SEG-Y files.

Everything here is pure numpy/scipy and deterministic: the same ``seed`` gives
bit-identical arrays (and bytes on disk).  Each generator splits its seed with
:class:`numpy.random.SeedSequence` into one independent stream per component
(model, wavelet, statics, ground roll, noise, ...), each used through
:func:`numpy.random.default_rng`, so switching one component on or off leaves
the others unchanged (turning on ground roll does not move the reflectors).

Conventions
-----------
* Arrays are float32 and shaped ``(trace, time)``; cubes ``(inline, crossline, time)``.
* Time is in seconds, starts at 0, ``time = arange(nt) * dt``; offsets and
  coordinates are in metres; velocities in m/s.
* A wavelet is an odd-length array whose time zero is the centre sample
  ``nw // 2`` and whose peak absolute value is 1.  Minimum-phase wavelets are
  zero before their centre sample.
* Events are placed with sub-sample accuracy: each spike is a Kaiser-windowed
  sinc (16 taps) on the sample grid, then convolved with the wavelet, so there
  is no staircase along moveout curves.

Main entry points
-----------------
:func:`synthetic_gather`
    Pre-stack shot or CDP gather from a 1-D layered model (hyperbolic moveout,
    Shuey AVO, spherical divergence, optional Q, multiples, refractions, ground
    roll, statics, first-break mute, noise at an exact SNR).
:func:`random_gather`
    The same with every knob drawn at random: variety for network training.
:func:`synthetic_section`, :func:`synthetic_cube`
    Post-stack 2-D line / 3-D cube with folded, dipping, faulted horizons,
    an unconformity, diffractions and noise.
:func:`write_synthetic_segy`
    A multi-shot SEG-Y file of any size, written gather by gather, with full
    geometry headers, dead traces (flagged and unflagged) and missing channels.
"""

from __future__ import annotations

import os
import time as _time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import segyio
from scipy import fft as sp_fft
from scipy.ndimage import gaussian_filter

from seisfill.errors import SeisfillError

__all__ = [
    "Wavelet",
    "ricker",
    "ormsby",
    "minimum_phase",
    "phase_rotate",
    "random_wavelet",
    "make_offsets",
    "LayeredModel",
    "layered_model",
    "GatherSynthetic",
    "synthetic_gather",
    "random_gather_params",
    "random_gather",
    "SectionSynthetic",
    "synthetic_section",
    "CubeSynthetic",
    "synthetic_cube",
    "SyntheticShot",
    "SyntheticSegySummary",
    "iter_synthetic_segy_gathers",
    "write_synthetic_segy",
    "COORDINATE_SCALAR",
    "ELEVATION_SCALAR",
]

#: SourceGroupScalar written by :func:`write_synthetic_segy`: stored value / 100 = metres.
COORDINATE_SCALAR = -100
#: ElevationScalar written by :func:`write_synthetic_segy`: stored value / 100 = metres.
ELEVATION_SCALAR = -100

_SINC_HALF = 8  # half-length (samples) of the windowed-sinc spike
_KAISER_BETA = 6.0
_MAX_SIN_THETA = 0.7  # Shuey's two-term AVO is clipped beyond ~44 degrees
_V_WATER = 1500.0


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------


def _streams(
    seed: int | None, scope: str, names: tuple[str, ...]
) -> dict[str, np.random.Generator]:
    """One independent ``default_rng`` per ``scope/name``, all derived from ``seed``.

    Each stream is keyed by a CRC of its name (not by position), so streams
    never coincide across functions and adding a stream changes no other.
    """
    entropy = np.random.SeedSequence(seed).entropy
    return {
        name: np.random.default_rng(
            np.random.SeedSequence(entropy, spawn_key=(zlib.crc32(f"{scope}/{name}".encode()),))
        )
        for name in names
    }


def _resolve_seed(seed: int | None) -> int:
    """``seed`` itself, or fresh OS entropy when None (so the result can be recorded and replayed)."""
    return int(np.random.SeedSequence().entropy) if seed is None else int(seed)


def _check_positive(**values: float) -> None:
    for name, value in values.items():
        if not np.isfinite(value) or value <= 0:
            raise SeisfillError(f"{name} must be a positive number, got {value!r}")


def _check_count(**values: int) -> None:
    for name, value in values.items():
        if int(value) != value or value < 1:
            raise SeisfillError(f"{name} must be a positive integer, got {value!r}")


def _cosine_ramp(x: np.ndarray, start: float, stop: float) -> np.ndarray:
    """0 for ``x <= start``, 1 for ``x >= stop``, raised-cosine in between."""
    if stop <= start:
        return (x >= stop).astype(np.float64)
    u = np.clip((x - start) / (stop - start), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * u)


def _smooth_noise(
    rng: np.random.Generator, shape: tuple[int, ...], sigma: tuple[float, ...]
) -> np.ndarray:
    """Gaussian-filtered white noise, rescaled to zero mean and unit std per leading index.

    ``sigma`` (grid points) is given per axis; axis 0 usually has sigma 0 so
    that each row is an independent smooth field.
    """
    white = rng.standard_normal(shape)
    smooth = gaussian_filter(white, sigma=sigma, mode="reflect")
    axes = tuple(range(1, len(shape)))
    smooth -= smooth.mean(axis=axes, keepdims=True)
    std = smooth.std(axis=axes, keepdims=True)
    return smooth / np.where(std > 0, std, 1.0)


def _gamma_times(rng: np.random.Generator, n: int, t_lo: float, t_hi: float) -> np.ndarray:
    """``n`` sorted times in (t_lo, t_hi) with gamma-distributed gaps (thin and thick beds)."""
    gaps = rng.gamma(1.5, size=n + 1)
    return t_lo + (t_hi - t_lo) * np.cumsum(gaps)[:n] / gaps.sum()


# ---------------------------------------------------------------------------
# wavelets
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Wavelet:
    """A source wavelet with its description.

    Attributes
    ----------
    samples : ndarray, shape (nw,)
        Odd length, time zero at ``nw // 2``, peak ``|w|`` = 1.
    dt : float
        Sample interval, s.
    kind : str
        ``"ricker"``, ``"ormsby"``, ``"minimum_phase_ricker"``,
        ``"minimum_phase_ormsby"`` or ``"custom"``.
    f_dominant : float
        Peak frequency of the amplitude spectrum, Hz (Ormsby: the geometric
        centre ``sqrt(f2 * f3)`` of the flat pass band).
    phase_deg : float
        Constant phase rotation applied on top, degrees.
    """

    samples: np.ndarray
    dt: float
    kind: str
    f_dominant: float
    phase_deg: float = 0.0

    @property
    def center(self) -> int:
        """Index of time zero."""
        return self.samples.size // 2

    @property
    def time(self) -> np.ndarray:
        """Sample times relative to time zero, shape (nw,), s."""
        return (np.arange(self.samples.size) - self.center) * self.dt


def _normalise_peak(w: np.ndarray) -> np.ndarray:
    peak = np.max(np.abs(w))
    return w / peak if peak > 0 else w


def _half_length(length: float, dt: float) -> int:
    return max(1, int(np.ceil(0.5 * length / dt - 1e-9)))


def ricker(f0: float, dt: float, length: float | None = None) -> np.ndarray:
    """Zero-phase Ricker (Mexican-hat) wavelet.

    ``w(t) = (1 - 2 (pi f0 t)^2) exp(-(pi f0 t)^2)``; its amplitude spectrum
    peaks exactly at ``f0``.

    Parameters
    ----------
    f0 : float
        Peak frequency, Hz.
    dt : float
        Sample interval, s.
    length : float, optional
        Total length, s; default ``3 / f0`` (the wavelet has decayed below
        1e-6 of its peak there).

    Returns
    -------
    ndarray, shape (nw,)
        Odd length, peak 1 at the centre sample ``nw // 2``.
    """
    _check_positive(f0=f0, dt=dt)
    half = _half_length(3.0 / f0 if length is None else length, dt)
    t = np.arange(-half, half + 1) * dt
    a = (np.pi * f0 * t) ** 2
    return (1.0 - 2.0 * a) * np.exp(-a)


def ormsby(
    f1: float, f2: float, f3: float, f4: float, dt: float, length: float | None = None
) -> np.ndarray:
    """Zero-phase Ormsby (trapezoidal band-pass) wavelet, Hann-tapered.

    The amplitude spectrum ramps up linearly from ``f1`` to ``f2``, is flat to
    ``f3`` and ramps down to ``f4``.

    Parameters
    ----------
    f1, f2, f3, f4 : float
        Corner frequencies, Hz, ``0 <= f1 < f2 <= f3 < f4 <= 1 / (2 dt)``.
    dt : float
        Sample interval, s.
    length : float, optional
        Total length, s; default ``3 / min(f2 - f1, f4 - f3)`` clipped to
        [0.1, 0.5] s.

    Returns
    -------
    ndarray, shape (nw,)
        Odd length, peak 1 at the centre sample.
    """
    _check_positive(dt=dt)
    if not (0 <= f1 < f2 <= f3 < f4 <= 0.5 / dt + 1e-9):
        raise SeisfillError(
            f"Ormsby corners must satisfy 0 <= f1 < f2 <= f3 < f4 <= Nyquist ({0.5 / dt:g} Hz), "
            f"got {f1:g}, {f2:g}, {f3:g}, {f4:g}"
        )
    if length is None:
        length = float(np.clip(3.0 / min(f2 - f1, f4 - f3), 0.1, 0.5))
    half = _half_length(length, dt)
    t = np.arange(-half, half + 1) * dt

    def sq(f: float) -> np.ndarray:
        return np.pi * f**2 * np.sinc(f * t) ** 2

    w = (sq(f4) - sq(f3)) / (f4 - f3) - (sq(f2) - sq(f1)) / (f2 - f1)
    w *= 0.5 + 0.5 * np.cos(np.pi * t / ((half + 1) * dt))
    return _normalise_peak(w)


def minimum_phase(wavelet: np.ndarray) -> np.ndarray:
    """Minimum-phase wavelet with the same amplitude spectrum (cepstral method).

    Parameters
    ----------
    wavelet : ndarray, shape (nw,)
        Any wavelet; only its amplitude spectrum is used.

    Returns
    -------
    ndarray, shape (nw,)
        Zero before the centre sample ``nw // 2`` (time zero), causal after
        it, last quarter cosine-tapered, peak ``|w|`` = 1.
    """
    w = np.asarray(wavelet, dtype=np.float64)
    nw = w.size
    nfft = int(2 ** np.ceil(np.log2(16 * nw)))
    amp = np.abs(np.fft.fft(w, nfft))
    log_amp = np.log(np.maximum(amp, 1e-5 * amp.max()))
    cep = np.fft.ifft(log_amp).real
    fold = np.zeros(nfft)
    fold[0] = cep[0]
    fold[1 : nfft // 2] = 2.0 * cep[1 : nfft // 2]
    fold[nfft // 2] = cep[nfft // 2]
    wmin = np.fft.ifft(np.exp(np.fft.fft(fold))).real
    c = nw // 2
    causal = wmin[: nw - c].copy()
    n_tap = max(1, causal.size // 4)
    causal[-n_tap:] *= 0.5 + 0.5 * np.cos(np.pi * np.arange(1, n_tap + 1) / n_tap)
    out = np.zeros(nw)
    out[c:] = causal
    return _normalise_peak(out)


def phase_rotate(wavelet: np.ndarray, degrees: float) -> np.ndarray:
    """Constant phase rotation ``w cos(phi) - H[w] sin(phi)`` (H: Hilbert transform).

    Parameters
    ----------
    wavelet : ndarray, shape (nw,)
    degrees : float
        Rotation angle; 0 returns the input, 180 flips polarity.

    Returns
    -------
    ndarray, shape (nw,)
        Rotated wavelet, peak ``|w|`` = 1.
    """
    w = np.asarray(wavelet, dtype=np.float64)
    if degrees % 360.0 == 0.0:
        return _normalise_peak(w.copy())
    nw = w.size
    n = 4 * nw  # zero padding keeps the circular Hilbert transform honest
    pad = np.zeros(n)
    pad[nw : 2 * nw] = w
    gain = np.zeros(n)
    gain[0] = 1.0
    gain[1 : (n + 1) // 2] = 2.0
    if n % 2 == 0:
        gain[n // 2] = 1.0
    h = np.imag(np.fft.ifft(np.fft.fft(pad) * gain))[nw : 2 * nw]
    phi = np.deg2rad(degrees)
    return _normalise_peak(w * np.cos(phi) - h * np.sin(phi))


def random_wavelet(
    rng: np.random.Generator,
    dt: float,
    f_range: tuple[float, float] = (10.0, 60.0),
    max_phase_deg: float = 60.0,
) -> Wavelet:
    """Draw a realistic source wavelet.

    Kind: zero-phase Ricker (35 %), zero-phase Ormsby (25 %), minimum-phase
    Ricker (20 %) or minimum-phase Ormsby (20 %).  Dominant frequency
    log-uniform in ``f_range`` but at most Nyquist / 3 (so the spectrum is not
    aliased); Ormsby corners ``f2 = f / 1.6``, ``f3 = 1.6 f``, ``f1 = f2 / 2``,
    ``f4 = 1.4 f3`` (each jittered by up to 15 %); then a constant phase
    rotation uniform in ``[-max_phase_deg, max_phase_deg]``.

    Parameters
    ----------
    rng : numpy.random.Generator
    dt : float
        Sample interval, s.
    f_range : (float, float)
        Range of dominant frequencies, Hz.
    max_phase_deg : float
        Largest absolute phase rotation, degrees.

    Returns
    -------
    Wavelet
    """
    _check_positive(dt=dt)
    nyq = 0.5 / dt
    f_hi = min(f_range[1], nyq / 3.0)
    f_lo = min(f_range[0], f_hi)
    f = float(np.exp(rng.uniform(np.log(f_lo), np.log(f_hi))))
    kinds = ("ricker", "ormsby", "minimum_phase_ricker", "minimum_phase_ormsby")
    kind = kinds[int(rng.choice(4, p=[0.35, 0.25, 0.2, 0.2]))]
    jitter = rng.uniform(0.85, 1.15, size=4)
    if kind.endswith("ricker"):
        w = ricker(f, dt, length=(4.0 if kind.startswith("minimum") else 3.0) / f)
        f_dom = f
    else:
        f2, f3 = f / 1.6 * jitter[1], 1.6 * f * jitter[2]
        f1 = f2 / 2.0 * jitter[0]
        f4 = min(1.4 * f3 * jitter[3], 0.95 * nyq)
        f3 = min(f3, 0.9 * f4)
        f2 = min(f2, f3)
        w = ormsby(f1, f2, f3, f4, dt)
        f_dom = float(np.sqrt(f2 * f3))
    if kind.startswith("minimum"):
        w = minimum_phase(w)
    phase = float(rng.uniform(-max_phase_deg, max_phase_deg)) if max_phase_deg > 0 else 0.0
    w = phase_rotate(w, phase)
    return Wavelet(samples=w, dt=dt, kind=kind, f_dominant=f_dom, phase_deg=phase)


def _as_wavelet(
    wavelet: Wavelet | np.ndarray | float | None, dt: float, rng: np.random.Generator
) -> Wavelet:
    """None -> random; float -> zero-phase Ricker of that frequency; array -> custom."""
    if wavelet is None:
        return random_wavelet(rng, dt)
    if isinstance(wavelet, Wavelet):
        if not np.isclose(wavelet.dt, dt):
            raise SeisfillError(f"wavelet dt {wavelet.dt} differs from data dt {dt}")
        return wavelet
    if np.ndim(wavelet) == 0:
        f0 = float(wavelet)  # type: ignore[arg-type]
        return Wavelet(ricker(f0, dt), dt, "ricker", f0)
    w = np.asarray(wavelet, dtype=np.float64)
    if w.ndim != 1 or w.size % 2 == 0:
        raise SeisfillError("a wavelet array must be 1-D with odd length (time zero at the centre)")
    spec = np.abs(np.fft.rfft(w, 8 * w.size))
    f_dom = float(np.fft.rfftfreq(8 * w.size, dt)[np.argmax(spec)])
    return Wavelet(w, dt, "custom", f_dom)


# ---------------------------------------------------------------------------
# event synthesis (sub-sample placement + convolution)
# ---------------------------------------------------------------------------


def _spike_series(
    times: np.ndarray, amps: np.ndarray, n_ext: int, dt: float, t_start: float
) -> np.ndarray:
    """Band-limited spikes (Kaiser-windowed sinc) on a regular grid.

    times, amps : (ntr, nev); returns (ntr, n_ext) with sample j at ``t_start + j dt``.
    """
    ntr = times.shape[0]
    half = _SINC_HALF
    p = (times - t_start) / dt
    valid = np.isfinite(p) & (amps != 0) & (p > -half) & (p < n_ext + half)
    tr, _ = np.nonzero(valid)
    pv = p[valid]
    av = amps[valid]
    if pv.size == 0:
        return np.zeros((ntr, n_ext))
    n0 = np.floor(pv).astype(np.int64)
    idx = n0[:, None] + np.arange(-half + 1, half + 1)[None, :]
    u = idx - pv[:, None]
    win = np.i0(_KAISER_BETA * np.sqrt(np.clip(1.0 - (u / half) ** 2, 0.0, None))) / np.i0(
        _KAISER_BETA
    )
    w = np.sinc(u) * win * av[:, None]
    ok = (idx >= 0) & (idx < n_ext)
    flat = (tr[:, None] * n_ext + idx)[ok]
    return np.bincount(flat, weights=w[ok], minlength=ntr * n_ext).reshape(ntr, n_ext)


def _centered_filter(w: np.ndarray, gain: np.ndarray, nfft: int) -> np.ndarray:
    """Apply a zero-phase spectral gain (length nfft//2+1) to a centred wavelet."""
    c = w.size // 2
    buf = np.zeros(nfft)
    buf[: w.size - c] = w[c:]
    buf[nfft - c :] = w[:c]
    out = np.fft.irfft(np.fft.rfft(buf) * gain, nfft)
    return np.concatenate([out[nfft - c :], out[: w.size - c]])


def _synthesize(
    times: np.ndarray,
    amps: np.ndarray,
    nt: int,
    dt: float,
    wavelet: np.ndarray,
    q: float | None = None,
    chunk: int = 2048,
) -> np.ndarray:
    """Sum of wavelets at arbitrary (sub-sample) times.

    Parameters
    ----------
    times, amps : ndarray, shape (ntr, nev)
        Event times (s; NaN = absent) and amplitudes.
    nt, dt : int, float
        Output grid, time zero at sample 0.
    wavelet : ndarray, shape (nw,)
        Centred wavelet.
    q : float, optional
        Constant-Q amplitude attenuation ``exp(-pi f t / Q)`` applied to each
        event according to its time (zero-phase, interpolated between 6 time
        knots).

    Returns
    -------
    ndarray, shape (ntr, nt), float64
    """
    times = np.atleast_2d(np.asarray(times, dtype=np.float64))
    amps = np.broadcast_to(np.asarray(amps, dtype=np.float64), times.shape)
    ntr = times.shape[0]
    c = wavelet.size // 2
    pad = c + _SINC_HALF + 2
    n_ext = nt + 2 * pad
    nfft = sp_fft.next_fast_len(n_ext + wavelet.size)
    t_start = -pad * dt

    if q is None:
        wavelets = [wavelet]
        knot_weights = [np.ones_like(times)]
    else:
        n_knots = 6
        knots = np.linspace(0.0, nt * dt, n_knots)
        pos = np.clip(np.nan_to_num(times, nan=0.0) / knots[1], 0.0, n_knots - 1.0)
        j0 = np.minimum(np.floor(pos).astype(np.int64), n_knots - 2)
        frac = pos - j0
        freqs = np.fft.rfftfreq(nfft, dt)
        wavelets, knot_weights = [], []
        for j, tk in enumerate(knots):
            wavelets.append(_centered_filter(wavelet, np.exp(-np.pi * freqs * tk / q), nfft))
            knot_weights.append(
                np.where(j0 == j, 1.0 - frac, 0.0) + np.where(j0 + 1 == j, frac, 0.0)
            )
    spectra = [sp_fft.rfft(np.concatenate([w, np.zeros(nfft - w.size)])) for w in wavelets]

    out = np.empty((ntr, nt))
    for a in range(0, ntr, chunk):
        b = min(ntr, a + chunk)
        acc = np.zeros((b - a, nfft // 2 + 1), dtype=np.complex128)
        for spec, kw in zip(spectra, knot_weights, strict=True):
            series = _spike_series(times[a:b], amps[a:b] * kw[a:b], n_ext, dt, t_start)
            acc += sp_fft.rfft(series, nfft, axis=1) * spec[None, :]
        full = sp_fft.irfft(acc, nfft, axis=1)
        out[a:b] = full[:, c + pad : c + pad + nt]
    return out


def _band_limited_noise(
    rng: np.random.Generator, shape: tuple[int, ...], dt: float, f_lo: float, f_hi: float
) -> np.ndarray:
    """Gaussian noise band-passed to ``[f_lo, f_hi]`` Hz (cosine ramps), unit rms; time on the last axis."""
    nt = shape[-1]
    white = rng.standard_normal(shape)
    freqs = np.fft.rfftfreq(nt, dt)
    nyq = 0.5 / dt
    gain = _cosine_ramp(freqs, 0.5 * f_lo, f_lo) * (
        1.0 - _cosine_ramp(freqs, f_hi, min(1.3 * f_hi, nyq))
    )
    noise = np.fft.irfft(np.fft.rfft(white, axis=-1) * gain, nt, axis=-1)
    rms = np.sqrt(np.mean(noise**2))
    return noise / rms if rms > 0 else noise


def _noise_band(wavelet: Wavelet) -> tuple[float, float]:
    nyq = 0.5 / wavelet.dt
    f_hi = min(0.8 * nyq, 3.0 * wavelet.f_dominant)
    return min(max(1.5, 0.25 * wavelet.f_dominant), 0.5 * f_hi), f_hi


def _add_noise(
    rng: np.random.Generator,
    clean: np.ndarray,
    dt: float,
    wavelet: Wavelet,
    snr_db: float | None,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Noise scaled so that ``10 log10(sum clean^2 / sum noise^2) == snr_db`` exactly."""
    if snr_db is None:
        return np.zeros_like(clean)
    f_lo, f_hi = _noise_band(wavelet)
    noise = _band_limited_noise(rng, clean.shape, dt, f_lo, f_hi)
    if weights is not None:
        noise *= weights
    e_signal = float(np.sum(clean.astype(np.float64) ** 2))
    e_noise = float(np.sum(noise**2))
    if e_signal == 0 or e_noise == 0:
        return np.zeros_like(clean)
    return noise * np.sqrt(e_signal / (e_noise * 10.0 ** (snr_db / 10.0)))


# ---------------------------------------------------------------------------
# geometry and layered model
# ---------------------------------------------------------------------------


def make_offsets(
    n_traces: int,
    *,
    kind: Literal["shot", "cdp"] = "shot",
    spread: Literal["split", "end"] = "split",
    dx: float = 25.0,
    near_offset: float | None = None,
    seed: int | None = 0,
) -> np.ndarray:
    """Source-receiver offsets of one gather.

    Parameters
    ----------
    n_traces : int
        Number of channels.
    kind : {"shot", "cdp"}
        ``"shot"``: regular spread; ``"cdp"``: irregular positive offsets
        (nominal ``near_offset + k dx`` jittered by up to ``0.45 dx``, 15 % of
        them moved by a further ``+-dx``, sorted), as in a CMP gather of a
        land survey.
    spread : {"split", "end"}
        Shot gathers only.  ``"split"``: channels ``1..n//2`` at negative
        offsets ``-(near + k dx)`` (far first), the rest positive; ``"end"``:
        all positive, ``near + k dx``.
    dx : float
        Group interval (nominal offset increment), m; typically 12.5-50.
    near_offset : float, optional
        Smallest absolute offset, m; default ``dx`` (split) or ``2 dx``.
    seed : int, optional
        Used only for ``kind="cdp"``.

    Returns
    -------
    ndarray, shape (n_traces,), float64
        Signed offsets, m (receiver x minus source x).
    """
    _check_count(n_traces=n_traces)
    _check_positive(dx=dx)
    if kind == "cdp":
        near = 2.0 * dx if near_offset is None else near_offset
        rng = np.random.default_rng(seed)
        base = near + dx * np.arange(n_traces)
        jitter = rng.uniform(-0.45, 0.45, n_traces) * dx
        moved = (rng.random(n_traces) < 0.15) * rng.choice([-1.0, 1.0], n_traces) * dx
        return np.sort(np.abs(base + jitter + moved))
    if kind != "shot":
        raise SeisfillError(f"kind must be 'shot' or 'cdp', got {kind!r}")
    if spread == "split":
        near = dx if near_offset is None else near_offset
        n_left = n_traces // 2
        left = -(near + dx * np.arange(n_left))[::-1]
        right = near + dx * np.arange(n_traces - n_left)
        return np.concatenate([left, right]).astype(np.float64)
    if spread == "end":
        near = 2.0 * dx if near_offset is None else near_offset
        return near + dx * np.arange(n_traces, dtype=np.float64)
    raise SeisfillError(f"spread must be 'split' or 'end', got {spread!r}")


@dataclass(frozen=True)
class LayeredModel:
    """A 1-D layered earth: ``n`` interfaces between ``n + 1`` layers.

    Attributes
    ----------
    t0 : ndarray, shape (n,)
        Two-way zero-offset time of each interface, s (increasing).
    v_interval, vs, rho : ndarray, shape (n + 1,)
        P velocity (m/s), S velocity (m/s) and density (g/cm^3) of each layer;
        layer ``k`` lies above interface ``k``, the last is the half-space.
    v_rms : ndarray, shape (n,)
        Dix RMS velocity down to each interface, m/s.
    depth : ndarray, shape (n,)
        Depth of each interface, m.
    intercept, gradient : ndarray, shape (n,)
        Shuey two-term AVO coefficients: ``R(theta) = A + B sin^2(theta)``.
    water_depth : float or None
        Depth of the water layer (layer 0) for a marine model, m.
    """

    t0: np.ndarray
    v_interval: np.ndarray
    vs: np.ndarray
    rho: np.ndarray
    v_rms: np.ndarray
    depth: np.ndarray
    intercept: np.ndarray
    gradient: np.ndarray
    water_depth: float | None = None

    def reflectivity(self, sin_theta: np.ndarray | float) -> np.ndarray:
        """Shuey ``A + B sin^2(theta)``, broadcast over the last axis (interfaces)."""
        s = np.clip(sin_theta, 0.0, _MAX_SIN_THETA)
        return self.intercept + self.gradient * s**2


def layered_model(
    rng: np.random.Generator,
    n_reflectors: int,
    t_max: float,
    *,
    v_range: tuple[float, float] = (1500.0, 4500.0),
    water_depth: float | None = None,
) -> LayeredModel:
    """Draw a random layered model.

    Interface times have gamma-distributed gaps between ``0.06 t_max`` (or the
    sea floor) and ``0.95 t_max``.  Interval velocity follows a compaction
    trend ``v_lo + (v_hi - v_lo) (t / t_max)^p`` (``p`` in [0.6, 1.2]) with
    +-7 % (lognormal) layer-to-layer lithology fluctuations, clipped to
    ``v_range``, so reflection coefficients have both signs.  Density from
    Gardner (``0.31 v^0.25``, +-2 %), Vp/Vs from 3.2 - 0.35 Vp[km/s] clipped
    to [1.6, 3.0] (+-4 %).  With ``water_depth`` the top layer is water
    (1500 m/s, 1.03 g/cm^3, Vs = 0) and the sea floor is the first interface.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_reflectors : int
        Number of interfaces (including the sea floor).
    t_max : float
        Record length, s.
    v_range : (float, float)
        Smallest and largest interval velocity, m/s.
    water_depth : float, optional
        Water depth, m.

    Returns
    -------
    LayeredModel
    """
    _check_count(n_reflectors=n_reflectors)
    v_lo, v_hi = float(v_range[0]), float(v_range[1])
    if not 0 < v_lo <= v_hi:
        raise SeisfillError(f"v_range must be (low, high) with 0 < low <= high, got {v_range}")
    t_end = 0.95 * t_max
    if water_depth is not None:
        t_wb = 2.0 * water_depth / _V_WATER
        if t_wb >= t_end:
            raise SeisfillError(
                f"water depth {water_depth} m puts the sea floor below the record ({t_max} s)"
            )
        rest = (
            _gamma_times(rng, n_reflectors - 1, t_wb + 0.02 * t_max, t_end)
            if n_reflectors > 1
            else []
        )
        t0 = np.concatenate([[t_wb], rest])
        t_top, v_top = t_wb, max(v_lo, rng.uniform(1550.0, 1800.0))
    else:
        t0 = _gamma_times(rng, n_reflectors, 0.06 * t_max, t_end)
        t_top, v_top = 0.0, v_lo
    bounds = np.concatenate([[0.0], t0, [t0[-1] + 0.05 * t_max]])
    mid = 0.5 * (bounds[:-1] + bounds[1:])
    power = rng.uniform(0.6, 1.2)
    frac = np.clip((mid - t_top) / max(t_max - t_top, 1e-9), 0.0, 1.0)
    vp = (v_top + (v_hi - v_top) * frac**power) * np.exp(0.07 * rng.standard_normal(mid.size))
    vp = np.clip(vp, v_lo, v_hi)
    rho = 0.31 * vp**0.25 * np.exp(0.02 * rng.standard_normal(mid.size))
    vp_vs = np.clip(3.2 - 0.35e-3 * vp, 1.6, 3.0) * np.exp(0.04 * rng.standard_normal(mid.size))
    vs = vp / vp_vs
    if water_depth is not None:
        vp[0], rho[0], vs[0] = _V_WATER, 1.03, 0.0

    dvp, dvs, drho = np.diff(vp), np.diff(vs), np.diff(rho)
    avp, avs, arho = 0.5 * (vp[1:] + vp[:-1]), 0.5 * (vs[1:] + vs[:-1]), 0.5 * (rho[1:] + rho[:-1])
    intercept = 0.5 * (dvp / avp + drho / arho)
    gradient = 0.5 * dvp / avp - 2.0 * (avs / avp) ** 2 * drho / arho - 4.0 * avs * dvs / avp**2

    dt_layer = np.diff(np.concatenate([[0.0], t0]))
    v_rms = np.sqrt(np.cumsum(vp[:-1] ** 2 * dt_layer) / t0)
    depth = np.cumsum(vp[:-1] * dt_layer / 2.0)
    return LayeredModel(
        t0=t0,
        v_interval=vp,
        vs=vs,
        rho=rho,
        v_rms=v_rms,
        depth=depth,
        intercept=intercept,
        gradient=gradient,
        water_depth=water_depth,
    )


# ---------------------------------------------------------------------------
# pre-stack gathers
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# post-stack section and cube
# ---------------------------------------------------------------------------


@dataclass
class SectionSynthetic:
    """A synthetic post-stack 2-D line.

    Attributes
    ----------
    data, clean : ndarray, shape (ntr, nt), float32
    x : ndarray, shape (ntr,)
        Trace positions along the line, m.
    time : ndarray, shape (nt,)
    dt : float
    horizons : ndarray, shape (n_reflectors, ntr)
        Two-way time of each horizon after folding and faulting, s.
    reflectivity : ndarray, shape (n_reflectors, ntr)
        Horizon amplitude (0 where eroded below the unconformity).
    faults : list of dict
        ``x0`` (m, at mid record time), ``hade`` (m per s of two-way time),
        ``throw`` (s), ``t_tip`` (s, shallower horizons are unfaulted).
    diffractors : ndarray, shape (n_diffractors, 3)
        ``(x (m), t (s), amplitude)`` of each point scatterer.
    wavelet : Wavelet
    seed : int or None
    """

    data: np.ndarray
    clean: np.ndarray
    x: np.ndarray
    time: np.ndarray
    dt: float
    horizons: np.ndarray
    reflectivity: np.ndarray
    faults: list[dict[str, float]]
    diffractors: np.ndarray
    wavelet: Wavelet
    seed: int | None = None


@dataclass
class CubeSynthetic:
    """A synthetic post-stack 3-D cube.

    Attributes
    ----------
    data, clean : ndarray, shape (n_inline, n_crossline, nt), float32
    inline_coords, crossline_coords : ndarray, shapes (n_inline,), (n_crossline,)
        Positions, m.
    time : ndarray, shape (nt,)
    dt : float
    horizons : ndarray, shape (n_reflectors, n_inline, n_crossline)
        Two-way time of each horizon, s.
    faults : list of dict
        ``azimuth`` (rad), ``center`` (m, m), ``hade``, ``throw``, ``t_tip``,
        ``strike_length``.
    wavelet : Wavelet
    seed : int or None
    """

    data: np.ndarray
    clean: np.ndarray
    inline_coords: np.ndarray
    crossline_coords: np.ndarray
    time: np.ndarray
    dt: float
    horizons: np.ndarray
    faults: list[dict[str, float]]
    wavelet: Wavelet
    seed: int | None = None


def _structure(rng: np.random.Generator, coords: list[np.ndarray]) -> np.ndarray:
    """Folding shape on a 1-D or 2-D grid: sinusoidal folds plus Gaussian domes/basins.

    Zero mean, peak ``|F|`` = 1.
    """
    grids = np.meshgrid(*coords, indexing="ij")
    extent = max(float(np.ptp(c)) for c in coords) or 1.0
    centre = [float(np.mean(c)) for c in coords]
    f = np.zeros(grids[0].shape)
    for _ in range(int(rng.integers(1, 4))):
        az = rng.uniform(0.0, np.pi)
        direction = [np.cos(az), np.sin(az)][: len(coords)]
        proj = sum(d * (g - c0) for d, g, c0 in zip(direction, grids, centre, strict=True))
        f += rng.uniform(0.3, 1.0) * np.sin(
            2 * np.pi * proj / (extent * rng.uniform(0.6, 3.0)) + rng.uniform(0, 2 * np.pi)
        )
    for _ in range(int(rng.integers(1, 3))):
        r2 = sum(
            ((g - (np.min(c) + rng.uniform(-0.1, 1.1) * extent)) / (extent * rng.uniform(0.1, 0.4)))
            ** 2
            for g, c in zip(grids, coords, strict=True)
        )
        f += rng.uniform(-1.5, 1.5) * np.exp(-0.5 * r2)
    f -= f.mean()
    m = np.max(np.abs(f))
    return f / m if m > 0 else f


def _limit_dip(dev: np.ndarray, spacings: tuple[float, ...], max_dip: float) -> np.ndarray:
    """Scale the horizon deviations so that no local dip exceeds ``max_dip`` (s/m)."""
    if dev.shape[1] < 2 and (dev.ndim < 3 or dev.shape[2] < 2):
        return dev
    grads = [
        np.gradient(dev, d, axis=i + 1) for i, d in enumerate(spacings) if dev.shape[i + 1] > 1
    ]
    steepest = float(np.max(np.sqrt(sum(g**2 for g in grads))))
    return dev * (max_dip / steepest) if steepest > max_dip else dev


def _horizon_amplitudes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random-sign, lognormal-magnitude horizon reflectivities (median 0.05), one or two 3x brighter."""
    r = rng.choice([-1.0, 1.0], n) * 0.05 * np.exp(0.5 * rng.standard_normal(n))
    bright = rng.choice(n, size=min(n, int(rng.integers(1, 3))), replace=False)
    r[bright] *= 3.0
    return r


def _diffraction_events(
    points: np.ndarray, positions: np.ndarray, v_of_t: Any, period: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Zero-offset diffraction hyperbolae.

    points : (m, 2 + ndim) rows ``(t_s, amp, *position)``; positions : (ntr, ndim).
    Returns times and amplitudes (ntr, m): ``t = sqrt(t_s^2 + (2 r / v)^2)``,
    amplitude ``amp (t_s / t)^2`` for point scatterers, or, with ``period``
    (edge diffractions), ``amp / (1 + (t - t_s) / period)``.
    """
    if points.size == 0:
        return np.zeros((positions.shape[0], 0)), np.zeros((positions.shape[0], 0))
    ts, amp, loc = points[:, 0], points[:, 1], points[:, 2:]
    r2 = np.sum((positions[:, None, :] - loc[None, :, :]) ** 2, axis=2)
    v = v_of_t(ts)[None, :]
    t = np.sqrt(ts[None, :] ** 2 + 4.0 * r2 / v**2)
    if period is None:
        return t, amp[None, :] * (ts[None, :] / t) ** 2
    return t, amp[None, :] / (1.0 + (t - ts[None, :]) / period)


def synthetic_section(
    n_traces: int = 256,
    nt: int = 512,
    dt: float = 0.004,
    seed: int | None = 0,
    *,
    dx: float = 12.5,
    n_reflectors: int = 40,
    n_faults: int = 1,
    n_diffractors: int = 3,
    max_dip: float = 0.4e-3,
    unconformity: bool = True,
    lateral_variation: float = 0.3,
    v_range: tuple[float, float] = (1800.0, 3500.0),
    wavelet: Wavelet | np.ndarray | float | None = None,
    noise_snr_db: float | None = 20.0,
) -> SectionSynthetic:
    """Synthetic post-stack (zero-offset, unmigrated) 2-D line.

    Horizons ``t_k(x) = t0_k + g_k F(x) + p_k x + u_k(x)``: a common folding
    shape F (sinusoidal folds, a dome or syncline) growing with depth, a
    regional dip, and small independent thickness variations; dips are scaled
    so nothing exceeds ``max_dip``.  An angular unconformity (optional) has
    gently deformed beds above it and truncates the deeper beds that rise
    through it.  Normal faults (dipping planes in x-t with a vertical throw
    of 20-80 ms growing with depth, dying out above a random tip time)
    displace the horizons; each cut horizon edge radiates a diffraction
    (amplitude R/2 at the apex, sign flipping across the shadow boundary so
    the response is continuous, decaying as 1 / (1 + (t - t_apex) f_dom)).  Point scatterers give diffraction hyperbolae with RMS
    velocity rising linearly through ``v_range``.  Horizon amplitudes vary
    laterally (lognormal, smooth, std ``lateral_variation``).

    Parameters
    ----------
    n_traces, nt, dt : int, int, float
    seed : int, optional
        Same seed, same section; None: fresh (recorded in ``seed``).
    dx : float
        Trace spacing, m.
    n_reflectors, n_faults, n_diffractors : int
    max_dip : float
        Largest time dip, s/m (0.4e-3 = 0.4 ms/m = 5 ms/trace at 12.5 m).
        Raise it to make spatially aliased events.
    unconformity : bool
        Add an angular unconformity.
    lateral_variation : float
        Std of the smooth lateral log-amplitude variation of each horizon.
    v_range : (float, float)
        RMS velocity at time 0 and at the record end, m/s (for diffractions).
    wavelet : Wavelet, ndarray, float or None
        As in :func:`synthetic_gather`.
    noise_snr_db : float or None
        Band-limited random noise scaled so that ``10 log10(sum clean^2 /
        sum noise^2)`` is exactly this; None: no noise.

    Returns
    -------
    SectionSynthetic
    """
    _check_count(n_traces=n_traces, nt=nt, n_reflectors=n_reflectors)
    _check_positive(dt=dt, dx=dx, max_dip=max_dip)
    seed = _resolve_seed(seed)
    rngs = _streams(
        seed, "section", ("wavelet", "structure", "amplitude", "faults", "diffractors", "noise")
    )
    rs = rngs["structure"]
    t_max = nt * dt
    x = np.arange(n_traces) * dx
    wav = _as_wavelet(wavelet, dt, rngs["wavelet"])

    t0 = _gamma_times(rs, n_reflectors, 0.05 * t_max, 0.95 * t_max)
    frac = t0 / t_max
    shape = _structure(rs, [x])
    growth = rs.uniform(0.02, 0.2) * (0.3 + 0.7 * frac ** rs.uniform(0.5, 1.5))
    dip = rs.uniform(-1.0, 1.0) * 0.3 * max_dip * (0.5 + frac)
    und = _smooth_noise(rs, (n_reflectors, n_traces), (0.0, rs.uniform(8.0, 30.0))) * rs.uniform(
        0.5e-3, 3e-3
    )
    dev = growth[:, None] * shape[None, :] + dip[:, None] * (x - x.mean())[None, :] + und
    u_idx = -1
    if unconformity and n_reflectors >= 4:
        u_idx = int(rs.integers(n_reflectors // 4, n_reflectors // 2 + 1))
        dev[: u_idx + 1] *= 0.15
        dev[u_idx] += _smooth_noise(rs, (1, n_traces), (0.0, rs.uniform(10.0, 40.0)))[
            0
        ] * rs.uniform(4e-3, 15e-3)
    dev = _limit_dip(dev, (dx,), max_dip)
    horizons = t0[:, None] + dev

    ra = rngs["amplitude"]
    refl = _horizon_amplitudes(ra, n_reflectors)[:, None] * np.exp(
        lateral_variation
        * _smooth_noise(ra, (n_reflectors, n_traces), (0.0, ra.uniform(10.0, 60.0)))
    )
    if u_idx >= 0:
        refl[u_idx + 1 :] *= horizons[u_idx + 1 :] >= horizons[u_idx][None, :]

    rf = rngs["faults"]
    faults: list[dict[str, float]] = []
    edges: list[tuple[float, float, float, float]] = []  # (t, R, x_edge, shadow direction)
    length = max(float(x[-1]), dx)
    for _ in range(n_faults):
        x0 = rf.uniform(0.2, 0.8) * length
        hade = rf.choice([-1.0, 1.0]) * rf.uniform(0.3, 1.0) * min(1500.0, 0.8 / max_dip)
        throw = rf.uniform(0.02, 0.08)
        t_tip = rf.uniform(0.0, 0.4) * t_max
        sgn = float(np.sign(hade))
        faults.append({"x0": x0, "hade": hade, "throw": throw, "t_tip": t_tip})
        for k in range(n_reflectors):
            t = horizons[k]
            s = sgn * (x - (x0 + hade * (t - 0.5 * t_max)))
            hanging = s > 0
            cross = np.flatnonzero(np.diff(hanging.astype(np.int8)))
            if cross.size:
                i = int(cross[0])
                w = s[i] / (s[i] - s[i + 1])
                x_e, t_e = x[i] + w * dx, t[i] + w * (t[i + 1] - t[i])
            else:
                i, x_e, t_e = -1, np.nan, float(np.mean(t))
            thr = (
                throw
                * float(np.clip((t_e - t_tip) / (0.1 * t_max), 0.0, 1.0))
                * (0.7 + 0.6 * t_e / t_max)
            )
            if thr <= 0:
                continue
            horizons[k] = t + thr * hanging
            if i >= 0:
                foot_i, hang_i = (i, i + 1) if hanging[i + 1] else (i + 1, i)
                edges.append((t_e, float(refl[k, foot_i]), x_e, sgn))
                edges.append((t_e + thr, float(refl[k, hang_i]), x_e, -sgn))

    rd = rngs["diffractors"]
    typical = float(np.median(np.abs(refl[refl != 0]))) if np.any(refl != 0) else 0.05
    points = np.column_stack(
        [
            rd.uniform(0.2, 0.9, n_diffractors) * t_max,
            rd.choice([-1.0, 1.0], n_diffractors) * rd.uniform(0.3, 1.0, n_diffractors) * typical,
            rd.uniform(0.0, 1.0, n_diffractors) * length,
        ]
    )
    v0, v1 = v_range

    def v_of_t(t: np.ndarray) -> np.ndarray:
        return v0 + (v1 - v0) * t / t_max

    pos = x[:, None]
    t_d, a_d = _diffraction_events(points, pos, v_of_t)
    ev_t = [horizons.T, t_d]
    ev_a = [refl.T, a_d]
    if edges:
        e = np.array(edges)
        pts = np.column_stack([np.maximum(e[:, 0], dt), 0.5 * e[:, 1], e[:, 2]])
        t_e, a_e = _diffraction_events(pts, pos, v_of_t, period=1.0 / wav.f_dominant)
        side = np.where(e[None, :, 3] * (x[:, None] - e[None, :, 2]) > 0, 1.0, -1.0)
        ev_t.append(t_e)
        ev_a.append(a_e * side)
    clean = _synthesize(
        np.concatenate(ev_t, axis=1), np.concatenate(ev_a, axis=1), nt, dt, wav.samples
    )
    noise = _add_noise(rngs["noise"], clean, dt, wav, noise_snr_db)
    return SectionSynthetic(
        data=(clean + noise).astype(np.float32),
        clean=clean.astype(np.float32),
        x=x,
        time=np.arange(nt) * dt,
        dt=dt,
        horizons=horizons,
        reflectivity=refl,
        faults=faults,
        diffractors=points[:, [2, 0, 1]],
        wavelet=wav,
        seed=seed,
    )


def synthetic_cube(
    n_inline: int = 64,
    n_crossline: int = 64,
    nt: int = 256,
    dt: float = 0.004,
    seed: int | None = 0,
    *,
    d_inline: float = 25.0,
    d_crossline: float = 25.0,
    n_reflectors: int = 30,
    n_faults: int = 1,
    n_diffractors: int = 2,
    max_dip: float = 0.4e-3,
    lateral_variation: float = 0.3,
    v_range: tuple[float, float] = (1800.0, 3500.0),
    wavelet: Wavelet | np.ndarray | float | None = None,
    noise_snr_db: float | None = 20.0,
) -> CubeSynthetic:
    """Synthetic post-stack 3-D cube, shape (n_inline, n_crossline, nt).

    Horizon surfaces combine a 2-D folding shape (folds of random strike,
    domes and basins) growing with depth, regional dips in both directions
    and small independent undulations, limited to ``max_dip`` (s/m, gradient
    magnitude).  Each fault is a dipping plane of random strike whose throw
    (20-80 ms, growing with depth) tapers to zero along strike, so faults die
    out inside the cube.  Point scatterers add 3-D diffraction hyperboloids
    (fault-edge diffractions are not modelled in 3-D).

    Parameters
    ----------
    n_inline, n_crossline, nt, dt : int, int, int, float
    seed : int, optional
        Same seed, same cube; None: fresh (recorded in ``seed``).
    d_inline, d_crossline : float
        Line and trace spacing, m.
    n_reflectors, n_faults, n_diffractors : int
    max_dip, lateral_variation, v_range, wavelet, noise_snr_db
        As in :func:`synthetic_section`.

    Returns
    -------
    CubeSynthetic
    """
    _check_count(n_inline=n_inline, n_crossline=n_crossline, nt=nt, n_reflectors=n_reflectors)
    _check_positive(dt=dt, d_inline=d_inline, d_crossline=d_crossline, max_dip=max_dip)
    seed = _resolve_seed(seed)
    rngs = _streams(
        seed, "cube", ("wavelet", "structure", "amplitude", "faults", "diffractors", "noise")
    )
    rs = rngs["structure"]
    t_max = nt * dt
    y = np.arange(n_inline) * d_inline
    x = np.arange(n_crossline) * d_crossline
    yy, xx = np.meshgrid(y, x, indexing="ij")
    wav = _as_wavelet(wavelet, dt, rngs["wavelet"])

    t0 = _gamma_times(rs, n_reflectors, 0.05 * t_max, 0.95 * t_max)
    frac = t0 / t_max
    shape = _structure(rs, [y, x])
    growth = rs.uniform(0.02, 0.2) * (0.3 + 0.7 * frac ** rs.uniform(0.5, 1.5))
    dip_y, dip_x = rs.uniform(-1.0, 1.0, 2) * 0.2 * max_dip
    scale = 0.5 + frac
    plane = dip_y * (yy - y.mean()) + dip_x * (xx - x.mean())
    sig = rs.uniform(3.0, 10.0)
    und = _smooth_noise(rs, (n_reflectors, n_inline, n_crossline), (0.0, sig, sig)) * rs.uniform(
        0.5e-3, 3e-3
    )
    dev = growth[:, None, None] * shape[None] + scale[:, None, None] * plane[None] + und
    dev = _limit_dip(dev, (d_inline, d_crossline), max_dip)
    horizons = t0[:, None, None] + dev

    ra = rngs["amplitude"]
    sig_a = ra.uniform(4.0, 15.0)
    refl = _horizon_amplitudes(ra, n_reflectors)[:, None, None] * np.exp(
        lateral_variation
        * _smooth_noise(ra, (n_reflectors, n_inline, n_crossline), (0.0, sig_a, sig_a))
    )

    rf = rngs["faults"]
    faults: list[dict[str, float]] = []
    diag = float(np.hypot(np.ptp(y), np.ptp(x))) or max(d_inline, d_crossline)
    for _ in range(n_faults):
        az = rf.uniform(0.0, np.pi)
        cy, cx = rf.uniform(0.25, 0.75) * np.ptp(y), rf.uniform(0.25, 0.75) * np.ptp(x)
        hade = rf.choice([-1.0, 1.0]) * rf.uniform(0.3, 1.0) * min(1500.0, 0.8 / max_dip)
        throw = rf.uniform(0.02, 0.08)
        t_tip = rf.uniform(0.0, 0.4) * t_max
        strike_len = rf.uniform(0.6, 1.5) * diag
        faults.append(
            {
                "azimuth": az,
                "center_y": cy,
                "center_x": cx,
                "hade": hade,
                "throw": throw,
                "t_tip": t_tip,
                "strike_length": strike_len,
            }
        )
        normal = (yy - cy) * np.cos(az) + (xx - cx) * np.sin(az)
        along = -(yy - cy) * np.sin(az) + (xx - cx) * np.cos(az)
        taper = np.clip(1.0 - (along / (0.5 * strike_len)) ** 2, 0.0, 1.0)
        sgn = np.sign(hade)
        for k in range(n_reflectors):
            t = horizons[k]
            hanging = sgn * (normal - hade * (t - 0.5 * t_max)) > 0
            grow = np.clip((t - t_tip) / (0.1 * t_max), 0.0, 1.0) * (0.7 + 0.6 * t / t_max)
            horizons[k] = t + throw * grow * taper * hanging

    rd = rngs["diffractors"]
    typical = float(np.median(np.abs(refl)))
    points = np.column_stack(
        [
            rd.uniform(0.2, 0.9, n_diffractors) * t_max,
            rd.choice([-1.0, 1.0], n_diffractors) * rd.uniform(0.3, 1.0, n_diffractors) * typical,
            rd.uniform(0.0, 1.0, n_diffractors) * np.ptp(y),
            rd.uniform(0.0, 1.0, n_diffractors) * np.ptp(x),
        ]
    )
    v0, v1 = v_range

    def v_of_t(t: np.ndarray) -> np.ndarray:
        return v0 + (v1 - v0) * t / t_max

    pos = np.column_stack([yy.ravel(), xx.ravel()])
    t_d, a_d = _diffraction_events(points, pos, v_of_t)
    times = np.concatenate([horizons.reshape(n_reflectors, -1).T, t_d], axis=1)
    amps = np.concatenate([refl.reshape(n_reflectors, -1).T, a_d], axis=1)
    clean = _synthesize(times, amps, nt, dt, wav.samples).reshape(n_inline, n_crossline, nt)
    noise = _add_noise(rngs["noise"], clean, dt, wav, noise_snr_db)
    return CubeSynthetic(
        data=(clean + noise).astype(np.float32),
        clean=clean.astype(np.float32),
        inline_coords=y,
        crossline_coords=x,
        time=np.arange(nt) * dt,
        dt=dt,
        horizons=horizons,
        faults=faults,
        wavelet=wav,
        seed=seed,
    )


# ---------------------------------------------------------------------------
# SEG-Y survey
# ---------------------------------------------------------------------------

_FORMAT_DTYPES: dict[int, type[np.generic]] = {
    1: np.float32,  # IBM float (segyio converts on write)
    2: np.int32,
    3: np.int16,
    5: np.float32,  # IEEE float
    8: np.int8,
}

#: trace-header words written, in this order (segyio.TraceField names)
_HEADER_WORDS = (
    "TRACE_SEQUENCE_LINE",
    "TRACE_SEQUENCE_FILE",
    "FieldRecord",
    "TraceNumber",
    "EnergySourcePoint",
    "CDP",
    "CDP_TRACE",
    "TraceIdentificationCode",
    "NSummedTraces",
    "NStackedTraces",
    "DataUse",
    "offset",
    "ReceiverGroupElevation",
    "SourceSurfaceElevation",
    "ElevationScalar",
    "SourceGroupScalar",
    "SourceX",
    "SourceY",
    "GroupX",
    "GroupY",
    "CoordinateUnits",
    "CDP_X",
    "CDP_Y",
    "TRACE_SAMPLE_COUNT",
    "TRACE_SAMPLE_INTERVAL",
    "ShotPoint",
)


@dataclass
class SyntheticShot:
    """One shot gather exactly as :func:`write_synthetic_segy` writes it.

    Attributes
    ----------
    gather : int
        0-based gather index.
    first_trace : int
        0-based file index of this gather's first trace.
    data : ndarray, shape (n_kept, nt), float32
        Samples as stored (dead traces zeroed; for integer formats the
        quantised integers).
    channels : ndarray, shape (n_kept,)
        1-based channel numbers (TraceNumber); gaps where traces were dropped.
    offsets : ndarray, shape (n_kept,)
        Exact signed offsets, m (the header holds them rounded to metres).
    headers : dict of str to ndarray (n_kept,) int64
        Every trace-header word written, by segyio name.
    """

    gather: int
    first_trace: int
    data: np.ndarray
    channels: np.ndarray
    offsets: np.ndarray
    headers: dict[str, np.ndarray]


@dataclass
class SyntheticSegySummary:
    """What :func:`write_synthetic_segy` wrote.

    Attributes
    ----------
    path : Path
    n_traces : int
        Traces in the file (slots minus dropped).
    n_gathers, traces_per_gather, nt : int
    dt : float
    sample_format : int
    endian : str
    dead_traces : ndarray (n_dead,) int64
        Sorted 0-based file indices of the dead (all-zero) traces.
    dead_flagged : ndarray (n_dead,) bool
        True where the dead trace also has TraceIdentificationCode 2.
    dropped : ndarray (n_dropped, 2) int64
        ``(gather index 0-based, channel 1-based)`` of each omitted slot.
    int_scale : float or None
        Integer formats: file value = round(amplitude * int_scale).
    seconds : float
        Wall time of the write.
    bytes : int
        File size.
    seed : int or None
    """

    path: Path
    n_traces: int
    n_gathers: int
    traces_per_gather: int
    nt: int
    dt: float
    sample_format: int
    endian: str
    dead_traces: np.ndarray
    dead_flagged: np.ndarray
    dropped: np.ndarray
    int_scale: float | None
    seconds: float = 0.0
    bytes: int = 0
    seed: int | None = None

    @property
    def dead_flagged_traces(self) -> np.ndarray:
        """File indices of dead traces with TraceIdentificationCode 2."""
        return self.dead_traces[self.dead_flagged]

    @property
    def dead_unflagged_traces(self) -> np.ndarray:
        """File indices of all-zero traces still marked live (code 1)."""
        return self.dead_traces[~self.dead_flagged]


@dataclass
class _SurveyPlan:
    n_gathers: int
    tpg: int
    nt: int
    dt: float
    seed: int | None
    sample_format: int
    offsets: np.ndarray  # (tpg,)
    source_x: np.ndarray  # (n_gathers,)
    kept: np.ndarray  # (n_gathers, tpg) bool
    trace_id: np.ndarray  # (n_written,) int: 1 live, 2 flagged dead
    dead: np.ndarray  # (n_written,) bool
    first_ffid: int
    dx: float
    y0: float
    x_station0: float
    mid_min: float
    topo: tuple[float, ...]
    gather_kwargs: dict[str, Any]
    pool_size: int
    noise_snr_db: float | tuple[float, float] | None
    random_polarity: bool
    max_shift: int
    int_scale: float | None = None

    @property
    def n_written(self) -> int:
        return int(self.kept.sum())


def _plan_survey(
    n_gathers: int,
    traces_per_gather: int,
    nt: int,
    dt: float,
    seed: int | None,
    *,
    sample_format: int,
    dead_fraction: float,
    drop_fraction: float,
    spread: Literal["split", "end"],
    dx: float,
    shot_spacing: float | None,
    pool_size: int,
    noise_snr_db: float | tuple[float, float] | None,
    random_polarity: bool,
    max_shift: int,
    first_ffid: int,
    gather_kwargs: Mapping[str, Any] | None,
) -> _SurveyPlan:
    _check_count(
        n_gathers=n_gathers, traces_per_gather=traces_per_gather, nt=nt, pool_size=pool_size
    )
    _check_positive(dt=dt, dx=dx)
    if sample_format not in _FORMAT_DTYPES:
        raise SeisfillError(
            f"sample_format must be one of {sorted(_FORMAT_DTYPES)}, got {sample_format}"
        )
    dt_us = dt * 1e6
    if abs(dt_us - round(dt_us)) > 1e-6 or not 1 <= round(dt_us) <= 65535:
        raise SeisfillError(f"dt must be a whole number of microseconds in 1..65535, got {dt} s")
    if nt > 65535:
        raise SeisfillError(f"nt must be at most 65535 for a SEG-Y rev 1 header, got {nt}")
    for name, frac in (("dead_fraction", dead_fraction), ("drop_fraction", drop_fraction)):
        if not 0.0 <= frac < 1.0:
            raise SeisfillError(f"{name} must be in [0, 1), got {frac}")
    rng = _streams(seed, "survey", ("plan",))["plan"]
    offsets = make_offsets(traces_per_gather, kind="shot", spread=spread, dx=dx)
    spacing = 2.0 * dx if shot_spacing is None else float(shot_spacing)
    _check_positive(shot_spacing=spacing)
    x_origin = 500_000.0 + float(np.max(np.abs(offsets)))
    source_x = x_origin + spacing * np.arange(n_gathers)

    n_slots = n_gathers * traces_per_gather
    kept = np.ones(n_slots, dtype=bool)
    n_drop = int(round(drop_fraction * n_slots))
    if n_drop:
        kept[rng.choice(n_slots, size=n_drop, replace=False)] = False
    n_written = int(kept.sum())
    if n_written == 0:
        raise SeisfillError("drop_fraction leaves no trace to write")
    n_dead = int(round(dead_fraction * n_written))
    dead = np.zeros(n_written, dtype=bool)
    trace_id = np.ones(n_written, dtype=np.int64)
    if n_dead:
        dead_idx = rng.choice(n_written, size=n_dead, replace=False)
        dead[dead_idx] = True
        # ceil(n_dead / 2) flagged, the rest only zeroed
        trace_id[dead_idx[: (n_dead + 1) // 2]] = 2
    topo = tuple(
        float(v)
        for v in rng.uniform([80.0, 5.0, 0.0, 2.0, 0.0], [200.0, 20.0, 2 * np.pi, 8.0, 2 * np.pi])
    )
    return _SurveyPlan(
        n_gathers=n_gathers,
        tpg=traces_per_gather,
        nt=nt,
        dt=dt,
        seed=seed,
        sample_format=sample_format,
        offsets=offsets,
        source_x=source_x,
        kept=kept.reshape(n_gathers, traces_per_gather),
        trace_id=trace_id,
        dead=dead,
        first_ffid=first_ffid,
        dx=dx,
        y0=6_200_000.0,
        x_station0=x_origin + float(offsets.min()),
        mid_min=x_origin + 0.5 * float(offsets.min()),
        topo=topo,
        gather_kwargs=dict(gather_kwargs or {}),
        pool_size=pool_size,
        noise_snr_db=noise_snr_db,
        random_polarity=random_polarity,
        max_shift=max_shift,
    )


def _elevation(plan: _SurveyPlan, xm: np.ndarray) -> np.ndarray:
    """Smooth topography along the line, m."""
    base, a1, p1, a2, p2 = plan.topo
    u = (xm - plan.x_station0) / 1000.0
    return base + a1 * np.sin(2 * np.pi * u / 7.3 + p1) + a2 * np.sin(2 * np.pi * u / 1.9 + p2)


def _survey_pool(
    plan: _SurveyPlan,
) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, Wavelet]:
    """Pool of noise-free gathers, unit-rms noise panels, rms of their reflected signal, wavelet."""
    rngs = _streams(plan.seed, "survey", ("knobs", "pool", "noise"))
    rs = rngs["knobs"]
    params = random_gather_params(rs, plan.nt * plan.dt)
    params.update(noise_snr_db=None, kind="shot")
    params["wavelet"] = random_wavelet(rs, plan.dt)
    params.update(plan.gather_kwargs)
    wav = _as_wavelet(params["wavelet"], plan.dt, rs)
    params["wavelet"] = wav
    pool_seeds = rngs["pool"].integers(0, 2**31, plan.pool_size)
    modelled = [
        synthetic_gather(offsets=plan.offsets, nt=plan.nt, dt=plan.dt, seed=int(s), **params)
        for s in pool_seeds
    ]
    gathers = [g.clean for g in modelled]
    f_lo, f_hi = _noise_band(wav)
    noise = [
        _band_limited_noise(rngs["noise"], (plan.tpg, plan.nt), plan.dt, f_lo, f_hi)
        for _ in range(plan.pool_size)
    ]
    rms = np.empty(plan.pool_size)
    for i, g in enumerate(modelled):  # SNR reference as in synthetic_gather: the reflected signal
        reflected = g.parts["reflections"].astype(np.float64) + g.parts["multiples"]
        ref = reflected if np.any(reflected) else g.clean.astype(np.float64)
        rms[i] = np.sqrt(np.mean(ref**2))
    return gathers, noise, rms, wav


def _iter_gathers(plan: _SurveyPlan) -> Iterator[SyntheticShot]:
    gathers, noise_pool, rms, _ = _survey_pool(plan)
    n_g, tpg, nt = plan.n_gathers, plan.tpg, plan.nt
    rv = _streams(plan.seed, "survey", ("variation",))["variation"]
    pick = rv.integers(0, plan.pool_size, n_g)
    gain = 10.0 ** (rv.uniform(-3.0, 3.0, n_g) / 20.0)
    polarity = rv.choice([-1.0, 1.0], n_g) if plan.random_polarity else np.ones(n_g)
    shift = (
        rv.integers(-plan.max_shift, plan.max_shift + 1, n_g)
        if plan.max_shift > 0
        else np.zeros(n_g, int)
    )
    noise_pick = rv.integers(0, plan.pool_size, n_g)
    roll_t = rv.integers(0, nt, n_g)
    roll_x = rv.integers(0, tpg, n_g)
    snr = plan.noise_snr_db
    if snr is None:
        snr_db = np.full(n_g, np.inf)
    elif np.ndim(snr) == 0:
        snr_db = np.full(n_g, float(snr))  # type: ignore[arg-type]
    else:
        lo, hi = snr  # type: ignore[misc]
        snr_db = rv.uniform(lo, hi, n_g)

    fmt_dtype = _FORMAT_DTYPES[plan.sample_format]
    if np.issubdtype(fmt_dtype, np.integer):
        imax = float(np.iinfo(fmt_dtype).max)
        snr_min = float(np.min(snr_db)) if np.all(np.isfinite(snr_db)) else np.inf
        noise_peak = 6.0 * rms / 10.0 ** (snr_min / 20.0)  # ~6 sigma of the noise panels
        peak = max(float(np.max(np.abs(g))) for g in gathers) + float(np.max(noise_peak))
        peak *= 10 ** (3.0 / 20.0)  # largest per-shot gain
        plan.int_scale = min(0.5 * imax, 2.0**23) / (peak if peak > 0 else 1.0)

    x_src = plan.source_x
    gx_all = x_src[:, None] + plan.offsets[None, :]
    cdp_all = (
        np.rint((0.5 * (x_src[:, None] + gx_all) - plan.mid_min) / (0.5 * plan.dx)).astype(np.int64)
        + 1
    )
    cdp_count = np.zeros(int(cdp_all.max()) + 2, dtype=np.int64)
    dt_us = int(round(plan.dt * 1e6))
    channels_all = np.arange(1, tpg + 1)
    station_src = np.rint((x_src - plan.x_station0) / plan.dx).astype(np.int64) + 1001
    elev_src = _elevation(plan, x_src)
    written = 0
    for g in range(n_g):
        keep = plan.kept[g]
        n_keep = int(keep.sum())
        clean = gathers[pick[g]]
        s = int(shift[g])
        data = np.zeros((tpg, nt), dtype=np.float64)
        if s >= 0:
            data[:, s:] = clean[:, : nt - s]
        else:
            data[:, :s] = clean[:, -s:]
        data *= polarity[g] * gain[g]
        if np.isfinite(snr_db[g]):
            panel = np.roll(
                noise_pool[noise_pick[g]], (int(roll_x[g]), int(roll_t[g])), axis=(0, 1)
            )
            data += panel * (rms[pick[g]] * gain[g] / 10.0 ** (snr_db[g] / 20.0))
        data = data[keep]
        sl = slice(written, written + n_keep)
        data[plan.dead[sl]] = 0.0
        if plan.int_scale is not None:
            info = np.iinfo(fmt_dtype)
            data = np.clip(np.rint(data * plan.int_scale), info.min, info.max)
        offs = plan.offsets[keep]
        gx = gx_all[g, keep]
        cdp = cdp_all[g, keep]
        cdp_trace = np.empty(n_keep, dtype=np.int64)
        for j, c in enumerate(cdp):  # CDP_TRACE: running count of traces in each CDP, file order
            cdp_count[c] += 1
            cdp_trace[j] = cdp_count[c]
        seq = np.arange(written + 1, written + n_keep + 1)
        ones = np.ones(n_keep, dtype=np.int64)
        headers = {
            "TRACE_SEQUENCE_LINE": seq,
            "TRACE_SEQUENCE_FILE": seq,
            "FieldRecord": ones * (plan.first_ffid + g),
            "TraceNumber": channels_all[keep],
            "EnergySourcePoint": ones * station_src[g],
            "CDP": cdp,
            "CDP_TRACE": cdp_trace,
            "TraceIdentificationCode": plan.trace_id[sl],
            "NSummedTraces": ones,
            "NStackedTraces": ones,
            "DataUse": ones,
            "offset": np.rint(offs).astype(np.int64),
            "ReceiverGroupElevation": np.rint(_elevation(plan, gx) * 100.0).astype(np.int64),
            "SourceSurfaceElevation": ones * int(round(elev_src[g] * 100.0)),
            "ElevationScalar": ones * ELEVATION_SCALAR,
            "SourceGroupScalar": ones * COORDINATE_SCALAR,
            "SourceX": ones * int(round(x_src[g] * 100.0)),
            "SourceY": ones * int(round(plan.y0 * 100.0)),
            "GroupX": np.rint(gx * 100.0).astype(np.int64),
            "GroupY": ones * int(round(plan.y0 * 100.0)),
            "CoordinateUnits": ones,
            "CDP_X": np.rint(0.5 * (x_src[g] + gx) * 100.0).astype(np.int64),
            "CDP_Y": ones * int(round(plan.y0 * 100.0)),
            "TRACE_SAMPLE_COUNT": ones * nt,
            "TRACE_SAMPLE_INTERVAL": ones * dt_us,
            "ShotPoint": ones * station_src[g],
        }
        yield SyntheticShot(
            gather=g,
            first_trace=written,
            data=data.astype(np.float32),
            channels=channels_all[keep],
            offsets=offs,
            headers=headers,
        )
        written += n_keep


def iter_synthetic_segy_gathers(
    n_gathers: int = 10,
    traces_per_gather: int = 96,
    nt: int = 1000,
    dt: float = 0.002,
    seed: int | None = 0,
    **kwargs: Any,
) -> Iterator[SyntheticShot]:
    """Yield the gathers that :func:`write_synthetic_segy` writes with the same arguments.

    Useful to check a file against what was generated, or to stream the same
    survey straight into memory.  Accepts the keyword arguments of
    :func:`write_synthetic_segy` except ``path`` and ``endian``.

    Yields
    ------
    SyntheticShot
    """
    kwargs.pop("endian", None)
    plan = _plan_survey(n_gathers, traces_per_gather, nt, dt, seed, **_plan_kwargs(kwargs))
    yield from _iter_gathers(plan)


def _plan_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "sample_format": 5,
        "dead_fraction": 0.0,
        "drop_fraction": 0.0,
        "spread": "split",
        "dx": 25.0,
        "shot_spacing": None,
        "pool_size": 8,
        "noise_snr_db": (10.0, 30.0),
        "random_polarity": True,
        "max_shift": 4,
        "first_ffid": 1001,
        "gather_kwargs": None,
    }
    unknown = set(kwargs) - set(defaults)
    if unknown:
        raise SeisfillError(
            f"unknown keyword(s) for the synthetic survey: {', '.join(sorted(unknown))}"
        )
    defaults.update(kwargs)
    return defaults


def _text_header(
    plan: _SurveyPlan, endian: str, dead_fraction: float, drop_fraction: float, spread: str
) -> str:
    fmt_name = {1: "IBM FLOAT", 2: "INT32", 3: "INT16", 5: "IEEE FLOAT", 8: "INT8"}[
        plan.sample_format
    ]
    lines = {
        1: "SEISFILL SYNTHETIC SEISMIC DATA - NOT A REAL SURVEY",
        2: f"SEED {plan.seed}  GENERATOR SEISFILL.SYNTHETIC",
        3: f"2D LINE, SHOT GATHERS: {plan.n_gathers} SHOTS X {plan.tpg} CHANNELS, SORTED BY SHOT",
        4: f"SAMPLES {plan.nt}  INTERVAL {int(round(plan.dt * 1e6))} US  FORMAT {plan.sample_format} ({fmt_name})",
        5: f"BYTE ORDER {endian.upper()}  SEG-Y REV 1  FIXED LENGTH TRACES",
        6: f"SPREAD {spread.upper()}  GROUP INTERVAL {plan.dx:g} M  SHOT INTERVAL "
        f"{float(plan.source_x[1] - plan.source_x[0]) if plan.n_gathers > 1 else 0.0:g} M",
        7: "SOURCEX/Y GROUPX/Y (73-88) CDP_X/Y (181-188) IN CM: SCALAR (71) = -100",
        8: "ELEVATIONS (41-48) IN CM: ELEVATIONSCALAR (69) = -100, METRES ABOVE DATUM",
        9: "OFFSET (37) SIGNED, WHOLE METRES (RECEIVER X MINUS SOURCE X)",
        10: "FFID (9) SHOT NUMBER, TRACENUMBER (13) CHANNEL 1..N, EP (17) SOURCE STATION",
        11: "CDP (21) MIDPOINT BIN (HALF GROUP INTERVAL), CDP_TRACE (25) COUNT IN CDP",
        12: f"DEAD TRACES {dead_fraction:.4f} OF TRACES: ALL-ZERO SAMPLES; HALF (ROUNDED UP)",
        13: "  HAVE TRACE ID (29) = 2, THE OTHER HALF KEEP TRACE ID 1 (DETECT BY CONTENT)",
        14: f"MISSING CHANNELS {drop_fraction:.4f} OF SLOTS OMITTED: GAPS IN TRACENUMBER",
        15: "AMPLITUDES: POOL OF MODELLED GATHERS (LAYERED MODEL, AVO, MULTIPLES,",
        16: "  REFRACTIONS, GROUND ROLL) WITH PER-SHOT GAIN/POLARITY/SHIFT AND NOISE",
        40: "END TEXTUAL HEADER",
    }
    if plan.int_scale is not None:
        lines[17] = f"INTEGER SAMPLES = ROUND(AMPLITUDE * {plan.int_scale:.6g})"
    return segyio.tools.create_text_header({k: v[:76] for k, v in lines.items()})


def write_synthetic_segy(
    path: str | os.PathLike[str],
    n_gathers: int = 10,
    traces_per_gather: int = 96,
    nt: int = 1000,
    dt: float = 0.002,
    seed: int | None = 0,
    *,
    sample_format: int = 5,
    endian: Literal["big", "little"] = "big",
    dead_fraction: float = 0.0,
    drop_fraction: float = 0.0,
    spread: Literal["split", "end"] = "split",
    dx: float = 25.0,
    shot_spacing: float | None = None,
    pool_size: int = 8,
    noise_snr_db: float | tuple[float, float] | None = (10.0, 30.0),
    random_polarity: bool = True,
    max_shift: int = 4,
    first_ffid: int = 1001,
    gather_kwargs: Mapping[str, Any] | None = None,
) -> SyntheticSegySummary:
    """Write a synthetic 2-D multi-shot SEG-Y file, gather by gather (constant memory).

    Amplitudes: ``pool_size`` noise-free gathers are modelled once with
    :func:`synthetic_gather` (survey-wide knobs and wavelet drawn by
    :func:`random_gather_params` / :func:`random_wavelet` from ``seed``, then
    ``gather_kwargs`` applied on top), plus as many unit-rms noise panels.
    Each shot takes a random pool gather, a random gain (+-3 dB), polarity
    (if ``random_polarity``) and integer time shift (``+-max_shift``
    samples), plus a randomly rolled band-limited noise panel scaled to the
    shot's SNR (measured, as in :func:`synthetic_gather`, against the
    reflected signal of the pool gather, before dead traces are zeroed).

    Geometry: a straight line along x (SourceY = GroupY = 6 200 000 m),
    shot ``g`` at ``x = 500 000 + max|offset| + g * shot_spacing`` m, spread
    from :func:`make_offsets` (``spread``, ``dx``) rolling with the shot,
    smooth topography.

    Header words (byte): TRACE_SEQUENCE_LINE (1) and TRACE_SEQUENCE_FILE (5)
    = 1..n in file order; FieldRecord (9) = ``first_ffid + g``; TraceNumber
    (13) = channel 1..traces_per_gather (gaps where dropped);
    EnergySourcePoint (17) and ShotPoint (197) = source station (1001 + x /
    dx); CDP (21) = midpoint bin of width dx/2 counted from 1; CDP_TRACE (25)
    = running count within that CDP; TraceIdentificationCode (29) 1 or 2;
    offset (37) signed, rounded to whole metres; ReceiverGroupElevation (41),
    SourceSurfaceElevation (45) in cm with ElevationScalar (69) = -100;
    SourceX/SourceY/GroupX/GroupY (73-88) in cm with SourceGroupScalar (71)
    = -100 (metres = stored / 100); CoordinateUnits (89) = 1; CDP_X/CDP_Y
    (181, 185) midpoint in cm (same scalar);
    TRACE_SAMPLE_COUNT (115); TRACE_SAMPLE_INTERVAL (117, us).  Binary
    header: Interval, IntervalOriginal, Samples, SamplesOriginal, Format,
    Traces = traces_per_gather, AuxTraces = 0, EnsembleFold =
    traces_per_gather, SortingCode = 5 (common source point),
    MeasurementSystem = 1 (metres), SEGYRevision 1.0, TraceFlag = 1
    (fixed length).

    Dead and missing traces: ``n_drop = round(drop_fraction * n_gathers *
    traces_per_gather)`` slots (seeded) are not written at all, leaving gaps
    in TraceNumber.  Of the ``n`` traces written, ``n_dead =
    round(dead_fraction * n)`` (seeded) have all-zero samples; ``ceil(n_dead
    / 2)`` of those carry TraceIdentificationCode 2, the other
    ``floor(n_dead / 2)`` keep code 1 (only their content says they are
    dead).  Every other trace has code 1.

    Parameters
    ----------
    path : str or PathLike
        Output file (overwritten).
    n_gathers, traces_per_gather, nt : int
    dt : float
        Sample interval, s (a whole number of microseconds).
    seed : int, optional
        Same arguments and seed give a byte-identical file; None draws one
        (written in the textual header and the summary).
    sample_format : {1, 2, 3, 5, 8}
        IBM float, int32, int16, IEEE float, int8.  Integer formats store
        ``round(amplitude * int_scale)`` (see the summary), peak at about half
        the range (at most 2**23 so float32 holds it exactly).
    endian : {"big", "little"}
    dead_fraction, drop_fraction : float
        In [0, 1).
    spread, dx : see :func:`make_offsets`.
    shot_spacing : float, optional
        Default ``2 dx``.
    pool_size : int
        Number of modelled gathers (and noise panels).
    noise_snr_db : float, (float, float) or None
        Fixed SNR, a uniform range drawn per shot, or no noise.
    random_polarity : bool
    max_shift : int
        Largest per-shot time shift, samples.
    first_ffid : int
    gather_kwargs : mapping, optional
        Overrides for the pool gathers (any :func:`synthetic_gather` keyword,
        e.g. ``{"ground_roll": True, "wavelet": 30.0}``).

    Returns
    -------
    SyntheticSegySummary
    """
    if endian not in ("big", "little"):
        raise SeisfillError(f"endian must be 'big' or 'little', got {endian!r}")
    start = _time.perf_counter()
    seed = _resolve_seed(seed)
    plan = _plan_survey(
        n_gathers,
        traces_per_gather,
        nt,
        dt,
        seed,
        sample_format=sample_format,
        dead_fraction=dead_fraction,
        drop_fraction=drop_fraction,
        spread=spread,
        dx=dx,
        shot_spacing=shot_spacing,
        pool_size=pool_size,
        noise_snr_db=noise_snr_db,
        random_polarity=random_polarity,
        max_shift=max_shift,
        first_ffid=first_ffid,
        gather_kwargs=gather_kwargs,
    )
    path = Path(path)
    dt_us = int(round(dt * 1e6))
    spec = segyio.spec()
    spec.format = sample_format
    spec.samples = np.arange(nt) * (dt_us / 1000.0)
    spec.tracecount = plan.n_written
    spec.endian = endian
    keys = [int(getattr(segyio.TraceField, w)) for w in _HEADER_WORDS]
    out_dtype = _FORMAT_DTYPES[sample_format]
    shots = _iter_gathers(plan)
    first = next(shots, None)  # builds the pool, which fixes int_scale for the text header
    with segyio.create(str(path), spec) as f:
        f.text[0] = _text_header(plan, endian, dead_fraction, drop_fraction, spread)
        b = segyio.BinField
        f.bin.update(
            {
                b.Interval: dt_us,
                b.IntervalOriginal: dt_us,
                b.Samples: nt,
                b.SamplesOriginal: nt,
                b.Format: sample_format,
                b.Traces: traces_per_gather,
                b.AuxTraces: 0,
                b.EnsembleFold: traces_per_gather,
                b.SortingCode: 5,
                b.MeasurementSystem: 1,
                b.SEGYRevision: 1,
                b.SEGYRevisionMinor: 0,
                b.TraceFlag: 1,
            }
        )
        shot = first
        while shot is not None:
            n = shot.data.shape[0]
            if n:
                a, z = shot.first_trace, shot.first_trace + n
                table = np.column_stack([shot.headers[w] for w in _HEADER_WORDS]).tolist()
                f.header[a:z] = [dict(zip(keys, row, strict=True)) for row in table]
                f.trace[a:z] = shot.data.astype(out_dtype)
            shot = next(shots, None)
    kept = plan.kept
    dropped = np.argwhere(~kept)
    dropped[:, 1] += 1
    dead_idx = np.flatnonzero(plan.dead)
    return SyntheticSegySummary(
        path=path,
        n_traces=plan.n_written,
        n_gathers=n_gathers,
        traces_per_gather=traces_per_gather,
        nt=nt,
        dt=dt,
        sample_format=sample_format,
        endian=endian,
        dead_traces=dead_idx.astype(np.int64),
        dead_flagged=plan.trace_id[dead_idx] == 2,
        dropped=dropped.astype(np.int64),
        int_scale=plan.int_scale,
        seconds=_time.perf_counter() - start,
        bytes=path.stat().st_size,
        seed=seed,
    )
