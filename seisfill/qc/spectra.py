"""f-k amplitude spectra of gathers, for QC."""

from __future__ import annotations

import numpy as np

__all__ = ["fk_amplitude", "fk_spectrum"]

#: the floor of the dB scale (an amplitude 1e-6 of the peak)
FLOOR_DB = -120.0


def fk_amplitude(
    data: np.ndarray, dt: float, dx: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Amplitude spectrum over frequency >= 0 and centred wavenumber.

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
    amp : ndarray, shape (n_freq, n_trace)
        ``|F|`` of the 2-D Fourier transform, frequency down the rows.
    freq : ndarray, shape (n_freq,)
        Hz, 0 to Nyquist.
    k : ndarray, shape (n_trace,)
        Wavenumbers, centred (``fftshift``).
    """
    x = np.asarray(data, dtype=np.float64)
    spec = np.fft.fftshift(np.fft.fft(np.fft.rfft(x, axis=1), axis=0), axes=0)  # (k, f)
    freq = np.fft.rfftfreq(x.shape[1], dt)
    k = np.fft.fftshift(np.fft.fftfreq(x.shape[0], 1.0 if dx is None else dx))
    return np.abs(spec).T, freq, k


def fk_spectrum(
    data: np.ndarray, dt: float, dx: float | None = None, *, peak: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Amplitude spectrum in dB over frequency >= 0 and centred wavenumber.

    Parameters
    ----------
    data, dt, dx
        As for :func:`fk_amplitude`: the gather (n_trace, n_time), sample
        interval (s), trace spacing (m, or None for cycles/trace).
    peak : float, optional
        The amplitude that is 0 dB, e.g. the peak of another gather's spectrum
        (:func:`fk_amplitude`), so that spectra compare on one scale; default
        this spectrum's own peak.

    Returns
    -------
    db : ndarray, shape (n_freq, n_trace)
        ``20 log10(|F| / peak)`` (floored at -120 dB), frequency down the rows.
    freq : ndarray, shape (n_freq,)
        Hz, 0 to Nyquist.
    k : ndarray, shape (n_trace,)
        Wavenumbers, centred (``fftshift``).
    """
    amp, freq, k = fk_amplitude(data, dt, dx)
    peak = float(amp.max()) if peak is None else float(peak)
    if peak > 0:
        db = 20 * np.log10(np.maximum(amp / peak, 10 ** (FLOOR_DB / 20)))
    else:
        db = np.full(amp.shape, FLOOR_DB)
    return db, freq, k
