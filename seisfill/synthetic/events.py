"""Events on the time grid: sub-sample spikes, convolution with a wavelet, noise.

Events are placed with sub-sample accuracy: each spike is a Kaiser-windowed
sinc (16 taps) on the sample grid, then convolved with the wavelet (optionally
with constant-Q attenuation), so there is no staircase along moveout curves.
Random noise is band-limited to the wavelet's band and scaled to an exact SNR.
Private building blocks of :mod:`.gathers`, :mod:`.sections` and :mod:`.survey`.
"""

from __future__ import annotations

import numpy as np
from scipy import fft as sp_fft

from seisfill.synthetic._common import _cosine_ramp
from seisfill.synthetic.wavelets import Wavelet

_SINC_HALF = 8  # half-length (samples) of the windowed-sinc spike
_KAISER_BETA = 6.0


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
