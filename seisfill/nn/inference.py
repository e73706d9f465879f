"""Fill whole gathers and cubes with a trained network: sliding windows, blended.

A network is trained on small patches (e.g. 256 samples x 64 traces); a
survey's gathers are any size.  :func:`fill_with_model` cuts every gather (or
cube) into overlapping windows along time and the trace axes, normalises each
window the way the model was trained (:mod:`seisfill.nn.normalize`: AGC in
time, so spherical divergence and strong shallow events do not dominate, and a
robust percentile scale; nothing is clipped), runs the windows through the
network in batches, undoes the normalisation and blends the overlapping
estimates with smooth (sine-squared) weights that sum to one::

    out(t, x) = sum_w  b_w(t, x) * y_w(t, x) / sum_w b_w(t, x)

where ``b_w`` is a product of 1-D ramps that rise over the overlap at every
inner window edge (flat at the edges of the gather; :mod:`seisfill.windows`).  Only windows whose trace
range contains a trace to fill are run; live traces are returned unchanged.

Windows along the trace axes widen automatically to bridge the longest gap
with live context on both sides (a window that held no live trace would have
nothing to fill from).  A trace slot that no window with live context reaches
(a gather with one live trace at one end and a gap wider than the window, say)
gets nothing here; :func:`fill_with_model` reports it in ``unreached`` and
the caller falls back to linear interpolation for it.

A guided model (``guide_channels`` > 0: a network that corrects a classical
estimate, see :class:`seisfill.nn.MaskedUNet`) also takes ``guide``, the
dense estimate of the same gathers; its windows are cut like the data's and
normalised with the data window's gain and scale (the network was trained
so), and the estimate is the guide plus the network's correction.

Arrays are trace-major like every seisfill method: a 2-D model takes
``(..., n_trace, n_time)`` gathers, a 3-D model ``(..., n_inline,
n_crossline, n_time)`` cubes (or a stack of neighbouring gathers as
``(n_gather, n_trace, n_time)``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from seisfill import windows
from seisfill.errors import SeisfillError
from seisfill.masks import true_runs
from seisfill.nn.normalize import denormalize, normalize

__all__ = ["InferenceOptions", "fill_with_model", "resolve_device"]


@dataclass
class InferenceOptions:
    """How :func:`fill_with_model` cuts and runs windows.

    Attributes
    ----------
    window : sequence of int
        Window size per model axis, time first: ``(T, X)`` or ``(T, X, Y)``.
        Each is clipped to the data's size.
    overlap : sequence of int
        Overlap of neighbouring windows per axis, samples / traces (the
        blending ramps are this long).
    batch_size : int
        Windows per forward pass.
    device : str
        ``"auto"`` (CUDA when available), ``"cpu"``, ``"cuda"``, ``"cuda:N"``.
    precision : str
        ``"auto"`` (bf16 autocast on CUDA, fp32 on CPU), ``"bf16"`` or ``"fp32"``.
    normalize : mapping
        The model's ``normalize`` config (:mod:`seisfill.nn.normalize`).
    progress : bool
        Show a tqdm bar over the windows.
    """

    window: Sequence[int] = (256, 64)
    overlap: Sequence[int] = (32, 16)
    batch_size: int = 16
    device: str = "auto"
    precision: str = "auto"
    normalize: Mapping[str, Any] = field(default_factory=dict)
    progress: bool = False


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; a clear error for a CUDA request without CUDA."""
    if device is None or str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise SeisfillError(f"unknown device {device!r}: auto, cpu, cuda or cuda:N") from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise SeisfillError("--device cuda asked for, but torch sees no CUDA GPU on this machine")
    return dev


def _longest_run(missing: np.ndarray) -> int:
    """Longest run of True along the last axis (max over the rows)."""
    rows = missing.reshape(-1, missing.shape[-1])
    return max((n for row in rows for _, n in true_runs(row)), default=0)


def _axis_windows(target: np.ndarray, live: np.ndarray, size: Sequence[int]) -> list[int]:
    """Trace-axis window sizes, widened so the longest gap has live traces on both sides."""
    out = []
    for axis, base in enumerate(size):
        moved = np.moveaxis(~live, axis, -1)
        gap = _longest_run(moved)
        need = 2 * gap + 8
        w = int(base)
        if need > w:
            w = int(math.ceil(need / 16) * 16)
        out.append(min(w, target.shape[axis]))
    return out


@dataclass
class _Window:
    item: int                 # which gather / cube of the batch
    slices: tuple[slice, ...] # in model layout (time first)
    weight: np.ndarray        # blending weight, window shape, normalised over the item's windows


def _windows(
    shape: Sequence[int],
    sizes: Sequence[int],
    overlaps: Sequence[int],
    trace_target: np.ndarray,
    trace_live: np.ndarray,
) -> Iterator[tuple[tuple[slice, ...], np.ndarray]]:
    """Windows (model layout: time, then trace axes) holding a target and a live trace.

    Along each axis the windows step by ``size - overlap`` and the last one
    ends at the axis end (:func:`seisfill.windows.window_starts`); each
    weighs the product of its axes' sine-squared ramps of ``min(overlap,
    size // 2)`` at inner edges (:func:`seisfill.windows.blend_weights`),
    not yet normalised.
    """
    per_axis = []
    for n, size, ov in zip(shape, sizes, overlaps, strict=True):
        size = min(size, n)
        starts = windows.window_starts(n, size, ov, "clamped")
        ramps = windows.blend_weights(starts, size, cap=min(ov, size // 2), dtype=np.float32)
        per_axis.append([(slice(s, s + size), w) for s, w in zip(starts, ramps, strict=True)])
    for combo in itertools.product(*per_axis):
        region = tuple(sl for sl, _ in combo)
        if not trace_target[region[1:]].any() or not trace_live[region[1:]].any():
            continue
        yield region, windows.outer(*(w for _, w in combo))


def fill_with_model(
    data: np.ndarray,
    live: np.ndarray,
    model: nn.Module,
    options: InferenceOptions | None = None,
    target: np.ndarray | None = None,
    guide: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Fill non-live traces with a masked U-Net, window by window.

    Parameters
    ----------
    data : ndarray, shape (..., n_trace, n_time) or (..., n_inline, n_crossline, n_time)
        Trace-major gathers (2-D model) or cubes (3-D model); the samples of
        non-live traces are ignored.
    live : ndarray of bool, shape data.shape[:-1]
        Live traces.
    model : torch.nn.Module
        A :class:`seisfill.nn.MaskedUNet` (``model.ndim`` 2 or 3).
    options : InferenceOptions, optional
        Windows, batch, device, normalisation.
    target : ndarray of bool, shape data.shape[:-1], optional
        Traces to fill (default: every non-live trace).
    guide : ndarray, shape data.shape, optional
        Dense estimate of every trace (a classical method's fill), needed
        exactly when the model has guide channels.

    Returns
    -------
    filled : ndarray, shape data.shape, data.dtype
        Live traces bit-identical to ``data``; targets filled where reached.
    unreached : ndarray of bool, shape data.shape[:-1]
        Targets no window with live context reached (left as in ``data``).
    """
    opts = options or InferenceOptions()
    ndim = int(getattr(model, "ndim", 2))
    data = np.asarray(data)
    live = np.asarray(live, dtype=bool)
    if data.ndim < ndim or live.shape != data.shape[:-1]:
        raise SeisfillError(
            f"{ndim}-D model needs data of shape (..., {'n_trace' if ndim == 2 else 'n_inline, n_crossline'}, n_time) "
            f"and a live mask of data.shape[:-1]; got {data.shape} and {live.shape}"
        )
    target = ~live if target is None else np.asarray(target, dtype=bool) & ~live
    guide = _check_guide(model, guide, data.shape)
    lead = data.shape[: data.ndim - ndim]
    n_items = int(np.prod(lead)) if lead else 1
    items = data.reshape((n_items,) + data.shape[len(lead) :])
    live_i = live.reshape((n_items,) + live.shape[len(lead) :])
    target_i = target.reshape(live_i.shape)
    guide_i = None if guide is None else guide.reshape(items.shape)
    device = resolve_device(opts.device)
    amp = None
    if (opts.precision == "auto" and device.type == "cuda") or opts.precision == "bf16":
        amp = torch.bfloat16
    elif opts.precision not in ("auto", "fp32"):
        raise SeisfillError(f"unknown precision {opts.precision!r}: auto, bf16 or fp32")
    param = next(model.parameters())
    if param.device != device:
        model = model.to(device)
    model.eval()

    window = list(opts.window)[: ndim]
    overlap = list(opts.overlap)[: ndim]
    if len(window) != ndim or len(overlap) != ndim:
        raise SeisfillError(f"window and overlap need {ndim} sizes (time first), got {opts.window}, {opts.overlap}")

    out = np.array(items, dtype=np.float32, copy=True)
    acc: dict[int, np.ndarray] = {}
    jobs: list[_Window] = []
    reached = np.zeros_like(target_i)
    model_shape = (items.shape[-1],) + items.shape[1:-1]
    for i in range(n_items):
        if not target_i[i].any() or not live_i[i].any():
            continue
        sizes = [min(window[0], model_shape[0])] + _axis_windows(target_i[i], live_i[i], window[1:])
        # keep each trace-axis overlap below half its window
        ovs = [min(o, s // 2) for o, s in zip(overlap, sizes, strict=True)]
        found = _windows(model_shape, sizes, ovs, target_i[i], live_i[i])
        item_jobs = [_Window(i, sl, w) for sl, w in found]
        if not item_jobs:
            continue
        # weights of the windows that run sum to one wherever one reaches
        total = windows.normalize_weights(
            [job.weight for job in item_jobs], [job.slices for job in item_jobs], model_shape
        )
        reached[i] = target_i[i] & (total.max(axis=0) > 0)  # total: (T, X[, Y]); targets: (X[, Y])
        jobs += item_jobs
    bar = None
    if opts.progress and jobs:
        try:
            from tqdm import tqdm

            bar = tqdm(total=len(jobs), desc="fill", unit="window", dynamic_ncols=True, leave=False)
        except ImportError:  # pragma: no cover - tqdm is a dependency
            bar = None
    # windows of equal shape go into one batch (they usually all share one shape)
    by_shape: dict[tuple[int, ...], list[_Window]] = {}
    for job in jobs:
        by_shape.setdefault(job.weight.shape, []).append(job)
    try:
        with torch.inference_mode():
            for group in by_shape.values():
                for b in range(0, len(group), max(1, int(opts.batch_size))):
                    batch = group[b : b + max(1, int(opts.batch_size))]
                    _run_batch(batch, items, live_i, model, device, amp, opts.normalize, acc, guide_i)
                    if bar is not None:
                        bar.update(len(batch))
    finally:
        if bar is not None:
            bar.close()
    for i, blended in acc.items():
        est_tm = np.moveaxis(blended, 0, -1)  # back to trace-major (..., T)
        out[i][reached[i]] = est_tm[reached[i]]
    unreached = target_i & ~reached
    return _restore(items, out, live_i, target_i, unreached, data), unreached.reshape(target.shape)


def _check_guide(model: nn.Module, guide: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray | None:
    """The guide as float32 when the model takes one (of the data's shape); one clear error otherwise."""
    channels = int(getattr(model, "guide_channels", 0) or 0)
    if channels > 1:
        raise SeisfillError(f"models with {channels} guide channels are not supported here (one guide)")
    if not channels:
        if guide is not None:
            raise SeisfillError("this model takes no guide: call fill_with_model without one")
        return None
    if guide is None:
        raise SeisfillError("this model corrects a classical estimate: pass its guide (the card's 'guide' method)")
    guide = np.asarray(guide, dtype=np.float32)
    if guide.shape != tuple(shape):
        raise SeisfillError(f"guide of shape {guide.shape} does not match the data's {tuple(shape)}")
    return guide


def _restore(
    items: np.ndarray, out: np.ndarray, live: np.ndarray, target: np.ndarray, unreached: np.ndarray, data: np.ndarray
) -> np.ndarray:
    """Live (and unreached) traces exactly as given, in the input dtype and shape."""
    keep = ~target | unreached
    res = np.where(keep[..., None], items, out.astype(items.dtype, copy=False))
    return res.reshape(data.shape)


def _run_batch(
    batch: Sequence[_Window],
    items: np.ndarray,
    live: np.ndarray,
    model: nn.Module,
    device: torch.device,
    amp: torch.dtype | None,
    norm_cfg: Mapping[str, Any],
    acc: dict[int, np.ndarray],
    guide: np.ndarray | None = None,
) -> None:
    xs, ms, gs, states = [], [], [], []
    for job in batch:
        tm = np.moveaxis(items[job.item], -1, 0)  # (T, X[, Y]) view
        win = np.asarray(tm[job.slices], dtype=np.float32)
        lv = live[job.item][job.slices[1:]]
        win = np.where(lv[None], win, 0.0).astype(np.float32)
        xn, state = normalize(win, lv, norm_cfg)
        xs.append(xn)
        ms.append(lv)
        states.append(state)
        if guide is not None:  # the data window's gain and scale, as in training (train.data.patch_arrays)
            gw = np.asarray(np.moveaxis(guide[job.item], -1, 0)[job.slices], dtype=np.float32)
            gain = 1.0 if state.gain is None else state.gain.reshape((-1,) + (1,) * (gw.ndim - 1))
            gs.append((gw * gain / np.float32(state.scale)).astype(np.float32))
    x = torch.from_numpy(np.stack(xs)[:, None]).to(device)
    m = torch.from_numpy(np.stack(ms)[:, None, None]).to(device)
    extra = () if guide is None else (torch.from_numpy(np.stack(gs)[:, None]).to(device),)
    if amp is not None:
        with torch.autocast(device_type=device.type, dtype=amp):
            y = model(x, m, *extra)
    else:
        y = model(x, m, *extra)
    y = y.float().cpu().numpy()[:, 0]
    for job, yn, state in zip(batch, y, states, strict=True):
        est = denormalize(yn, state)
        if job.item not in acc:
            acc[job.item] = np.zeros((items.shape[-1],) + items.shape[1:-1], np.float32)
        acc[job.item][job.slices] += job.weight * est
