"""Private helpers shared by the synthetic generators.

Seed streams, argument checks, a raised-cosine ramp, smooth random fields and
random layer times.  :func:`_streams` is why the generators are modular: each
splits its seed with :class:`numpy.random.SeedSequence` into one independent
stream per component (model, wavelet, statics, ground roll, noise, ...), keyed
by name, so switching one component on or off leaves the others unchanged
(turning on ground roll does not move the reflectors).
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy.ndimage import gaussian_filter

from seisfill.errors import SeisfillError


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
