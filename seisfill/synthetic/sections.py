"""Post-stack synthetics: a 2-D line and a 3-D cube.

Folded, dipping and faulted horizons (with an angular unconformity in 2-D),
fault-edge and point diffractions, laterally varying amplitudes and noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from seisfill.synthetic._common import (
    _check_count,
    _check_positive,
    _gamma_times,
    _resolve_seed,
    _smooth_noise,
    _streams,
)
from seisfill.synthetic.events import _add_noise, _synthesize
from seisfill.synthetic.wavelets import Wavelet, _as_wavelet

__all__ = ["SectionSynthetic", "synthetic_section", "CubeSynthetic", "synthetic_cube"]


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
