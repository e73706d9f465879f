"""Training patches: synthetic and real sources, masks, augmentation, hold-out, npz packs.

Shapes (time first, the network convention)
-------------------------------------------
2-D patches are ``(T, X)``: ``T`` time samples of ``X`` adjacent traces, cut
from a gather, a 2-D line, or an inline or a crossline of a cube.  3-D bricks
are ``(T, X, Y)`` from cubes (``X`` along inlines, ``Y`` along crosslines).
``data.patch`` gives ``[T, X]`` or ``[T, X, Y]``.

Sources (``data.sources``: probability of each)
-----------------------------------------------
``synthetic_gather``
    :func:`seisfill.synthetic.random_gather` (shot or CDP, every knob random),
    with a random trace count (``synthetic.gather_traces``) and sample
    interval (``synthetic.gather_dt``).  2-D only.
``synthetic_section``
    :func:`seisfill.synthetic.synthetic_section` with random dip limit
    (``synthetic.max_dip``: up to steep, aliased events), faults,
    diffractions, unconformity and noise.  2-D only.
``synthetic_cube``
    :func:`seisfill.synthetic.synthetic_cube`: inlines and crosslines (2-D),
    or bricks (3-D).
``real``
    The files ``data.real.files`` under ``data.root`` (default
    ``$SEISFILL_DATA``, see :func:`seisfill.train.config.data_root`; SEG-Y via
    :func:`seisfill.read_segy`; netCDF/Zarr via :func:`seisfill.read_dataset`),
    or xarray datasets handed to :class:`PatchDataset`.  Each is read once
    and cached in memory.  Gathers/2-D lines give windows along their traces;
    cubes give inline and crossline windows (2-D) or bricks (3-D).  A source
    smaller than the patch is zero-padded (the padding is marked *invalid*:
    neither live nor scored) when it covers at least ``real.min_coverage`` of
    the patch along every axis, else it is skipped (and said so in
    :func:`describe_split`).

Synthetic data come from a pool of ``synthetic.pool_size`` records per kind
(``val_pool_size`` for validation), each generated on first use from its own
seed and cached; every patch is a random window of a random record, so a
record gives many different patches.  Seeds: record ``j`` of kind ``k`` in
split ``s`` (0 train, 1 validation) has seed
``SeedSequence([seed, k, s, j]).generate_state(1)[0]``: training and
validation never share a synthetic record.

Hold-out (``data.holdout``)
---------------------------
Real data are split by position, never by patch: the last ``trace_fraction``
of the traces of each gather / 2-D line, and the last ``inline_fraction`` of
the inlines of each cube, are validation only; ``guard`` traces (inlines)
between the two parts are used by neither, so no training window touches a
trace adjacent to a validation one; files named in ``holdout.files`` are
validation only.  :func:`describe_split` lists the exact ranges (the training
loop writes it into the run's ``config.yaml`` under ``resolved``).

Determinism
-----------
Patch ``i`` depends only on ``(seed, split, i)`` (through
``numpy.random.default_rng([seed, split, i])``), never on the order of calls,
worker, or cache state; so a ``DistributedSampler`` gives every rank
disjoint, reproducible patches.  Indices beyond ``len(dataset)`` are valid
and give new patches (the training loop passes ``epoch * len + i`` so every
epoch sees fresh windows, masks and augmentations).

Masks (``masks``)
-----------------
Each patch draws a decimation kind by ``masks.kinds`` probabilities: random
(10-80 %), regular (every 2-4), jittered (2-4), gaps (1-32 consecutive traces,
1-2 of them) or realistic dead channels (:func:`seisfill.masks.decimate_dead_channels`);
on 3-D grids regular/jitter/gap act along crosslines, inlines or both
(``masks.grid_axes``).  The keep mask is ANDed with the valid traces; every
patch keeps at least 2 live traces and misses at least one valid trace.  A
mask whose missing traces are more than ``masks.max_hole_ratio`` times louder
(RMS) than its live ones (the near-offset traces of a shot gather with strong
ground roll, say) is redrawn: nothing in the live data predicts such
amplitudes, and after per-patch normalisation they would dominate the loss.

Augmentation (``augment``, training only)
-----------------------------------------
Flip along the trace axis (each spatial axis in 3-D), transpose X/Y of square
3-D bricks, polarity reversal, amplitude scaling (log-uniform in ``scale``;
matters only without normalisation), and a time shift of up to
``time_shift`` samples (generated patches: the window start is random anyway;
npz patches: a random crop of the stored time margin).  Masks are drawn after
augmentation, so data, mask and validity always agree.

npz packs
---------
:func:`pack_npz` writes fixed arrays (``train_*``: raw patches with a margin
for random crops, masks drawn at load time; ``val_*``: the exact validation
patches with their masks).  With ``data.npz`` set, :class:`PatchDataset` reads
only the pack (no segyio, no generator): this is how GPU runs are fed.

Guided packs (``data.guide``: a registered numpy method, e.g. f-x prediction)
feed networks that correct a classical estimate (``model.guide_channels``).
The guide depends on the mask, so such a pack fixes every patch's mask when
packing: a window of ``data.guide_context`` (wider than the patch, as a
gather is at fill time) is cut, masked from the usual mix, filled by
:func:`seisfill.methods.refine.guide_estimate`, and its centre (patch plus
``npz_margin``) is stored with ``keep`` and ``guide``.  At load time the crop,
flips and polarity apply to data, mask and guide alike; the guide is
normalised with the data's gain and scale.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from seisfill.errors import SeisfillError
from seisfill.masks import true_runs
from seisfill.nn.normalize import normalize
from seisfill.train.config import data_root, dump_config, resolve_path

__all__ = [
    "SOURCE_KINDS",
    "MASK_KINDS",
    "Volume",
    "Patch",
    "PatchDataset",
    "draw_mask",
    "augment",
    "load_real_volumes",
    "real_files",
    "holdout_masks",
    "describe_split",
    "pack_npz",
    "load_npz",
    "record_seed",
]

SOURCE_KINDS = ("synthetic_gather", "synthetic_section", "synthetic_cube", "real")
MASK_KINDS = ("random", "regular", "jitter", "gap", "dead")
_SPLIT_ID = {"train": 0, "val": 1}
_KIND_ID = {k: i for i, k in enumerate(SOURCE_KINDS)}
_MAX_TRIES = 8


# ---------------------------------------------------------------------------
# containers
# ---------------------------------------------------------------------------


@dataclass
class Volume:
    """A 2-D or 3-D record that patches are cut from.

    Attributes
    ----------
    name : str
    data : ndarray of float32, shape (n_line, n_trace, nt)
        Gathers ``(gather, trace, time)`` or a cube ``(inline, crossline, time)``.
    layout : str
        ``"gathers"`` or ``"cube"``.
    allowed : ndarray of bool, shape (n_line, n_trace)
        Traces this split may use (live, and on the split's side of the hold-out).
    dt : float
        Sample interval, s.
    vid : int
        Volume id recorded in patch metadata (-1 for synthetic records).
    """

    name: str
    data: np.ndarray
    layout: str
    allowed: np.ndarray
    dt: float
    vid: int = -1
    _rms: float | None = None
    _segments: dict = field(default_factory=dict)

    @property
    def rms(self) -> float:
        if self._rms is None:
            sel = self.data[self.allowed]
            self._rms = float(np.sqrt(np.mean(np.square(sel, dtype=np.float64)))) if sel.size else 0.0
        return self._rms


@dataclass
class Patch:
    """One raw (un-normalised) training or validation example.

    Attributes
    ----------
    target : ndarray of float32, shape (T, X) or (T, X, Y)
        The full reference (zeros in the padding).
    valid_traces : ndarray of bool, shape (X,) or (X, Y)
        Traces whose reference is known (not padding, not dead in the file).
    valid_time : ndarray of bool, shape (T,)
        Samples inside the record (not time padding).
    keep : ndarray of bool, shape (X,) or (X, Y), or None
        Live traces after decimation (always a subset of ``valid_traces``).
    meta : dict
        ``source`` (kind), ``record`` (name), ``direction``, ``line``,
        ``cells`` (int array (X[, Y], 3): volume id, line, trace of each
        column; -1 for padding and synthetic records), ``t_start``, ``dt``,
        ``mask`` (kind and parameters), ``augment`` (what was applied).
    guide : ndarray of float32, shape of ``target``, or None
        The classical estimate a guided network corrects (guided packs only).
    """

    target: np.ndarray
    valid_traces: np.ndarray
    valid_time: np.ndarray
    keep: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    guide: np.ndarray | None = None

    @property
    def valid(self) -> np.ndarray:
        """Sample-level validity, shape of ``target``."""
        vt = self.valid_time.reshape((-1,) + (1,) * self.valid_traces.ndim)
        return vt & self.valid_traces[None]

    @property
    def live(self) -> np.ndarray:
        """Sample-level live mask (kept and valid), shape of ``target``."""
        if self.keep is None:
            raise SeisfillError("this patch has no mask yet")
        return self.valid & self.keep[None]


def record_seed(seed: int, kind: str, split: str, j: int) -> int:
    """Seed of synthetic record ``j`` of ``kind`` in ``split`` (see the module docstring)."""
    ss = np.random.SeedSequence([int(seed), _KIND_ID[kind], _SPLIT_ID[split], int(j)])
    return int(ss.generate_state(1, np.uint32)[0])


def _uniform(rng: np.random.Generator, lohi: Any) -> float:
    if isinstance(lohi, list | tuple):
        lo, hi = float(lohi[0]), float(lohi[-1])
        return float(rng.uniform(lo, hi)) if hi > lo else lo
    return float(lohi)


def _integer(rng: np.random.Generator, lohi: Any) -> int:
    if isinstance(lohi, list | tuple):
        lo, hi = int(lohi[0]), int(lohi[-1])
        return int(rng.integers(lo, hi + 1)) if hi > lo else lo
    return int(lohi)


# ---------------------------------------------------------------------------
# real files and hold-out
# ---------------------------------------------------------------------------

_REAL_CACHE: dict[str, tuple[np.ndarray, np.ndarray, str, float]] = {}


def _read_real(path: Path) -> tuple[np.ndarray, np.ndarray, str, float]:
    key = str(path)
    if key not in _REAL_CACHE:
        from seisfill.io.convert import read_dataset
        from seisfill.io.segy import read_segy

        ds = read_segy(path) if path.suffix.lower() in (".sgy", ".segy") else read_dataset(path)
        _REAL_CACHE[key] = _from_dataset(ds)
    return _REAL_CACHE[key]


def _from_dataset(ds: Any) -> tuple[np.ndarray, np.ndarray, str, float]:
    amp = np.ascontiguousarray(np.asarray(ds["amplitude"].values, dtype=np.float32))
    live = np.asarray(ds["live"].values, dtype=bool)
    if amp.ndim != 3 or live.shape != amp.shape[:2]:
        raise SeisfillError(f"dataset amplitude {amp.shape} / live {live.shape} is not (slot, slot, time)")
    layout = "cube" if tuple(ds["amplitude"].dims[:2]) == ("inline", "crossline") else "gathers"
    dt = float(ds.attrs.get("dt_ms", 4.0)) / 1000.0
    live &= np.isfinite(amp).all(axis=-1)
    return amp, live, layout, dt


def holdout_masks(
    name: str, live: np.ndarray, layout: str, holdout: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Training and validation trace masks of one real record, and their description.

    Parameters
    ----------
    name : str
        File name (matched against ``holdout.files``).
    live : ndarray of bool, shape (n_line, n_trace)
    layout : str
        ``"gathers"`` or ``"cube"``.
    holdout : mapping
        The ``data.holdout`` config section.

    Returns
    -------
    train, val : ndarray of bool, shape (n_line, n_trace)
    info : dict
        Human-readable ranges (0-based, inclusive).
    """
    n_line, n_trace = live.shape
    train = np.zeros_like(live)
    val = np.zeros_like(live)
    guard = int(holdout.get("guard", 0))
    files = {Path(f).name for f in holdout.get("files", []) or []}
    if Path(name).name in files:
        val[:] = True
        info: dict[str, Any] = {"train": "none", "val": "whole file (holdout.files)"}
    elif layout == "cube":
        n_val = min(n_line, math.ceil(float(holdout.get("inline_fraction", 0.25)) * n_line))
        n_train = max(0, n_line - n_val - guard)
        val[n_line - n_val :] = True
        train[:n_train] = True
        info = {
            "train": f"inline index 0-{n_train - 1}" if n_train else "none",
            "guard": f"inline index {n_train}-{n_line - n_val - 1}" if n_line - n_val > n_train else "none",
            "val": f"inline index {n_line - n_val}-{n_line - 1}" if n_val else "none",
        }
    else:
        n_val = min(n_trace, math.ceil(float(holdout.get("trace_fraction", 0.25)) * n_trace))
        n_train = max(0, n_trace - n_val - guard)
        val[:, n_trace - n_val :] = True
        train[:, :n_train] = True
        info = {
            "train": f"trace slots 0-{n_train - 1} of every gather" if n_train else "none",
            "guard": f"trace slots {n_train}-{n_trace - n_val - 1}" if n_trace - n_val > n_train else "none",
            "val": f"trace slots {n_trace - n_val}-{n_trace - 1} of every gather" if n_val else "none",
        }
    return train & live, val & live, info


def load_real_volumes(
    config: Mapping[str, Any],
    split: str,
    datasets: Mapping[str, Any] | None = None,
) -> list[Volume]:
    """The real records of ``split`` with their allowed traces (files read once, cached)."""
    data_cfg = config["data"]
    volumes: list[Volume] = []
    records = _real_records(real_files(data_cfg), datasets)
    for vid, (name, (amp, live, layout, dt)) in enumerate(records):
        train, val, _ = holdout_masks(name, live, layout, data_cfg["holdout"])
        allowed = train if split == "train" else val
        volumes.append(Volume(name, amp, layout, allowed, dt, vid))
    return volumes


def real_files(data_cfg: Mapping[str, Any]) -> list[Path]:
    """Paths of ``data.real.files``: absolute as given, else under :func:`data_root` (checked)."""
    names = [Path(name) for name in data_cfg["real"].get("files", []) or []]
    root = data_root(data_cfg) if any(not name.is_absolute() for name in names) else None
    paths = [name if name.is_absolute() else root / name for name in names]
    for path in paths:
        if not path.exists():
            raise SeisfillError(f"real training file {path} not found (see data.root and data.real.files)")
    return paths


def _real_records(paths: list[Path], datasets: Mapping[str, Any] | None) -> list[tuple[str, tuple]]:
    """``(name, (amplitudes, live, layout, dt))`` of the real files, then of the given datasets."""
    items = [(path.name, _read_real(path)) for path in paths]
    items += [(str(name), _from_dataset(ds)) for name, ds in (datasets or {}).items()]
    return items


# ---------------------------------------------------------------------------
# cutting patches out of volumes
# ---------------------------------------------------------------------------


def _segments_2d(vol: Volume, width: int, min_cov: float) -> list[tuple[str, int, int, int]]:
    key = ("2d", width, min_cov)
    if key not in vol._segments:
        segs: list[tuple[str, int, int, int]] = []
        dirs = [("line", vol.allowed)] if vol.layout == "gathers" else [
            ("inline", vol.allowed),
            ("crossline", vol.allowed.T),
        ]
        for direction, allowed in dirs:
            for li, row in enumerate(allowed):
                for start, n in true_runs(row):
                    if n >= min(width, max(2, math.ceil(min_cov * width))):
                        segs.append((direction, li, start, n))
        vol._segments[key] = segs
    return vol._segments[key]


def _segments_3d(vol: Volume, nx: int, ny: int, min_cov: float) -> list[tuple[int, int]]:
    key = ("3d", nx, ny, min_cov)
    if key not in vol._segments:
        segs: list[tuple[int, int]] = []
        if vol.layout == "cube" and vol.data.shape[1] >= min(ny, math.ceil(min_cov * ny)):
            rows = vol.allowed.all(axis=1)
            segs = [(s, n) for s, n in true_runs(rows) if n >= min(nx, max(2, math.ceil(min_cov * nx)))]
        vol._segments[key] = segs
    return vol._segments[key]


def usable(vol: Volume, patch: tuple[int, ...], min_cov: float) -> bool:
    """Whether ``vol`` can give patches of this shape."""
    nt = vol.data.shape[-1]
    if nt < min(patch[0], math.ceil(min_cov * patch[0])):
        return False
    if len(patch) == 2:
        return bool(_segments_2d(vol, patch[1], min_cov))
    return bool(_segments_3d(vol, patch[1], patch[2], min_cov))


def _window(rng: np.random.Generator, n: int, size: int) -> tuple[int, int, int]:
    """(source start, patch offset, length) of a window of ``size`` over ``n`` samples."""
    if n >= size:
        return int(rng.integers(0, n - size + 1)), 0, size
    return 0, int(rng.integers(0, size - n + 1)), n


def _cut(vol: Volume, patch: tuple[int, ...], rng: np.random.Generator, min_cov: float) -> Patch:
    """A random patch of ``vol`` (all axes padded with invalid zeros where the record is short)."""
    T = patch[0]
    nt = vol.data.shape[-1]
    t0, to, tl = _window(rng, nt, T)
    valid_time = np.zeros(T, dtype=bool)
    valid_time[to : to + tl] = True
    if len(patch) == 2:
        X = patch[1]
        segs = _segments_2d(vol, X, min_cov)
        weights = np.array([n for *_, n in segs], dtype=np.float64)
        direction, line, start, n = segs[int(rng.choice(len(segs), p=weights / weights.sum()))]
        s0, xo, xl = _window(rng, n, X)
        s0 += start
        cols = np.arange(s0, s0 + xl)
        if direction == "crossline":
            block = vol.data[cols, line, t0 : t0 + tl]  # (xl, tl)
            cells_lt = np.stack([cols, np.full(xl, line)], axis=-1)
        else:
            block = vol.data[line, s0 : s0 + xl, t0 : t0 + tl]
            cells_lt = np.stack([np.full(xl, line), cols], axis=-1)
        target = np.zeros((T, X), dtype=np.float32)
        target[to : to + tl, xo : xo + xl] = block.T
        valid_traces = np.zeros(X, dtype=bool)
        valid_traces[xo : xo + xl] = True
        cells = np.full((X, 3), -1, dtype=np.int32)
        if vol.vid >= 0:
            cells[xo : xo + xl, 0] = vol.vid
            cells[xo : xo + xl, 1:] = cells_lt
        meta = {"direction": direction, "line": int(line)}
    else:
        X, Y = patch[1], patch[2]
        segs3 = _segments_3d(vol, X, Y, min_cov)
        weights = np.array([n for _, n in segs3], dtype=np.float64)
        start, n = segs3[int(rng.choice(len(segs3), p=weights / weights.sum()))]
        i0, io, il = _window(rng, n, X)
        i0 += start
        j0, jo, jl = _window(rng, vol.data.shape[1], Y)
        block = vol.data[i0 : i0 + il, j0 : j0 + jl, t0 : t0 + tl]  # (il, jl, tl)
        target = np.zeros((T, X, Y), dtype=np.float32)
        target[to : to + tl, io : io + il, jo : jo + jl] = np.moveaxis(block, -1, 0)
        valid_traces = np.zeros((X, Y), dtype=bool)
        valid_traces[io : io + il, jo : jo + jl] = True
        cells = np.full((X, Y, 3), -1, dtype=np.int32)
        if vol.vid >= 0:
            ii, jj = np.meshgrid(np.arange(i0, i0 + il), np.arange(j0, j0 + jl), indexing="ij")
            cells[io : io + il, jo : jo + jl] = np.stack([np.full_like(ii, vol.vid), ii, jj], axis=-1)
        meta = {"direction": "brick", "line": int(i0)}
        # dead traces inside the brick are not valid
        valid_traces[io : io + il, jo : jo + jl] &= vol.allowed[i0 : i0 + il, j0 : j0 + jl]
    if len(patch) == 2:
        allowed_row = (
            vol.allowed[cols, line] if meta["direction"] == "crossline" else vol.allowed[line, cols]
        )
        valid_traces[xo : xo + xl] &= allowed_row
    target *= valid_traces[None]
    meta.update(record=vol.name, cells=cells, t_start=int(t0) - int(to), dt=float(vol.dt))
    return Patch(target=target, valid_traces=valid_traces, valid_time=valid_time, meta=meta)


# ---------------------------------------------------------------------------
# synthetic records
# ---------------------------------------------------------------------------


class _SyntheticPool:
    """Lazily generated, cached synthetic records of one kind and split."""

    def __init__(self, kind: str, split: str, config: Mapping[str, Any], size: int):
        self.kind = kind
        self.split = split
        self.seed = int(config["seed"])
        self.syn = config["data"]["synthetic"]
        self.target = config["data"].get("target", "data")
        self.size = max(1, int(size))
        self.cache: dict[int, Volume] = {}

    def record(self, j: int) -> Volume:
        if j not in self.cache:
            self.cache[j] = self._make(j)
        return self.cache[j]

    def _make(self, j: int) -> Volume:
        from seisfill import synthetic as syn  # imported lazily: needs segyio

        seed = record_seed(self.seed, self.kind, self.split, j)
        rng = np.random.default_rng(seed)
        c = self.syn
        noise = None if rng.random() < float(c["noise_free"]) else _uniform(rng, c["noise_snr_db"])
        name = f"{self.kind}:{self.split}:{j}:seed{seed}"
        if self.kind == "synthetic_gather":
            dts = c["gather_dt"] if isinstance(c["gather_dt"], list | tuple) else [c["gather_dt"]]
            dt = float(dts[int(rng.integers(len(dts)))])
            n_tr = _integer(rng, c["gather_traces"])
            g = syn.random_gather(seed, n_traces=n_tr, nt=int(c["gather_nt"]), dt=dt)
            arr = g.clean if self.target == "clean" else g.data
            data, layout = arr[None], "gathers"
        elif self.kind == "synthetic_section":
            dt = float(rng.choice([0.002, 0.004]))
            s = syn.synthetic_section(
                int(c["section_traces"]),
                int(c["section_nt"]),
                dt,
                seed,
                dx=float(rng.choice([6.25, 12.5, 25.0])),
                n_reflectors=int(rng.integers(15, 60)),
                n_faults=int(rng.integers(0, 4)),
                n_diffractors=int(rng.integers(0, 8)),
                max_dip=_uniform(rng, c["max_dip"]),
                unconformity=bool(rng.random() < 0.5),
                noise_snr_db=noise,
            )
            arr = s.clean if self.target == "clean" else s.data
            data, layout = arr[None], "gathers"
        else:
            ni, nx, nt = (int(v) for v in c["cube_shape"])
            dt = 0.004
            cube = syn.synthetic_cube(
                ni,
                nx,
                nt,
                dt,
                seed,
                n_reflectors=int(rng.integers(15, 40)),
                n_faults=int(rng.integers(0, 3)),
                n_diffractors=int(rng.integers(0, 4)),
                max_dip=_uniform(rng, c["max_dip"]) * 0.7,
                noise_snr_db=noise,
            )
            data, layout = (cube.clean if self.target == "clean" else cube.data), "cube"
        data = np.ascontiguousarray(data, dtype=np.float32)
        allowed = np.ones(data.shape[:2], dtype=bool)
        return Volume(name, data, layout, allowed, dt, -1)


# ---------------------------------------------------------------------------
# masks and augmentation
# ---------------------------------------------------------------------------


def _grid_axis(rng: np.random.Generator, mcfg: Mapping[str, Any]) -> Any:
    probs = mcfg.get("grid_axes") or {"crossline": 1.0}
    names = list(probs)
    p = np.array([float(probs[k]) for k in names])
    pick = names[int(rng.choice(len(names), p=p / p.sum()))]
    return {"crossline": -1, "inline": 0, "both": (0, 1)}[pick]


def _one_mask(kind: str, shape: tuple[int, ...], rng: np.random.Generator, mcfg: Mapping[str, Any]) -> tuple[np.ndarray, dict]:
    from seisfill import masks as m

    dims = shape if len(shape) > 1 else shape[0]
    axis = _grid_axis(rng, mcfg) if len(shape) > 1 else -1
    if kind == "random":
        f = _uniform(rng, mcfg["random_fraction"])
        return m.decimate_random(dims, f, rng), {"kind": kind, "fraction": round(f, 4)}
    if kind == "dead":
        f = _uniform(rng, mcfg["dead_fraction"])
        return m.decimate_dead_channels(dims, f, rng), {"kind": kind, "fraction": round(f, 4)}
    n_axis = shape[-1] if not isinstance(axis, tuple) and axis == -1 else shape[0]
    if kind in ("regular", "jitter"):
        every = _integer(rng, mcfg[f"{kind}_every"])
        every = max(2, min(every, n_axis // 2))
        fn = m.decimate_regular if kind == "regular" else m.decimate_jittered
        return fn(dims, every, rng, axis=axis), {"kind": kind, "every": every, "axis": str(axis)}
    if kind == "gap":
        if isinstance(axis, tuple):
            n_axis = min(shape)
        lo, hi = mcfg["gap_length"]
        hi = max(int(lo), min(int(hi), n_axis - 4))
        gap = _integer(rng, [lo, hi])
        count = _integer(rng, mcfg["gap_count"])
        for _ in range(4):
            try:
                keep = m.decimate_gaps(dims, gap, rng, count, axis=axis)
                return keep, {"kind": kind, "gap": gap, "count": count, "axis": str(axis)}
            except SeisfillError:
                count, gap = 1, max(1, gap // 2)
        raise SeisfillError(f"no gap fits in {shape}")
    raise SeisfillError(f"unknown mask kind {kind!r}")


def draw_mask(
    shape: tuple[int, ...],
    rng: np.random.Generator,
    mcfg: Mapping[str, Any],
    valid: np.ndarray | None = None,
    kind: str | None = None,
) -> tuple[np.ndarray, dict]:
    """A keep mask (True = live) over the traces of a patch, and its description.

    Parameters
    ----------
    shape : tuple of int
        ``(X,)`` or ``(X, Y)``.
    rng : numpy.random.Generator
    mcfg : mapping
        The ``masks`` config section.
    valid : ndarray of bool, optional
        Traces with a known reference; the result is ANDed with it, and redrawn
        until it keeps 2 live traces and misses at least one valid trace.
    kind : str, optional
        Force a kind instead of drawing it from ``mcfg["kinds"]``.
    """
    valid = np.ones(shape, dtype=bool) if valid is None else np.asarray(valid, dtype=bool)
    kinds = [k for k, p in mcfg["kinds"].items() if float(p) > 0]
    probs = np.array([float(mcfg["kinds"][k]) for k in kinds])
    for _ in range(10):
        k = kind or kinds[int(rng.choice(len(kinds), p=probs / probs.sum()))]
        try:
            keep, info = _one_mask(k, tuple(shape), rng, mcfg)
        except SeisfillError:
            continue
        keep &= valid
        if keep.sum() >= 2 and (valid & ~keep).any():
            return keep, info
    # fallback: every other valid trace
    keep = valid.copy()
    idx = np.flatnonzero(valid.ravel())
    flat = keep.ravel()
    flat[idx[1::2]] = False
    return flat.reshape(shape), {"kind": "fallback"}


def augment(patch: Patch, rng: np.random.Generator, acfg: Mapping[str, Any]) -> Patch:
    """Flips, X/Y transpose (square 3-D), polarity and amplitude scaling, in place; seeded."""
    applied: dict[str, Any] = {}
    nsp = patch.valid_traces.ndim
    for ax in range(nsp):
        if rng.random() < float(acfg.get("flip", 0.0)):
            patch.target = np.flip(patch.target, axis=1 + ax)
            patch.valid_traces = np.flip(patch.valid_traces, axis=ax)
            if "cells" in patch.meta:
                patch.meta["cells"] = np.flip(patch.meta["cells"], axis=ax)
            if patch.keep is not None:
                patch.keep = np.flip(patch.keep, axis=ax)
            if patch.guide is not None:
                patch.guide = np.flip(patch.guide, axis=1 + ax)
            applied[f"flip{ax}"] = True
    if nsp == 2 and patch.target.shape[1] == patch.target.shape[2] and rng.random() < float(acfg.get("transpose", 0.0)):
        patch.target = patch.target.transpose(0, 2, 1)
        patch.valid_traces = patch.valid_traces.T
        if "cells" in patch.meta:
            patch.meta["cells"] = patch.meta["cells"].transpose(1, 0, 2)
        if patch.keep is not None:
            patch.keep = patch.keep.T
        if patch.guide is not None:
            patch.guide = patch.guide.transpose(0, 2, 1)
        applied["transpose"] = True
    sign = -1.0 if rng.random() < float(acfg.get("polarity", 0.0)) else 1.0
    lo, hi = acfg.get("scale", [1.0, 1.0]) or [1.0, 1.0]
    gain = float(np.exp(rng.uniform(np.log(float(lo)), np.log(float(hi))))) if hi > lo else float(lo)
    if sign != 1.0 or gain != 1.0:
        patch.target = patch.target * np.float32(sign * gain)
        if patch.guide is not None:
            patch.guide = patch.guide * np.float32(sign * gain)
        applied.update(polarity=sign, scale=gain)
    patch.target = np.ascontiguousarray(patch.target, dtype=np.float32)
    if patch.guide is not None:
        patch.guide = np.ascontiguousarray(patch.guide, dtype=np.float32)
    patch.valid_traces = np.ascontiguousarray(patch.valid_traces)
    if "cells" in patch.meta:
        patch.meta["cells"] = np.ascontiguousarray(patch.meta["cells"])
    patch.meta["augment"] = applied
    return patch


# ---------------------------------------------------------------------------
# the dataset
# ---------------------------------------------------------------------------


class PatchDataset(Dataset):
    """Seeded patches for training (``split="train"``) or validation (``"val"``).

    ``dataset[i]`` is a dict of float32 tensors, time first with a channel axis:

    ``x`` (1, T, X[, Y])
        Normalised input, zero on missing traces.
    ``mask`` (1, T, X[, Y])
        1 on live samples.
    ``target`` (1, T, X[, Y])
        Normalised full reference (same gain and scale as ``x``).
    ``valid`` (1, T, X[, Y])
        1 where the reference is known (0 in padding).
    ``scale`` ()
        The normalisation scale; ``gain`` (T,) the time gain (ones for none).

    :meth:`sample` gives the raw :class:`Patch` with its metadata.

    Parameters
    ----------
    config : mapping
        The resolved config (see :mod:`seisfill.train.config`).
    split : str
        ``"train"`` or ``"val"``.
    datasets : mapping of str to xarray.Dataset, optional
        Extra real records (seisfill datasets with ``amplitude`` and ``live``).
    length : int, optional
        Override ``len()`` (default: ``data.epoch_size`` for train,
        ``data.val.n_patches`` for val, or the pack's size).
    """

    def __init__(
        self,
        config: Mapping[str, Any],
        split: str = "train",
        *,
        datasets: Mapping[str, Any] | None = None,
        length: int | None = None,
    ):
        if split not in _SPLIT_ID:
            raise SeisfillError(f"split must be 'train' or 'val', got {split!r}")
        self.config = config
        self.split = split
        self.seed = int(config["seed"])
        dcfg = config["data"]
        self.patch = tuple(int(v) for v in dcfg["patch"])
        self.ndim = len(self.patch) - 1
        self.min_cov = float(dcfg["real"].get("min_coverage", 0.3))
        self.npz_path = resolve_path(dcfg.get("npz"))
        self.pack: dict[str, np.ndarray] | None = None
        self.sources: dict[str, Any] = {}
        self.probs: dict[str, float] = {}
        self.skipped: dict[str, str] = {}
        if self.npz_path is not None:
            self.pack = load_npz(self.npz_path, split)
            n = int(self.pack["target"].shape[0])
            self._check_pack()
        else:
            self._build_sources(datasets)
            n = int(dcfg["epoch_size"]) if split == "train" else int(dcfg["val"]["n_patches"])
        self.length = int(length) if length is not None else n

    # -- sources -------------------------------------------------------------

    def _build_sources(self, datasets: Mapping[str, Any] | None) -> None:
        dcfg = self.config["data"]
        syn = dcfg["synthetic"]
        size_key = "pool_size" if self.split == "train" else "val_pool_size"
        for kind, p in dcfg["sources"].items():
            if float(p) <= 0:
                continue
            if self.ndim == 3 and kind in ("synthetic_gather", "synthetic_section"):
                self.skipped[kind] = "2-D records cannot give 3-D bricks"
                continue
            if kind == "real":
                vols = []
                for v in load_real_volumes(self.config, self.split, datasets):
                    if v.allowed.any() and usable(v, self.patch, self.min_cov):
                        vols.append(v)
                    else:
                        self.skipped[f"real:{v.name}"] = (
                            f"no {self.split} window of {list(self.patch)} "
                            f"(record {list(v.data.shape)}, min_coverage {self.min_cov})"
                        )
                if not vols:
                    self.skipped["real"] = f"no usable real record for the {self.split} split"
                    continue
                area = np.array([v.allowed.sum() * v.data.shape[-1] for v in vols], dtype=np.float64)
                self.sources[kind] = (vols, area / area.sum())
            else:
                self.sources[kind] = _SyntheticPool(kind, self.split, self.config, int(syn[size_key]))
            self.probs[kind] = float(p)
        if not self.sources:
            raise SeisfillError(f"no data source left for the {self.split} split: {self.skipped}")
        total = sum(self.probs.values())
        self.probs = {k: v / total for k, v in self.probs.items()}

    def _check_pack(self) -> None:
        assert self.pack is not None
        shape = self.pack["target"].shape[1:]
        if len(shape) != len(self.patch) or any(s < p for s, p in zip(shape, self.patch, strict=True)):
            raise SeisfillError(
                f"{self.npz_path}: {self.split} patches of shape {list(shape)} cannot give "
                f"data.patch {list(self.patch)}"
            )

    def __len__(self) -> int:
        return self.length

    def _rng(self, index: int) -> np.random.Generator:
        extra = [int(self.config["data"]["val"]["seed"])] if self.split == "val" else []
        return np.random.default_rng([self.seed, *extra, _SPLIT_ID[self.split], int(index)])

    def raw(self, index: int, rng: np.random.Generator | None = None, patch: tuple[int, ...] | None = None) -> Patch:
        """An un-augmented, unmasked patch (generated sources only)."""
        rng = self._rng(index) if rng is None else rng
        shape = self.patch if patch is None else patch
        kinds = list(self.probs)
        p = np.array([self.probs[k] for k in kinds])
        kind = kinds[int(rng.choice(len(kinds), p=p))]
        min_ratio = float(self.config["data"].get("min_rms_ratio", 0.0))
        best: Patch | None = None
        for _ in range(_MAX_TRIES):
            if kind == "real":
                vols, weights = self.sources[kind]
                vol = vols[int(rng.choice(len(vols), p=weights))]
            else:
                pool = self.sources[kind]
                vol = pool.record(int(rng.integers(pool.size)))
            patch_ = _cut(vol, shape, rng, self.min_cov)
            valid = patch_.valid
            rms = float(np.sqrt(np.mean(np.square(patch_.target[valid], dtype=np.float64)))) if valid.any() else 0.0
            best = patch_
            if rms > min_ratio * vol.rms and patch_.valid_traces.sum() >= 3:
                break
        assert best is not None
        best.meta["source"] = kind
        return best

    def sample(self, index: int) -> Patch:
        """Patch ``index`` with its mask (and augmentation, for training); deterministic."""
        rng = self._rng(index)
        if self.pack is not None:
            patch = self._from_pack(index, rng)
            if self.split == "val" and "keep" in self.pack:
                return patch
        else:
            patch = self.raw(index, rng)
        if self.split == "train" and self.config["augment"].get("enabled", True):
            patch = augment(patch, rng, self.config["augment"])
        if patch.keep is not None:  # a guided pack: the mask was fixed with the guide
            return patch
        mcfg = self.config["masks"]
        ratio = float(mcfg.get("max_hole_ratio", 0) or 0)
        for _ in range(_MAX_TRIES):
            keep, info = draw_mask(patch.valid_traces.shape, rng, mcfg, patch.valid_traces)
            if ratio <= 0 or _hole_ratio(patch, keep) <= ratio:
                break
        patch.keep = keep
        patch.meta["mask"] = info
        if self.config["data"].get("guide"):  # generated data: the guide of the patch alone (packs see wider)
            patch.guide = guide_of(patch, str(self.config["data"]["guide"]))
        return patch

    def guided(self, index: int, patch: tuple[int, ...], context: tuple[int, ...]) -> Patch:
        """Patch ``index`` of shape ``patch``, masked and guided on a ``context`` window around it.

        The mask is drawn from the mix over the whole context, the guide is
        :func:`guide_of` the context, and the centre is returned with both.  The
        centre of ``data.patch`` (where a crop that would hold no hole falls back
        to) keeps 2 live traces and misses a valid one: window and mask are
        redrawn until it does.
        """
        rng = self._rng(index)
        context = tuple(max(c, p) for c, p in zip(context, patch, strict=True))
        best: tuple[Patch, tuple[slice, ...]] | None = None
        for _ in range(_MAX_TRIES):
            found = self._guided_window(index, rng, patch, context)
            if found is None:
                continue
            best = found
            wide, centre = found
            core = _centre(wide.valid_traces.shape, self.patch[1:])
            keep, valid = wide.keep[core], wide.valid_traces[core]
            if keep.sum() >= 2 and (valid & ~keep).any():
                break
        if best is None:
            raise SeisfillError(f"no {self.split} window of {list(context)} for a guided patch")
        wide, centre = best
        guide = guide_of(wide, str(self.config["data"]["guide"]))
        meta = dict(wide.meta, cells=wide.meta["cells"][centre[1:]],
                    t_start=int(wide.meta.get("t_start", 0)) + centre[0].start)
        return Patch(target=np.ascontiguousarray(wide.target[centre]), valid_traces=wide.valid_traces[centre[1:]].copy(),
                     valid_time=wide.valid_time[centre[0]].copy(), keep=wide.keep[centre[1:]].copy(), meta=meta,
                     guide=np.ascontiguousarray(guide[centre]))

    def _guided_window(
        self, index: int, rng: np.random.Generator, patch: tuple[int, ...], context: tuple[int, ...]
    ) -> tuple[Patch, tuple[slice, ...]] | None:
        """A masked ``context`` window whose ``patch`` centre is loud and holds 3 valid traces, or None."""
        min_ratio = max(float(self.config["data"].get("min_rms_ratio", 0.0)), 1e-6)
        wide = None
        for shape in (context, (context[0], patch[1])):  # a record with no run of traces as wide: narrower
            with contextlib.suppress(ValueError):
                wide = self.raw(index, rng, patch=shape)
                break
        if wide is None:
            return None
        centre = _centre(wide.target.shape, patch)
        core = _centre(wide.valid_traces.shape, self.patch[1:])
        if wide.valid_traces[core].sum() < 3 or _valid_rms(wide, centre) <= min_ratio * _valid_rms(wide):
            return None  # padding or a mute zone in the middle
        mcfg = self.config["masks"]
        ratio = float(mcfg.get("max_hole_ratio", 0) or 0)
        valid = wide.valid_traces[core]
        for _ in range(_MAX_TRIES):
            keep, info = draw_mask(wide.valid_traces.shape, rng, mcfg, wide.valid_traces)
            if keep[core].sum() >= 2 and (valid & ~keep[core]).any() and (ratio <= 0 or _hole_ratio(wide, keep) <= ratio):
                break
        wide.keep = keep
        wide.meta["mask"] = info
        return wide, centre

    def _from_pack(self, index: int, rng: np.random.Generator) -> Patch:
        assert self.pack is not None
        pk = self.pack
        n = pk["target"].shape[0]
        i = int(index) % n
        full = pk["target"][i]
        offsets = []
        for axis, size in enumerate(self.patch):
            extra = full.shape[axis] - size
            if self.split == "val" or extra == 0:
                offsets.append(extra // 2)
            else:
                offsets.append(int(rng.integers(0, extra + 1)))
        if "guide" in pk and not _crop_has_holes(pk, i, offsets, self.patch):
            offsets[1:] = [(n - s) // 2 for n, s in zip(full.shape[1:], self.patch[1:], strict=True)]
        sl = tuple(slice(o, o + s) for o, s in zip(offsets, self.patch, strict=True))
        target = np.asarray(full[sl], dtype=np.float32)
        vt = pk["valid_time"][i]
        vtr = pk["valid_traces"][i][sl[1:]]
        meta: dict[str, Any] = {
            "source": str(pk["source_names"][int(pk["source"][i])]),
            "record": "npz",
            "cells": np.asarray(pk["cells"][i][sl[1:]]),
            "t_start": int(pk["t_start"][i]) + offsets[0],
            "dt": float(pk["dt"][i]),
            "pack_index": i,
        }
        valid_time = np.zeros(self.patch[0], dtype=bool)
        lo, hi = int(vt[0]) - offsets[0], int(vt[1]) - offsets[0]
        valid_time[max(lo, 0) : max(min(hi, self.patch[0]), 0)] = True
        patch = Patch(target=target, valid_traces=np.array(vtr, dtype=bool), valid_time=valid_time, meta=meta)
        if (self.split == "val" or "guide" in pk) and "keep" in pk:
            patch.keep = np.array(pk["keep"][i][sl[1:]], dtype=bool)
            patch.meta["mask"] = {"kind": str(pk["mask_kinds"][i])}
        if "guide" in pk:
            patch.guide = np.asarray(pk["guide"][i][sl], dtype=np.float32)
        return patch

    # -- tensors -------------------------------------------------------------

    def arrays(self, index: int) -> dict[str, Any]:
        """Numpy version of ``dataset[index]`` (plus the :class:`Patch`)."""
        patch = self.sample(index)
        return patch_arrays(patch, self.config["normalize"])

    def __getitem__(self, index: int) -> dict[str, Any]:
        a = self.arrays(index)
        item = {
            "x": torch.from_numpy(a["x"][None]),
            "mask": torch.from_numpy(a["mask"][None]),
            "target": torch.from_numpy(a["target"][None]),
            "valid": torch.from_numpy(a["valid"][None]),
            "gain": torch.from_numpy(a["gain"]),
            "scale": torch.tensor(a["scale"], dtype=torch.float32),
            "source": _KIND_ID.get(a["patch"].meta.get("source", ""), -1),
        }
        if "guide" in a:
            item["guide"] = torch.from_numpy(a["guide"][None])
        return item

    def describe(self) -> dict[str, Any]:
        """Sources, probabilities and what was skipped (for the resolved config)."""
        out: dict[str, Any] = {"probabilities": {k: round(v, 4) for k, v in self.probs.items()}}
        if self.pack is not None:
            out["npz"] = str(self.npz_path)
            out["patches"] = int(self.pack["target"].shape[0])
        else:
            for kind, src in self.sources.items():
                if kind == "real":
                    out["real_records"] = [v.name for v in src[0]]
                else:
                    out[f"{kind}_records"] = src.size
        if self.skipped:
            out["skipped"] = dict(self.skipped)
        return out


def _valid_rms(patch: Patch, region: tuple[slice, ...] | None = None) -> float:
    """RMS of the valid samples of ``patch`` (in ``region`` of it, time first)."""
    region = region or tuple(slice(None) for _ in patch.target.shape)
    vals = patch.target[region][patch.valid[region]]
    return float(np.sqrt(np.mean(np.square(vals, dtype=np.float64)))) if vals.size else 0.0


def guide_of(patch: Patch, kind: str) -> np.ndarray:
    """The guide of a masked time-first 2-D patch: registered method ``kind`` on its live traces.

    Returns
    -------
    ndarray of float32, shape of ``patch.target``
        :func:`seisfill.methods.refine.guide_estimate` of the patch (the
        function that makes the guide at fill time), time first.
    """
    from seisfill.methods.refine import guide_estimate

    if patch.target.ndim != 2:
        raise SeisfillError(f"guided patches are 2-D (time, trace); got shape {patch.target.shape}")
    live = patch.keep & patch.valid_traces
    return np.ascontiguousarray(guide_estimate(patch.target.T, live, kind).T)


def _centre(shape: tuple[int, ...], size: tuple[int, ...]) -> tuple[slice, ...]:
    """Slices of the centred ``size`` block of an array of ``shape``."""
    return tuple(slice((n - k) // 2, (n - k) // 2 + k) for n, k in zip(shape, size, strict=True))


def _crop_has_holes(pk: Mapping[str, np.ndarray], i: int, offsets: list[int], patch: tuple[int, ...]) -> bool:
    """Whether a crop of a guided pack's patch ``i`` keeps 2 live traces and misses a valid one."""
    sl = tuple(slice(o, o + s) for o, s in zip(offsets[1:], patch[1:], strict=True))
    keep, valid = pk["keep"][i][sl], pk["valid_traces"][i][sl]
    return bool(keep.sum() >= 2 and (valid & ~keep).any())


def _hole_ratio(patch: Patch, keep: np.ndarray) -> float:
    """RMS of the missing valid traces over the RMS of the live ones (inf if the live are silent)."""
    x = patch.target[patch.valid_time]
    hole = patch.valid_traces & ~keep
    live = keep
    rms_hole = float(np.sqrt(np.mean(np.square(x[:, hole], dtype=np.float64)))) if hole.any() else 0.0
    rms_live = float(np.sqrt(np.mean(np.square(x[:, live], dtype=np.float64)))) if live.any() else 0.0
    if rms_hole == 0.0:
        return 0.0
    return rms_hole / rms_live if rms_live > 0 else float("inf")


def patch_arrays(patch: Patch, ncfg: Mapping[str, Any]) -> dict[str, Any]:
    """Normalised network arrays of a masked patch (see :class:`PatchDataset`)."""
    valid = patch.valid
    live = patch.live
    x_raw = np.where(live, patch.target, np.float32(0))
    x, state = normalize(x_raw, live, ncfg, t_start=int(patch.meta.get("t_start", 0)), dt=patch.meta.get("dt"))
    gain = np.ones(patch.target.shape[0], dtype=np.float32) if state.gain is None else state.gain
    g = gain.reshape((-1,) + (1,) * (patch.target.ndim - 1))
    target = (patch.target * g / np.float32(state.scale)).astype(np.float32)
    out = {
        "x": x,
        "mask": live.astype(np.float32),
        "target": target,
        "valid": valid.astype(np.float32),
        "gain": gain.astype(np.float32),
        "scale": float(state.scale),
        "patch": patch,
    }
    if patch.guide is not None:  # the same gain and scale as the data, so the correction is in its units
        out["guide"] = (patch.guide * g / np.float32(state.scale)).astype(np.float32)
    return out


def describe_split(config: Mapping[str, Any], datasets: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Which real traces are training / guard / validation, and the synthetic seed scheme."""
    dcfg = config["data"]
    info: dict[str, Any] = {}
    if dcfg.get("npz"):
        path = resolve_path(dcfg["npz"])
        info["npz"] = str(path)
        with contextlib.suppress(Exception):  # the pack records the split it was made with
            info["pack_split"] = json.loads(str(load_npz(path, "val")["split"]))
        return info
    real: dict[str, Any] = {}
    if float(dcfg["sources"].get("real", 0)) > 0 and not dcfg.get("npz"):
        paths = real_files(dcfg)
        if paths:
            info["real_files"] = [str(path) for path in paths]  # where data.root / $SEISFILL_DATA pointed
        for name, (amp, live, layout, _dt) in _real_records(paths, datasets):
            _, _, ranges = holdout_masks(name, live, layout, dcfg["holdout"])
            real[name] = {"layout": layout, "shape": list(amp.shape), **ranges}
    info["real"] = real
    info["synthetic_seeds"] = (
        f"record j of kind k in split s (0 train, 1 val) uses SeedSequence([{config['seed']}, k, s, j]); "
        f"kinds k: {dict(_KIND_ID)}; train records j < {dcfg['synthetic']['pool_size']}, "
        f"val records j < {dcfg['synthetic']['val_pool_size']}"
    )
    info["patch_seeds"] = (
        f"train patch i: default_rng([{config['seed']}, 0, i]); "
        f"val patch i: default_rng([{config['seed']}, {dcfg['val']['seed']}, 1, i])"
    )
    return info


# ---------------------------------------------------------------------------
# npz packs
# ---------------------------------------------------------------------------


def _collect(ds: PatchDataset, n: int, shape: tuple[int, ...], masked: bool, progress: bool) -> dict[str, np.ndarray]:
    dtype = np.dtype(ds.config["data"].get("npz_dtype", "float16"))
    X = shape[1:]
    out = {
        "target": np.zeros((n, *shape), dtype=dtype),
        "valid_traces": np.zeros((n, *X), dtype=bool),
        "valid_time": np.zeros((n, 2), dtype=np.int32),
        "cells": np.full((n, *X, 3), -1, dtype=np.int32),
        "source": np.zeros(n, dtype=np.int8),
        "t_start": np.zeros(n, dtype=np.int32),
        "dt": np.zeros(n, dtype=np.float32),
        "scale": np.zeros(n, dtype=np.float32),
    }
    context = tuple(int(v) for v in ds.config["data"].get("guide_context") or shape)
    guided = bool(ds.config["data"].get("guide"))
    if guided:
        out["guide"] = np.zeros((n, *shape), dtype=dtype)
        masked = True
    if masked:
        out["keep"] = np.zeros((n, *X), dtype=bool)
        kinds = []
    iterator: Any = range(n)
    if progress:
        try:
            from tqdm import tqdm

            iterator = tqdm(iterator, desc=f"pack {ds.split}", unit="patch")
        except ImportError:
            pass
    for i in iterator:
        if guided:
            patch = ds.guided(i, shape, context)
        else:
            patch = ds.sample(i) if masked else ds.raw(i, patch=shape)
        valid = patch.valid
        vals = np.abs(patch.target[valid])
        s = float(np.percentile(vals, 99.9)) if vals.size else 1.0
        s = s if s > 0 and np.isfinite(s) else 1.0
        out["target"][i] = patch.target / s
        if guided:
            out["guide"][i] = np.clip(patch.guide / s, -6e4, 6e4)  # float16-safe: an f-x blow-up stays finite
        out["scale"][i] = s
        out["valid_traces"][i] = patch.valid_traces
        vt = np.flatnonzero(patch.valid_time)
        out["valid_time"][i] = (vt[0], vt[-1] + 1) if vt.size else (0, 0)
        out["cells"][i] = patch.meta["cells"]
        out["source"][i] = _KIND_ID[patch.meta["source"]]
        out["t_start"][i] = patch.meta.get("t_start", 0)
        out["dt"][i] = patch.meta.get("dt", 0.004)
        if masked:
            out["keep"][i] = patch.keep
            kinds.append(patch.meta["mask"]["kind"])
    if masked:
        out["mask_kinds"] = np.array(kinds)
    return out


def pack_npz(
    config: Mapping[str, Any],
    out_path: str | os.PathLike,
    n_train: int,
    n_val: int,
    *,
    datasets: Mapping[str, Any] | None = None,
    progress: bool = True,
) -> Path:
    """Write ``n_train`` training and ``n_val`` validation patches to an ``.npz``.

    Training patches are raw (unmasked, un-augmented) and larger than
    ``data.patch`` by ``data.npz_margin`` on each side (time, traces), so the
    loader draws a random crop (time shift / lateral shift), augmentation and
    mask for every use.  Validation patches are the exact masked patches of
    ``PatchDataset(config, "val")``.  Amplitudes are stored divided by the
    99.9th percentile of each patch (``*_scale`` keeps it) in
    ``data.npz_dtype`` (float16 by default: the per-patch normalisation makes
    the stored scale irrelevant).

    Keys: ``{split}_target``, ``{split}_valid_traces``, ``{split}_valid_time``
    (start, stop), ``{split}_cells`` (volume id, line, trace of each column;
    -1: synthetic or padding), ``{split}_source`` (index into ``source_names``),
    ``{split}_t_start``, ``{split}_dt``, ``{split}_scale``, ``val_keep``,
    ``val_mask_kinds``, ``config`` (YAML) and ``split`` (JSON of
    :func:`describe_split`).  With ``data.guide`` (see the module docstring)
    training patches are masked too, and both splits add ``{split}_keep``,
    ``{split}_mask_kinds`` and ``{split}_guide`` (the guide, same scale as the
    target).

    Returns
    -------
    Path
    """
    cfg = dict(config)
    cfg["data"] = dict(cfg["data"], npz=None)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    patch = tuple(int(v) for v in cfg["data"]["patch"])
    margin = list(cfg["data"].get("npz_margin", [0, 0]) or [0, 0])
    margin = (margin + [margin[-1]] * 3)[: len(patch)]
    big = tuple(p + 2 * int(m) for p, m in zip(patch, margin, strict=True))
    arrays: dict[str, np.ndarray] = {}
    if n_train > 0:
        train = PatchDataset(cfg, "train", datasets=datasets)
        for k, v in _collect(train, int(n_train), big, False, progress).items():
            arrays[f"train_{k}"] = v
    if n_val > 0:
        val = PatchDataset(cfg, "val", datasets=datasets)
        for k, v in _collect(val, int(n_val), patch, True, progress).items():
            arrays[f"val_{k}"] = v
    arrays["source_names"] = np.array(SOURCE_KINDS)
    arrays["config"] = np.array(dump_config(cfg))
    arrays["split"] = np.array(json.dumps(describe_split(cfg, datasets)))
    arrays["patch"] = np.array(patch, dtype=np.int32)
    tmp = out_path.with_name(out_path.name + ".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, out_path)
    return out_path


_PACK_CACHE: dict[tuple[str, float, str], dict[str, np.ndarray]] = {}


def load_npz(path: str | os.PathLike, split: str) -> dict[str, np.ndarray]:
    """The arrays of one split of a pack (keys without the ``{split}_`` prefix); cached."""
    path = Path(path)
    if not path.exists():
        raise SeisfillError(f"npz pack {path} not found (make one with seisfill.train.data.pack_npz)")
    key = (str(path.resolve()), path.stat().st_mtime, split)
    if key not in _PACK_CACHE:
        with np.load(path, allow_pickle=False) as z:
            prefix = f"{split}_"
            arrays = {k[len(prefix) :]: z[k] for k in z.files if k.startswith(prefix)}
            if "target" not in arrays:
                raise SeisfillError(f"{path} holds no {split} patches")
            arrays["source_names"] = z["source_names"]
            for k in ("config", "split"):
                arrays[k] = z[k]
        _PACK_CACHE[key] = arrays
    return _PACK_CACHE[key]


