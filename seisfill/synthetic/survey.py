"""A synthetic 2-D shot survey, gather by gather, as :func:`write_synthetic_segy` writes it.

A plan drawn once from the seed fixes the geometry (a straight line, rolling
spread, smooth topography), the dropped channels and the dead traces (flagged
or not).  Amplitudes come from a small pool of modelled gathers, varied per
shot (gain, polarity, time shift, noise).  :func:`iter_synthetic_segy_gathers`
yields the shots with every trace-header word, in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from seisfill.errors import SeisfillError
from seisfill.synthetic._common import _check_count, _check_positive, _streams
from seisfill.synthetic.earth import make_offsets
from seisfill.synthetic.events import _band_limited_noise, _noise_band
from seisfill.synthetic.gathers import random_gather_params, synthetic_gather
from seisfill.synthetic.wavelets import Wavelet, _as_wavelet, random_wavelet

__all__ = ["SyntheticShot", "iter_synthetic_segy_gathers", "COORDINATE_SCALAR", "ELEVATION_SCALAR"]


#: SourceGroupScalar written by :func:`write_synthetic_segy`: stored value / 100 = metres.
COORDINATE_SCALAR = -100
#: ElevationScalar written by :func:`write_synthetic_segy`: stored value / 100 = metres.
ELEVATION_SCALAR = -100


_FORMAT_DTYPES: dict[int, type[np.generic]] = {
    1: np.float32,  # IBM float (segyio converts on write)
    2: np.int32,
    3: np.int16,
    5: np.float32,  # IEEE float
    8: np.int8,
}


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
