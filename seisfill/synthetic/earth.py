"""The earth under a gather: source-receiver offsets and a 1-D layered model.

Offsets are in metres (receiver x minus source x); the model has Dix RMS
velocities, depths and Shuey two-term AVO coefficients per interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from seisfill.errors import SeisfillError
from seisfill.synthetic._common import _check_count, _check_positive, _gamma_times

__all__ = ["make_offsets", "LayeredModel", "layered_model"]


_MAX_SIN_THETA = 0.7  # Shuey's two-term AVO is clipped beyond ~44 degrees
_V_WATER = 1500.0


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
