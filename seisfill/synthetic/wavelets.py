"""Source wavelets: Ricker, Ormsby, minimum phase, phase rotation, random draws.

A wavelet is an odd-length array whose time zero is the centre sample
``nw // 2`` and whose peak absolute value is 1.  Minimum-phase wavelets are
zero before their centre sample.  :class:`Wavelet` carries the samples with
their description.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seisfill.errors import SeisfillError
from seisfill.synthetic._common import _check_positive

__all__ = ["Wavelet", "ricker", "ormsby", "minimum_phase", "phase_rotate", "random_wavelet"]


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
