#!/usr/bin/env python
"""Classical interpolation methods on real data: seisfill against pylops, side by side.

Usage::

    python benchmarks/compare.py            # full run (5-10 min on 2 shared cores)
    python benchmarks/compare.py --quick    # fewer, shorter windows, one timing round,
                                            # no synthetic part (< 1 min)
    python benchmarks/compare.py --holdout  # the shipped networks against every classical
                                            # method on the real windows held out of training
    python benchmarks/compare.py --unseen   # every method on the 7 real surveys no shipped
                                            # model saw (benchmarks/unseen.py; --out FILE)

Options: ``--repeat N`` timing rounds (default 3, quick 1), ``--patterns`` (comma
separated specs), ``--skip-speed``, ``--no-variants``, ``--[no-]synthetic``,
``--data-dir``.  Progress goes to stderr, the markdown report to stdout.

What it does (everything in one process, seeded; the SNRs repeat from run to run):

1. Cuts the real SEG-Y files of ``../shared/data`` (see the README there) into 2-D
   windows: the post-stack lines ``penobscot_xl1155`` (601 traces, full 1501 samples)
   and ``qdn_poststack2d`` (512 x 512) into non-overlapping windows of ~200 traces
   (``round(n / 200)`` equal windows: 3 x 200 and 3 x 170; the last trace or two are
   left out), the pre-stack land gather ``cdp700_land`` (24 traces) whole, and the
   post-stack cubes ``f3`` (23 x 18 x 75, every 2nd inline) and ``real3d_poststack``
   (10 x 100 x 300, every inline) inline by inline.  The cubes are also interpolated as
   3-D volumes (reported apart).  ``--quick``: see :func:`load_windows`.
2. Removes traces with :func:`seisfill.masks.decimate`: ``random50``, ``random70``,
   ``regular2``, ``gap8``, ``gap16``, seed = index of the window in its file (0 for
   the 3-D cubes, whose masks are drawn on the inline x crossline grid with the
   pattern's default axis: regular and gap patterns remove whole crosslines).
3. Fills them with seisfill ``linear``, ``fx``, ``pocs`` (all defaults: the
   "no tuning" result) and ``pocs`` with ``fast=True``, and with the peer
   ``pylops.waveeqprocessing.SeismicInterpolation(kind="fk")`` with the settings of
   pylops' tutorial ``tutorials/seismicinterpolation.py``: FISTA, ``niter=50``,
   ``eps=1e-1``, ``nffts`` = 2**8 per axis or the next power of two when the window is
   longer, ``sampling=(dx, dt)``, float64 data.  Like the tutorial's data (peak ~1-2)
   every window is divided by the peak amplitude of its live traces before pylops and
   multiplied back after (``eps`` is an absolute threshold); pylops returns the whole
   reconstructed gather, and its live traces are put back before scoring, as seisfill
   does.  In 3-D pylops' wrapper only takes separable (line) masks, so the same
   operator is built by hand (``Real * Restriction * FFTND.H``, FISTA, same settings;
   ``nffts`` the next power of two of each axis: a 256**3 box would take minutes).
4. Scores each filled window: SNR over the missing traces and over the whole window
   (:mod:`seisfill.metrics`), and wall seconds.  Tables give, per method and pattern,
   the mean of the per-window dB values and the total seconds; the overall 2-D table
   averages the five data sets with equal weight (mean of each data set's mean), so the
   12 small f3 inlines do not outvote the rest.
5. Speed at equal iteration count, on one window of each 2-D data set (random50), in
   interleaved rounds (best of ``--repeat``): seisfill ``pocs`` with ``n_iter=50``,
   ``window=None`` (one padded 2-D FFT per gather, like pylops), ``tol=0`` (no early
   stop) against pylops FISTA with ``niter=50``; and seisfill's POCS wall time against
   the bare FFTs it performs (``pocs_fk_benchmark`` in ``benchmarks/pocs_timing.py``).
6. Investigation rows, not used for the targets: ``pocs`` with one non-default option
   (``threshold="soft"``, ``window=(64, 32)``, ``pad=2``) on the same windows, and on
   synthetic sections and shot gathers from :mod:`seisfill.synthetic` (SNR against the
   noise-free gather).

Prints markdown tables, the targets of the issue with PASS/FAIL and the machine.
Targets: seisfill's best classical method per pattern >= pylops + 1 dB on missing-trace
SNR; ``pocs`` >= 10x faster than pylops fk at equal iteration count; POCS wall time
<= 1.5x the bare FFT cost.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import math
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"
PATTERNS = ("random50", "random70", "regular2", "gap8", "gap16")
WINDOW_TRACES = 200
#: pylops tutorial settings (tutorials/seismicinterpolation.py, kind="fk")
PYLOPS_NITER = 50
PYLOPS_EPS = 1e-1
PYLOPS_NFFT = 2**8
#: iteration count of the equal-iterations speed comparison
SPEED_ITER = 50
#: targets of the issue
GAIN_DB = 1.0
SPEEDUP = 10.0
FFT_RATIO = 1.5

GROUP_2D = "2D lines"
GROUP_CDP = "CDP gather"
GROUP_INLINES = "cubes inline-by-inline"
GROUP_3D = "3D cube"


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


@dataclass
class Window:
    """One 2-D window to fill: ``data`` (n_trace, n_time), float32."""

    dataset: str
    group: str
    label: str
    data: np.ndarray
    seed: int
    dt: float
    dx: float = 1.0


@dataclass
class Cube:
    """One 3-D cube to fill as a volume: ``data`` (n_inline, n_crossline, n_time)."""

    dataset: str
    data: np.ndarray
    dt: float
    seed: int = 0


def cut_windows(n: int, width: int = WINDOW_TRACES) -> list[tuple[int, int]]:
    """Non-overlapping windows of about ``width`` traces: ``round(n / width)`` equal ones.

    Parameters
    ----------
    n : int
        Traces in the line.
    width : int
        Target window width.

    Returns
    -------
    list of (start, stop)
        ``n // k`` traces each (``k = max(1, round(n / width))``), from trace 0; the
        ``n % k`` last traces are left out.
    """
    k = max(1, round(n / width))
    w = n // k
    return [(i * w, (i + 1) * w) for i in range(k)]


def make_mask(shape: int | tuple[int, ...], pattern: str, seed: int) -> np.ndarray | None:
    """Keep mask of :func:`seisfill.masks.decimate`, or None when the pattern cannot fit."""
    from seisfill.errors import SeisfillError
    from seisfill.masks import decimate

    try:
        return decimate(shape, pattern, seed)
    except SeisfillError:
        return None


def _dt_seconds(ds: Any) -> float:
    return float(ds.attrs.get("dt_ms", 4.0)) / 1000.0


def load_windows(data_dir: Path, quick: bool = False) -> tuple[list[Window], list[Cube], list[str]]:
    """The 2-D windows and the 3-D cubes of the benchmark, and notes on what was cut.

    Full: every ~200-trace window of the 2-D lines at full length, the CDP gather,
    every 2nd f3 inline (12 of 23: pylops' 256 x 256 FFT box makes each 18 x 75 inline
    cost as much as a 170 x 512 window), every real3d inline, both cubes in 3-D.
    ``quick``: the middle window of each 2-D line and the CDP gather, all cut to their
    first 512 samples, real3d inline 5, and the f3 cube in 3-D.
    """
    import seisfill

    windows: list[Window] = []
    cubes: list[Cube] = []
    notes: list[str] = []
    n_t = 512 if quick else None
    for name in ("penobscot_xl1155", "qdn_poststack2d"):
        ds = seisfill.read_segy(data_dir / f"{name}.sgy")
        line = np.asarray(ds["amplitude"].values[0], dtype=np.float32)[:, :n_t]
        spans = cut_windows(line.shape[0])
        picked = list(enumerate(spans))
        if quick:
            picked = [picked[len(picked) // 2]]
        for i, (a, b) in picked:
            windows.append(
                Window(name, GROUP_2D, f"traces {a}-{b - 1}", line[a:b], i, _dt_seconds(ds))
            )
        notes.append(
            f"{name}: {len(picked)} window(s) of {spans[0][1] - spans[0][0]} traces x "
            f"{line.shape[1]} samples (line of {line.shape[0]} traces; windows "
            + ", ".join(f"{a}-{b - 1}" for _, (a, b) in picked)
            + ")"
        )
    ds = seisfill.read_segy(data_dir / "cdp700_land.sgy")
    g = np.asarray(ds["amplitude"].values[0], dtype=np.float32)[:, :n_t]
    windows.append(Window("cdp700_land", GROUP_CDP, "whole gather", g, 0, _dt_seconds(ds)))
    notes.append(f"cdp700_land: the gather, {g.shape[0]} traces x {g.shape[1]} samples")
    for name, picked in (
        ("f3", [] if quick else range(0, 23, 2)),
        ("real3d_poststack", [5] if quick else range(10)),
    ):
        ds = seisfill.read_segy(data_dir / f"{name}.sgy")
        cube = np.asarray(ds["amplitude"].values, dtype=np.float32)
        for i in picked:
            windows.append(Window(name, GROUP_INLINES, f"inline {i}", cube[i], i, _dt_seconds(ds)))
        three = not quick or name == "f3"
        if three:
            cubes.append(Cube(name, cube, _dt_seconds(ds)))
        shape = " x ".join(map(str, cube.shape))
        what = [f"{len(picked)} inline(s) ({', '.join(map(str, picked))})"] if picked else []
        what += ["the whole cube in 3-D"] if three else []
        notes.append(f"{name}: cube {shape} (inline x crossline x time): " + " and ".join(what))
    return windows, cubes, notes


# ---------------------------------------------------------------------------
# Methods
# ---------------------------------------------------------------------------


def _next_pow2(n: int) -> int:
    return 1 << max(0, int(n) - 1).bit_length()


def pylops_nffts(shape: Sequence[int], floor: int = PYLOPS_NFFT) -> tuple[int, ...]:
    """FFT sizes of the tutorial: ``floor`` (2**8), or the next power of two of a longer axis."""
    return tuple(max(floor, _next_pow2(n)) for n in shape)


def pylops_fk(
    data: np.ndarray,
    live: np.ndarray,
    dt: float,
    dx: float = 1.0,
    *,
    niter: int = PYLOPS_NITER,
    eps: float = PYLOPS_EPS,
    alpha: float | None = None,
    nffts: Sequence[int] | None = None,
) -> np.ndarray:
    """pylops f-k FISTA interpolation of one gather (2-D) or cube (3-D), live traces put back.

    Parameters
    ----------
    data : numpy.ndarray, shape (n_x, n_t) or (n_y, n_x, n_t)
        Only the live traces are read.
    live : numpy.ndarray of bool, shape ``data.shape[:-1]``
    dt, dx : float
        Sampling (``sampling=(dx, dt)``; it only labels pylops' frequency axes).
    niter, eps : FISTA settings (tutorial: 50, 0.1).
    alpha : float, optional
        FISTA step; None lets pylops estimate it (``1 / maxeig``, ARPACK), as the
        tutorial does.
    nffts : optional
        Default :func:`pylops_nffts` in 2-D, the next power of two per axis in 3-D.

    Returns
    -------
    numpy.ndarray, the shape and dtype of ``data``
    """
    import pylops
    from pylops.optimization.sparsity import fista

    live = np.asarray(live, dtype=bool)
    obs = np.asarray(data, dtype=np.float64)[live]  # (n_live, n_t)
    scale = float(np.abs(obs).max()) or 1.0
    y = obs / scale
    solver: dict[str, Any] = {"niter": niter, "eps": eps}
    if alpha is not None:
        solver["alpha"] = alpha
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if data.ndim == 2:
            n_x, n_t = data.shape
            rec, _, _ = pylops.waveeqprocessing.SeismicInterpolation(
                y,
                n_x,
                np.flatnonzero(live),
                kind="fk",
                nffts=tuple(nffts or pylops_nffts((n_x, n_t))),
                sampling=(dx, dt),
                engine="numpy",
                **solver,
            )
        else:  # what SeismicInterpolation builds for kind="fk", with a trace-grid restriction
            n_y, n_x, n_t = data.shape
            dims = (n_y, n_x, n_t)
            cdtype = np.complex128
            rop = pylops.Restriction(
                (n_y * n_x, n_t), np.flatnonzero(live.ravel()), axis=0, dtype=cdtype
            )
            rop = pylops.Real((int(live.sum()), n_t), dtype=cdtype) * rop
            pop = pylops.signalprocessing.FFTND(
                dims=dims,
                nffts=tuple(nffts or tuple(_next_pow2(n) for n in dims)),
                sampling=(dx, dx, dt),
                dtype=cdtype,
            ).H
            coef = fista(rop * pop, y.astype(cdtype).ravel(), **solver)[0]
            rec = np.real(pop * coef).reshape(dims)
    rec = rec * scale
    return np.where(live[..., None], data, rec).astype(data.dtype, copy=False)


def pylops_step(data: np.ndarray, live: np.ndarray, dt: float, dx: float = 1.0) -> float:
    """The FISTA step ``1 / maxeig`` pylops computes for this gather (to time iterations alone)."""
    import pylops

    n_x, n_t = data.shape
    cdtype = np.complex128
    rop = pylops.Real((int(live.sum()), n_t), dtype=cdtype) * pylops.Restriction(
        (n_x, n_t), np.flatnonzero(live), axis=0, dtype=cdtype
    )
    pop = pylops.signalprocessing.FFT2D(
        dims=(n_x, n_t), nffts=pylops_nffts((n_x, n_t)), sampling=(dx, dt), dtype=cdtype
    ).H
    op = rop * pop
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        maxeig = float(np.abs((op.H @ op).eigs(neigs=1, symmetric=True)[0]))
    return 1.0 / maxeig


def _seisfill(method: str, **options: Any) -> Callable[[np.ndarray, np.ndarray, float], np.ndarray]:
    from seisfill.core import fill_array

    def run(data: np.ndarray, live: np.ndarray, dt: float) -> np.ndarray:
        return fill_array(data, live, method, **options)

    return run


def methods_2d() -> dict[str, Callable[[np.ndarray, np.ndarray, float], np.ndarray]]:
    """Name -> ``fn(data, live, dt) -> filled`` for one 2-D window."""
    return {
        "seisfill linear": _seisfill("linear"),
        "seisfill fx": _seisfill("fx"),
        "seisfill pocs": _seisfill("pocs"),
        "seisfill pocs fast": _seisfill("pocs", fast=True),
        "pylops fk": lambda d, live, dt: pylops_fk(d, live, dt),
    }


#: prefix of the rows that are POCS with non-default options (never counted as "best")
VARIANT = "option: "


def pocs_variants() -> dict[str, Callable[[np.ndarray, np.ndarray, float], np.ndarray]]:
    """seisfill ``pocs`` with one non-default option each, for the investigation table.

    Not part of the targets (those use the defaults): they show which knob moves the
    missing-trace SNR on real data.
    """
    from seisfill.core import fill_array

    def small(data: np.ndarray, live: np.ndarray, dt: float) -> np.ndarray:
        win = (min(64, data.shape[-1]), min(32, data.shape[-2]))
        return fill_array(data, live, "pocs", window=win)

    return {
        f"{VARIANT}pocs threshold='soft'": _seisfill("pocs", threshold="soft"),
        f"{VARIANT}pocs window=(64, 32)": small,
        f"{VARIANT}pocs pad=2": _seisfill("pocs", pad=2.0),
    }


def _per_inline(method: str) -> Callable[[np.ndarray, np.ndarray, float], np.ndarray]:
    """A 2-D method on each inline of a cube; inlines without a live trace stay zero."""
    from seisfill.core import fill_array

    def run(data: np.ndarray, live: np.ndarray, dt: float) -> np.ndarray:
        out = np.where(live[..., None], data, 0).astype(data.dtype)
        rows = live.any(axis=-1)
        out[rows] = fill_array(data[rows], live[rows], method)
        return out

    return run


def methods_3d() -> dict[str, Callable[[np.ndarray, np.ndarray, float], np.ndarray]]:
    """Name -> ``fn(cube, live, dt) -> filled`` for a cube; linear and fx go inline by inline
    (an inline left without live traces by the 3-D mask stays zero)."""
    return {
        "seisfill linear (per inline)": _per_inline("linear"),
        "seisfill fx (per inline)": _per_inline("fx"),
        "seisfill pocs ndim=3": _seisfill("pocs", ndim=3),
        "seisfill pocs ndim=3 fast": _seisfill("pocs", ndim=3, fast=True),
        "pylops fk 3D": lambda d, live, dt: pylops_fk(d, live, dt),
    }


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


@dataclass
class Score:
    """One method on one window and pattern."""

    dataset: str
    group: str
    method: str
    pattern: str
    snr_missing: float
    snr_whole: float
    seconds: float


def score(reference: np.ndarray, estimate: np.ndarray, live: np.ndarray) -> tuple[float, float]:
    """(SNR over the missing traces, SNR over the whole window), dB."""
    from seisfill.metrics import snr, snr_missing

    return snr_missing(reference, estimate, ~live), snr(reference, estimate)


def run_quality(
    windows: list[Window],
    cubes: list[Cube],
    patterns: Sequence[str] = PATTERNS,
    methods: dict[str, Callable] | None = None,
    methods3: dict[str, Callable] | None = None,
    log: Callable[[str], None] | None = None,
) -> tuple[list[Score], list[str]]:
    """Fill every window and cube with every method and pattern; the scores and skipped cases."""
    methods = methods_2d() if methods is None else methods
    methods3 = methods_3d() if methods3 is None else methods3
    scores: list[Score] = []
    skipped: list[str] = []
    jobs = [(w.dataset, w.group, w.label, w.data, w.seed, w.dt, methods) for w in windows]
    jobs += [(c.dataset, GROUP_3D, "cube", c.data, c.seed, c.dt, methods3) for c in cubes]
    for dataset, group, label, data, seed, dt, table in jobs:
        for pattern in patterns:
            live = make_mask(data.shape[:-1], pattern, seed)
            if live is None:
                skipped.append(f"{dataset} {label} {pattern}")
                continue
            for name, fn in table.items():
                start = time.perf_counter()
                est = fn(data, live, dt)
                seconds = time.perf_counter() - start
                s_miss, s_whole = score(data, est, live)
                scores.append(Score(dataset, group, name, pattern, s_miss, s_whole, seconds))
        if log:
            log(f"  done {dataset} {label}")
    return scores, skipped


@dataclass
class Cell:
    """Aggregate of one method x pattern: mean dB values, total seconds, window count."""

    snr_missing: float
    snr_whole: float
    seconds: float
    count: int


def aggregate(scores: list[Score], balanced: bool = False) -> dict[tuple[str, str], Cell]:
    """(method, pattern) -> Cell.

    ``balanced``: the dB values are the mean over data sets of each data set's mean
    (every data set weighs the same); else the mean over windows.  Seconds are totals.
    """
    out: dict[tuple[str, str], Cell] = {}
    keys = sorted({(s.method, s.pattern) for s in scores})
    for key in keys:
        rows = [s for s in scores if (s.method, s.pattern) == key]
        if balanced:
            sets = sorted({s.dataset for s in rows})
            miss = float(
                np.mean([np.mean([s.snr_missing for s in rows if s.dataset == d]) for d in sets])
            )
            whole = float(
                np.mean([np.mean([s.snr_whole for s in rows if s.dataset == d]) for d in sets])
            )
        else:
            miss = float(np.mean([s.snr_missing for s in rows]))
            whole = float(np.mean([s.snr_whole for s in rows]))
        out[key] = Cell(miss, whole, float(sum(s.seconds for s in rows)), len(rows))
    return out


def best_seisfill(cells: dict[tuple[str, str], Cell], pattern: str) -> tuple[str, float]:
    """The seisfill method with the highest missing-trace SNR on ``pattern``."""
    cand = [
        (c.snr_missing, m)
        for (m, p), c in cells.items()
        if p == pattern and m.startswith("seisfill")
    ]
    if not cand:
        return "", math.nan
    value, method = max(cand)
    return method, value


def synthetic_gathers(
    seeds: Sequence[int] = (0, 1),
) -> list[tuple[str, np.ndarray, np.ndarray, int]]:
    """``(kind, data, clean, seed)`` from :mod:`seisfill.synthetic`: post-stack sections
    (200 x 512, 4 ms) and pre-stack shot gathers (96 x 1000, 2 ms), noise-free and with
    20 dB of noise, for each seed."""
    from seisfill.synthetic import synthetic_gather, synthetic_section

    out = []
    for seed in seeds:
        for noise in (None, 20.0):
            tag = "noise-free" if noise is None else "20 dB noise"
            sec = synthetic_section(200, 512, seed=seed, noise_snr_db=noise)
            out.append((f"sections, {tag}", sec.data, sec.clean, seed))
            shot = synthetic_gather(96, 1000, seed=seed, noise_snr_db=noise)
            out.append((f"shot gathers, {tag}", shot.data, shot.clean, seed))
    return [(k, np.asarray(d, np.float32), np.asarray(c, np.float32), s) for k, d, c, s in out]


def run_synthetic(
    items: list[tuple[str, np.ndarray, np.ndarray, int]],
    patterns: Sequence[str],
    methods: dict[str, Callable[[np.ndarray, np.ndarray, float], np.ndarray]],
) -> list[Score]:
    """Fill the synthetic gathers; SNRs against the noise-free gather (``dataset`` = kind)."""
    scores = []
    for kind, data, clean, seed in items:
        for pattern in patterns:
            live = make_mask(data.shape[0], pattern, seed)
            if live is None:
                continue
            for name, fn in methods.items():
                start = time.perf_counter()
                est = fn(data, live, 0.004)
                seconds = time.perf_counter() - start
                s_miss, s_whole = score(clean, est, live)
                scores.append(Score(kind, "synthetic", name, pattern, s_miss, s_whole, seconds))
    return scores


# ---------------------------------------------------------------------------
# Speed
# ---------------------------------------------------------------------------


@dataclass
class SpeedRow:
    """Timings on one window (best of the rounds), seconds."""

    label: str
    shape: tuple[int, ...]
    pocs50: float = math.inf
    pocs50_1thread: float = math.inf
    pocs_default: float = math.inf
    pylops: float = math.inf
    pylops_iter: float = math.inf
    fft_ratio_default: float = math.nan
    fft_cpu_ratio_default: float = math.nan
    fft_ratio_50: float = math.nan
    fft_cpu_ratio_50: float = math.nan
    pocs_s_default: float = math.nan
    fft_s_default: float = math.nan
    pocs_s_50: float = math.nan
    fft_s_50: float = math.nan
    fft_shape_50: tuple[int, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def _timed(fn: Callable[..., object], *args: Any, **kwargs: Any) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def run_speed(windows: list[Window], repeat: int) -> list[SpeedRow]:
    """Interleaved timing rounds on ``windows`` (random50, seed = the window's seed)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pocs_timing import pocs_fk_benchmark

    from seisfill.classical.pocs import pocs_fk

    setups = []
    for w in windows:
        live = make_mask(w.data.shape[0], "random50", w.seed)
        assert live is not None
        step = pylops_step(w.data, live, w.dt)
        setups.append((w, live, step, SpeedRow(f"{w.dataset} {w.label}", w.data.shape)))
    eq = {"n_iter": SPEED_ITER, "window": None, "tol": 0.0}
    for _ in range(max(1, repeat)):
        for w, live, step, row in setups:
            d = w.data
            row.pocs50 = min(row.pocs50, _timed(pocs_fk, d, live, **eq))
            row.pylops = min(row.pylops, _timed(pylops_fk, d, live, w.dt))
            row.pocs50_1thread = min(row.pocs50_1thread, _timed(pocs_fk, d, live, workers=1, **eq))
            row.pylops_iter = min(row.pylops_iter, _timed(pylops_fk, d, live, w.dt, alpha=step))
            row.pocs_default = min(row.pocs_default, _timed(pocs_fk, d, live))
    for w, live, _, row in setups:
        b = pocs_fk_benchmark(w.data, live, repeat=max(3, repeat))
        row.fft_ratio_default, row.fft_cpu_ratio_default = b["ratio"], b["cpu_ratio"]
        row.pocs_s_default, row.fft_s_default = b["pocs_s"], b["fft_s"]
        b = pocs_fk_benchmark(w.data, live, repeat=max(3, repeat), **eq)
        row.fft_ratio_50, row.fft_cpu_ratio_50 = b["ratio"], b["cpu_ratio"]
        row.pocs_s_50, row.fft_s_50 = b["pocs_s"], b["fft_s"]
        row.fft_shape_50 = tuple(b["fft_shape"])
    return [row for *_, row in setups]


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def _fmt(v: float, digits: int = 1) -> str:
    if isinstance(v, float) and math.isnan(v):
        return "n/a"
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.{digits}f}"


def md_table(header: list[str], rows: list[list[str]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def quality_table(
    cells: dict[tuple[str, str], Cell], patterns: Sequence[str], methods: Sequence[str]
) -> str:
    """Method x pattern: ``missing dB / whole dB / seconds``; the best seisfill cell in bold."""
    header = ["method"] + [f"{p}" for p in patterns]
    rows = []
    best = {p: best_seisfill(cells, p)[0] for p in patterns}
    for m in methods:
        row = [m]
        for p in patterns:
            c = cells.get((m, p))
            if c is None:
                row.append("-")
                continue
            txt = f"{_fmt(c.snr_missing)} / {_fmt(c.snr_whole)} / {_fmt(c.seconds, 2)} s"
            row.append(f"**{txt}**" if best[p] == m else txt)
        rows.append(row)
    return md_table(header, rows)


def verdict_rows(
    cells: dict[tuple[str, str], Cell], patterns: Sequence[str], peer: str
) -> tuple[list[list[str]], bool]:
    """Per pattern: best seisfill, pylops, margin, PASS/FAIL (margin >= GAIN_DB)."""
    rows, ok = [], True
    for p in patterns:
        method, value = best_seisfill(cells, p)
        ref = cells.get((peer, p))
        if ref is None or not method:
            continue
        margin = value - ref.snr_missing
        passed = margin >= GAIN_DB
        ok &= passed
        rows.append(
            [
                p,
                f"{method} {_fmt(value, 2)}",
                _fmt(ref.snr_missing, 2),
                f"{margin:+.2f}",
                "PASS" if passed else "FAIL",
            ]
        )
    return rows, ok


def machine() -> str:
    """CPU model, usable cores, RAM and versions."""
    import numpy
    import pylops
    import scipy

    import seisfill

    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        cores = os.cpu_count() or 1
    return (
        f"{cpu}, {cores} cores usable ({os.cpu_count()} online), {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"scipy {scipy.__version__}, pylops {pylops.__version__}, seisfill {seisfill.__version__}"
    )


def report(
    scores: list[Score],
    skipped: list[str],
    speed: list[SpeedRow],
    notes: list[str],
    patterns: Sequence[str],
    command: str,
    elapsed: float,
    synthetic: list[Score] | None = None,
) -> str:
    """The whole markdown report."""
    out: list[str] = []
    peer = "pylops fk"
    m2 = list(methods_2d())
    m3 = list(methods_3d())
    s2 = [s for s in scores if s.group != GROUP_3D]
    s3 = [s for s in scores if s.group == GROUP_3D]
    out.append(f"Command: `{command}`  ")
    out.append(f"Date: {_dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}  ")
    out.append(f"Machine: {machine()}  ")
    out.append(f"Total run time: {elapsed:.0f} s\n")
    out.append("Data:\n")
    out += [f"- {n}" for n in notes]
    if skipped:
        out.append(f"- skipped (pattern does not fit): {', '.join(skipped)}")
    out.append(
        "\nCells: mean SNR over the missing traces (dB) / mean whole-window SNR, live traces "
        "included (dB) / total wall seconds. Bold: seisfill's best on that pattern.\n"
    )
    cells = aggregate(s2, balanced=True)
    n_sets = len({s.dataset for s in s2})
    n_win = sum(1 for s in s2 if s.method == m2[0] and s.pattern == patterns[0])
    out.append(
        f"### All 2-D windows ({n_sets} data sets, {n_win} windows per pattern; data sets weighted equally)\n"
    )
    out.append(quality_table(cells, patterns, m2))
    out.append("")
    datasets = []
    for s in s2:
        if (s.group, s.dataset) not in datasets:
            datasets.append((s.group, s.dataset))
    for group, ds in datasets:
        sub = [s for s in s2 if s.dataset == ds]
        n = len([s for s in sub if s.method == m2[0] and s.pattern == patterns[0]])
        out.append(f"### {group}: {ds} ({n} window{'s' if n != 1 else ''})\n")
        out.append(quality_table(aggregate(sub), patterns, m2))
        out.append("")
    for ds in dict.fromkeys(s.dataset for s in s3):
        sub = [s for s in s3 if s.dataset == ds]
        out.append(f"### {GROUP_3D}: {ds} (the whole cube, 3-D masks)\n")
        out.append(quality_table(aggregate(sub), patterns, m3))
        out.append("")

    out.append("### Targets\n")
    rows, ok_q = verdict_rows(cells, patterns, peer)
    verdicts = rows
    out.append(
        "Best seisfill classical method vs pylops fk, missing-trace SNR (all 2-D windows, "
        f"data sets weighted equally); target margin >= +{GAIN_DB:.0f} dB:\n"
    )
    out.append(
        md_table(
            ["pattern", "best seisfill (dB)", "pylops fk (dB)", "margin (dB)", "verdict"], rows
        )
    )
    out.append("")
    detail = []
    for _, ds in datasets:
        sub = aggregate([s for s in s2 if s.dataset == ds])
        r, _ = verdict_rows(sub, patterns, peer)
        detail.append([ds] + [f"{row[3]} {row[4]}" for row in r])
    for ds in dict.fromkeys(s.dataset for s in s3):
        sub = aggregate([s for s in s3 if s.dataset == ds])
        r, _ = verdict_rows(sub, patterns, "pylops fk 3D")
        detail.append([f"{ds} 3-D"] + [f"{row[3]} {row[4]}" for row in r])
    out.append("Margin per data set (informative):\n")
    out.append(md_table(["data set"] + list(patterns), detail))
    out.append("")

    ok_s = ok_f = None
    if speed:
        tot = {
            k: sum(getattr(r, k) for r in speed)
            for k in ("pocs50", "pocs50_1thread", "pylops", "pylops_iter", "pocs_default")
        }
        speedup = tot["pylops"] / tot["pocs50"]
        ok_s = speedup >= SPEEDUP
        out.append(
            f"Speed at equal iteration count ({SPEED_ITER}), random50, best of the interleaved "
            "rounds, seconds (pocs: `n_iter=50, window=None, tol=0`, all cores; pylops: "
            "tutorial call incl. its ARPACK step-size estimate, and the FISTA iterations alone):\n"
        )
        rows = []
        for r in speed:
            rows.append(
                [
                    r.label,
                    "x".join(map(str, r.shape)),
                    _fmt(r.pocs50, 3),
                    _fmt(r.pocs50_1thread, 3),
                    _fmt(r.pylops, 2),
                    _fmt(r.pylops_iter, 2),
                    f"{r.pylops / r.pocs50:.0f}x",
                    f"{r.pylops_iter / r.pocs50_1thread:.0f}x",
                    _fmt(r.pocs_default, 3),
                ]
            )
        rows.append(
            [
                "**total**",
                "",
                _fmt(tot["pocs50"], 3),
                _fmt(tot["pocs50_1thread"], 3),
                _fmt(tot["pylops"], 2),
                _fmt(tot["pylops_iter"], 2),
                f"**{speedup:.0f}x**",
                f"{tot['pylops_iter'] / tot['pocs50_1thread']:.0f}x",
                _fmt(tot["pocs_default"], 3),
            ]
        )
        out.append(
            md_table(
                [
                    "window",
                    "traces x samples",
                    "pocs 50 it",
                    "pocs 50 it, 1 thread",
                    "pylops fk 50 it",
                    "pylops iterations only",
                    "speed-up",
                    "speed-up, 1 thread vs iterations only",
                    "pocs defaults",
                ],
                rows,
            )
        )
        out.append("")
        f_def = sum(r.pocs_s_default for r in speed) / sum(r.fft_s_default for r in speed)
        f_50 = sum(r.pocs_s_50 for r in speed) / sum(r.fft_s_50 for r in speed)
        ok_f = f_def <= FFT_RATIO
        out.append(
            "POCS wall time / bare FFT time (`pocs_fk_benchmark`: iterations x (rfftn + irfftn) "
            "of the same padded batches, same threads; best of interleaved runs; CPU-time ratio "
            "in brackets):\n"
        )
        rows = [
            [
                r.label,
                f"{_fmt(r.fft_ratio_default, 2)} ({_fmt(r.fft_cpu_ratio_default, 2)})",
                f"{_fmt(r.fft_ratio_50, 2)} ({_fmt(r.fft_cpu_ratio_50, 2)})",
                "x".join(map(str, r.fft_shape_50)),
            ]
            for r in speed
        ]
        rows.append(["**sum of times**", f"**{f_def:.2f}**", f"{f_50:.2f}", ""])
        out.append(
            md_table(
                [
                    "window",
                    "pocs defaults",
                    "pocs 50 it, window=None",
                    "padded FFT box (window=None)",
                ],
                rows,
            )
        )
        out.append("")
    variants = list(dict.fromkeys(s.method for s in s2 if s.method.startswith(VARIANT)))
    if variants:
        rows_v = ["seisfill pocs", *variants, peer]
        out.append(
            "### POCS options (not the defaults, so not used for the targets)\n\n"
            "seisfill `pocs` with one option changed, same windows and masks (all 2-D "
            "windows, data sets weighted equally):\n"
        )
        out.append(quality_table(cells, patterns, rows_v).replace("**", ""))
        out.append("")
        irregular = [p for p in patterns if not p.startswith("regular")]
        out.append(
            "Per data set: missing-trace SNR (dB) averaged over "
            + ", ".join(irregular)
            + " (POCS cannot fill regular decimation from a zero start):\n"
        )
        rows = []
        for m in rows_v:
            row = [m]
            for _, ds in datasets:
                vals = [
                    s.snr_missing
                    for s in s2
                    if s.method == m and s.dataset == ds and s.pattern in irregular
                ]
                row.append(_fmt(float(np.mean(vals)), 2) if vals else "-")
            rows.append(row)
        out.append(md_table(["method"] + [ds for _, ds in datasets], rows))
        out.append("")
    if synthetic:
        rows_s = list(dict.fromkeys(s.method for s in synthetic))
        out.append(
            "### The same POCS options on synthetic data\n\n"
            "`seisfill.synthetic`: post-stack sections (`synthetic_section`, 200 x 512) and "
            "pre-stack shot gathers (`synthetic_gather`, 96 x 1000), seeds 0 and 1, "
            "noise-free and with 20 dB noise; SNR against the noise-free gather, mean over "
            "the gathers of each kind:\n"
        )
        for kind in dict.fromkeys(s.dataset for s in synthetic):
            sub = [s for s in synthetic if s.dataset == kind]
            n = len([s for s in sub if s.method == rows_s[0] and s.pattern == patterns[0]])
            out.append(f"{kind} ({n} gathers):\n")
            out.append(quality_table(aggregate(sub), patterns, rows_s).replace("**", ""))
            out.append("")
    out.append("Summary:\n")
    out.append(
        f"- best seisfill classical >= pylops fk + {GAIN_DB:.0f} dB on every pattern: "
        f"**{'PASS' if ok_q else 'FAIL'}** ("
        + "; ".join(f"{r[0]} {r[3]} dB" for r in verdicts)
        + ")"
    )
    if ok_s is not None:
        out.append(
            f"- pocs >= {SPEEDUP:.0f}x faster than pylops fk at {SPEED_ITER} iterations: "
            f"**{'PASS' if ok_s else 'FAIL'}** ({speedup:.0f}x)"
        )
    if ok_f is not None:
        out.append(
            f"- POCS wall time <= {FFT_RATIO}x bare FFT: **{'PASS' if ok_f else 'FAIL'}** "
            f"({f_def:.2f} with defaults, {f_50:.2f} with window=None)"
        )
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Shipped models on the held-out windows (issue: shipped models)
# ---------------------------------------------------------------------------

#: patterns of the shipped-model target, and the margin over the best classical method
MODEL_PATTERNS = ("random50", "regular2", "gap8")
MODEL_GAIN_DB = 3.0


def holdout_report(patterns: Sequence[str], command: str, log: Callable[[str], None]) -> str:
    """Shipped models against every classical method (pylops included) on the held-out real windows.

    The windows are those of ``benchmarks/model_cards.py`` (never seen in training):
    2-D models fill each 2-D window (cube inlines one by one), 3-D models the held-out
    inlines of each cube as a volume; data sets weigh equally.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from model_cards import _classical, _model, classical_methods, holdout_windows, score_methods

    from seisfill.methods import DEFAULT_METHOD
    from seisfill.models import DEFAULT_2D, DEFAULT_3D, list_models

    start = time.perf_counter()
    two, three = holdout_windows()
    cards = list_models()

    def pylops_run(data: np.ndarray, live: np.ndarray) -> np.ndarray:
        return pylops_fk(data, live, 0.004)

    out = [f"Command: `{command}`  ", f"Date: {_dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}  ",
           f"Machine: {machine()}\n"]
    verdicts = []
    for ndim, windows, label in ((2, two, "2-D windows"), (3, three, "3-D cubes (held-out inlines)")):
        methods: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {}
        for c in cards:
            if c.ndim == ndim:
                methods[f"unet {c.name}"] = _model(c.name)
        default_name = DEFAULT_3D if ndim == 3 else DEFAULT_2D
        methods[f"hybrid {default_name}+fx"] = _model(default_name, DEFAULT_METHOD)
        for m in classical_methods():
            methods[m] = _classical(m, ndim == 3)
        methods["pylops fk"] = pylops_run
        log(f"held-out {label}: {len(windows)} window(s), {len(methods)} methods ...")
        res = score_methods(methods, windows, tuple(patterns))
        out.append(f"### Held-out real {label}\n")
        out.append("Missing-trace SNR (dB, data sets weigh equally) / total seconds:\n")
        out.append(md_table(["method", *patterns], [
            [name] + [f"{res[name][p]['snr']:.1f} / {res[name][p]['seconds']:.1f} s" if p in res[name] else "-" for p in patterns]
            for name in methods
        ]))
        sets = sorted({d for name in methods for p in patterns for d in res[name].get(p, {}).get("per_dataset", {})})
        out.append("\nPer data set (missing-trace SNR, dB):\n")
        out.append(md_table(["data set", "method", *patterns], [
            [d, name] + [f"{res[name].get(p, {}).get('per_dataset', {}).get(d, math.nan):.1f}" for p in patterns]
            for d in sets for name in methods
        ]))
        out.append("")
        for default in (f"unet {default_name}", f"hybrid {default_name}+fx"):
            if default not in res:
                continue
            for p in MODEL_PATTERNS:
                if p not in patterns:
                    continue
                best_name, best = max(((res[m][p]["snr"], m) for m in (*classical_methods(), "pylops fk")), key=lambda t: t[0])[::-1]
                gain = res[default][p]["snr"] - best
                verdicts.append([label, p, default, f"{res[default][p]['snr']:.1f}", f"{best_name} {best:.1f}",
                                 f"{gain:+.1f}", "PASS" if gain >= MODEL_GAIN_DB else "FAIL"])
    if verdicts:
        out.append(f"### Target: default model >= best classical + {MODEL_GAIN_DB:.0f} dB\n")
        out.append(md_table(["data", "pattern", "method", "dB", "best classical dB", "margin", "verdict"], verdicts))
        for label in ("2-D", "3-D"):
            for name in dict.fromkeys(v[2] for v in verdicts if v[0].startswith(label)):
                margins = [float(v[5]) for v in verdicts if v[0].startswith(label) and v[2] == name]
                mean = float(np.mean(margins))
                out.append(f"\nMean {label} margin of {name} over {', '.join(MODEL_PATTERNS)}: {mean:+.2f} dB: "
                           f"{'PASS' if mean >= MODEL_GAIN_DB else 'FAIL'}")
    out.append(synthetic_shot_report(tuple(MODEL_PATTERNS), log))
    out.append(f"\nRun time {time.perf_counter() - start:.0f} s")
    return "\n".join(out)


#: seeds of the synthetic pre-stack gathers of :func:`synthetic_shot_report`
SHOT_SEEDS = range(987650, 987660)


def synthetic_shot_report(patterns: Sequence[str], log: Callable[[str], None]) -> str:
    """The default network, hybrid and the classical methods on fresh synthetic pre-stack gathers.

    The held-out real set holds one 24-trace pre-stack gather; this adds ten shot and
    CDP gathers (120 traces x 1000 samples x 2 ms, land and marine, noise, multiples,
    ground roll..., :func:`seisfill.synthetic.random_gather` with seeds
    :data:`SHOT_SEEDS`), scored against the noisy gather.  They come from the
    generator the networks were trained on (not from its training draws), so they
    say less about unseen data than the real windows; they are here because gaps in
    pre-stack gathers are where the network alone is weakest.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from model_cards import _classical, _model, classical_methods, score_methods

    from seisfill.methods import DEFAULT_METHOD
    from seisfill.models import DEFAULT_2D
    from seisfill.synthetic import random_gather

    gathers = [(f"shot{s}", np.asarray(random_gather(seed=s, n_traces=120, nt=1000, dt=0.002).data, np.float32))
               for s in SHOT_SEEDS]
    methods = {f"unet {DEFAULT_2D}": _model(DEFAULT_2D), f"hybrid {DEFAULT_2D}+fx": _model(DEFAULT_2D, DEFAULT_METHOD)}
    methods.update({m: _classical(m, False) for m in classical_methods()})
    log(f"synthetic pre-stack gathers: {len(gathers)}, {len(methods)} methods ...")
    res = score_methods(methods, gathers, tuple(patterns))
    rows = [[name] + [f"{res[name][p]['snr']:.1f}" for p in patterns] for name in methods]
    return "\n".join([
        f"\n### Synthetic pre-stack gathers (seeds {SHOT_SEEDS.start}-{SHOT_SEEDS.stop - 1})\n",
        "Missing-trace SNR (dB, mean over the gathers):\n",
        md_table(["method", *patterns], rows),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--holdout", action="store_true",
        help="instead: the shipped models against every classical method on the held-out real windows",
    )
    parser.add_argument(
        "--unseen", action="store_true",
        help="instead: every method on the real surveys no shipped model saw (benchmarks/unseen.py)",
    )
    parser.add_argument("--out", type=Path, help="with --unseen: also write the report to this file")
    parser.add_argument(
        "--quick", action="store_true", help="fewer windows, one timing round (< 1 min)"
    )
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help=f"default {DATA_DIR}")
    parser.add_argument(
        "--repeat", type=int, default=None, help="timing rounds (default 3, quick 1)"
    )
    parser.add_argument(
        "--patterns", default=",".join(PATTERNS), help="comma-separated decimation specs"
    )
    parser.add_argument(
        "--no-variants", action="store_true", help="no rows of POCS with non-default options"
    )
    parser.add_argument("--skip-speed", action="store_true", help="no speed section")
    parser.add_argument(
        "--synthetic",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="POCS options on synthetic gathers too (default: on, off with --quick)",
    )
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    patterns = [p.strip() for p in args.patterns.split(",") if p.strip()]
    command = "python benchmarks/compare.py" + (
        " " + " ".join(sys.argv[1:]) if argv is None and sys.argv[1:] else ""
    )
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    if args.holdout:
        print(holdout_report(patterns if args.patterns != ",".join(PATTERNS) else PATTERNS, command, log))
        return 0
    if args.unseen:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from unseen import PATTERNS as UNSEEN_PATTERNS
        from unseen import unseen_report

        text = unseen_report(
            patterns if args.patterns != ",".join(PATTERNS) else UNSEEN_PATTERNS, command, log,
            data_dir=args.data_dir,
        )  # fmt: skip
        print(text)
        if args.out:
            args.out.write_text(text + "\n")
        return 0
    start = time.perf_counter()
    windows, cubes, notes = load_windows(args.data_dir, quick=args.quick)
    log(f"{len(windows)} windows, {len(cubes)} cubes, patterns {patterns}")
    methods = methods_2d()
    if not args.no_variants:
        methods.update(pocs_variants())
    scores, skipped = run_quality(windows, cubes, patterns, methods=methods, log=log)
    speed: list[SpeedRow] = []
    if not args.skip_speed:
        log("speed ...")
        first: dict[str, Window] = {}
        for w in windows:
            first.setdefault(w.dataset, w)
        picked = list(first.values())
        if args.quick:  # two mid-sized windows
            picked = [w for w in picked if w.dataset in ("qdn_poststack2d", "real3d_poststack")]
        speed = run_speed(picked, repeat)
    synthetic: list[Score] = []
    if args.synthetic or (args.synthetic is None and not args.quick):
        log("synthetic ...")
        syn_methods = {"seisfill linear": _seisfill("linear"), "seisfill pocs": _seisfill("pocs")}
        syn_methods.update(pocs_variants())
        synthetic = run_synthetic(synthetic_gathers(), patterns, syn_methods)
    elapsed = time.perf_counter() - start
    print(report(scores, skipped, speed, notes, patterns, command, elapsed, synthetic))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
