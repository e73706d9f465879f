"""Small test data and measurements shared by several test modules (dipping events, spectra, SNR)."""

from __future__ import annotations

import numpy as np


def amplitude_spectrum(x: np.ndarray, dt: float, nfft: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies (Hz) and amplitude spectrum along the last axis, averaged over the others."""
    spec = np.abs(np.fft.rfft(np.asarray(x, dtype=np.float64), nfft, axis=-1))
    return np.fft.rfftfreq(nfft, dt), spec.reshape(-1, spec.shape[-1]).mean(axis=0)


def snr_db(signal: np.ndarray, noise: np.ndarray) -> float:
    s, n = signal.astype(np.float64), noise.astype(np.float64)
    return float(10.0 * np.log10(np.sum(s**2) / np.sum(n**2)))


def dipping_events(n_trace: int = 64, nt: int = 200, slope: float = 0.3, seed: int = 0) -> np.ndarray:
    """Two dipping wavelets plus faint noise, shape (n_trace, nt), float32."""
    rng = np.random.default_rng(seed)
    t = np.arange(nt)[None, :]
    x = np.arange(n_trace)[:, None]
    data = np.zeros((n_trace, nt), np.float32)
    for t0, f in ((40, 0.08), (110, 0.05)):
        data += np.cos(2 * np.pi * f * (t - t0 - slope * x)) * np.exp(-(((t - t0 - slope * x) / 6.0) ** 2))
    return (data + 0.001 * rng.standard_normal(data.shape)).astype(np.float32)
