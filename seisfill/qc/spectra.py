"""f-k amplitude spectra of gathers, for QC."""

from __future__ import annotations

import numpy as np

__all__ = ["fk_spectrum"]


def fk_spectrum(
    data: np.ndarray, dt: float, dx: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Amplitude spectrum in dB over frequency >= 0 and centred wavenumber.

    Parameters
    ----------
    data : ndarray, shape (n_trace, n_time)
        One gather, trace-major.
    dt : float
        Sample interval, s.
    dx : float, optional
        Trace spacing, m: wavenumbers in cycles/m; None gives cycles/trace.

    Returns
    -------
    db : ndarray, shape (n_freq, n_trace)
        ``20 log10(|F| / max |F|)`` (floored at -120 dB), frequency down the rows.
    freq : ndarray, shape (n_freq,)
        Hz, 0 to Nyquist.
    k : ndarray, shape (n_trace,)
        Wavenumbers, centred (``fftshift``).
    """
    x = np.asarray(data, dtype=np.float64)
    spec = np.fft.fftshift(np.fft.fft(np.fft.rfft(x, axis=1), axis=0), axes=0)  # (k, f)
    amp = np.abs(spec).T
    peak = amp.max()
    db = 20 * np.log10(np.maximum(amp / peak, 1e-6)) if peak > 0 else np.full(amp.shape, -120.0)
    freq = np.fft.rfftfreq(x.shape[1], dt)
    k = np.fft.fftshift(np.fft.fftfreq(x.shape[0], 1.0 if dx is None else dx))
    return db, freq, k
