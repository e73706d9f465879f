"""The network methods: ``hybrid`` (the default) and ``unet`` (needs torch when run).

``unet`` runs a shipped or trained masked U-Net (:mod:`seisfill.models`) over
overlapping windows (:func:`seisfill.nn.inference.fill_with_model`);
``hybrid`` is the mean of its estimate and f-x prediction's.  Importing this
module does not import torch: the network is loaded by ``prepare`` (once per
call of :func:`seisfill.fill`, once per worker process on the streaming path).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from seisfill.classical.fx import fx_interp
from seisfill.classical.linear import fill_linear
from seisfill.methods.registry import Method, register_method

__all__ = ["fill_unet", "fill_hybrid", "run_network", "network_portable"]


def fill_unet(
    data: np.ndarray,
    live: np.ndarray,
    *,
    model: Any = None,
    device: str = "auto",
    batch_size: int = 16,
    window: tuple[int, ...] | None = None,
    overlap: tuple[int, ...] | None = None,
    progress: bool = False,
    target: np.ndarray | None = None,
) -> np.ndarray:
    """Fill with a masked U-Net (sliding windows, :func:`seisfill.nn.inference.fill_with_model`).

    Parameters
    ----------
    data : numpy.ndarray, shape (..., n_trace, n_time)
        Gathers for a 2-D model, ``(n_inline, n_crossline, n_time)`` for a 3-D one.
    live : numpy.ndarray of bool, shape data.shape[:-1]
    model : str, Path or LoadedModel, optional
        Shipped name (``partial2d``...), weights path, or a loaded model
        (default: the shipped 2-D default).
    device, batch_size, window, overlap, progress
        See :class:`seisfill.nn.inference.InferenceOptions` (window/overlap
        default to the model card's).
    target : numpy.ndarray of bool, optional
        Traces to fill (default every non-live one).

    Returns
    -------
    numpy.ndarray
        Live traces bit-identical; traces no window could reach with live
        context (rare: a gap wider than the gather's live part) are filled
        by ``fill_linear``.
    """
    from seisfill.models import resolve_model

    loaded = resolve_model(model, device, ndim=2)
    filled, unreached = run_network(data, live, loaded, device=device, batch_size=batch_size, window=window,
                                    overlap=overlap, progress=progress, target=target)
    if unreached.any():
        fallback = fill_linear(np.where(live[..., None], data, 0).astype(data.dtype), live)
        filled = np.where(unreached[..., None], fallback, filled).astype(data.dtype, copy=False)
    return filled


def run_network(
    data: np.ndarray,
    live: np.ndarray,
    loaded: Any,
    *,
    device: str = "auto",
    batch_size: int = 16,
    window: tuple[int, ...] | None = None,
    overlap: tuple[int, ...] | None = None,
    progress: bool = False,
    target: np.ndarray | None = None,
    guide: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A loaded model over the data's windows as its card says (:func:`seisfill.nn.inference.fill_with_model`).

    ``window``/``overlap`` default to the card's, normalisation is the model's; ``guide``
    is the dense estimate a correction network takes.  Returns ``(filled, unreached)``.
    """
    from seisfill.nn.inference import InferenceOptions, fill_with_model

    opts = InferenceOptions(
        window=tuple(window or loaded.window),
        overlap=tuple(overlap or loaded.overlap),
        batch_size=batch_size,
        device=device,
        normalize=loaded.normalize,
        progress=progress,
    )
    return fill_with_model(data, live, loaded.model, opts, target=target, guide=guide)


def fill_hybrid(
    data: np.ndarray,
    live: np.ndarray,
    *,
    model: Any = None,
    device: str = "auto",
    batch_size: int = 16,
    window: tuple[int, ...] | None = None,
    overlap: tuple[int, ...] | None = None,
    progress: bool = False,
    target: np.ndarray | None = None,
) -> np.ndarray:
    """The mean of the network's estimate and f-x prediction's (:func:`fill_unet`, :func:`fx_interp`).

    The two make different errors -- the network smooths across gaps, f-x
    prediction extrapolates dipping events but rings on noise -- so their
    equal-weight mean beats either alone on most held-out real windows (no
    weight is fitted; see docs/benchmarks.md).  Costs both.

    Parameters
    ----------
    data : numpy.ndarray, shape (..., n_trace, n_time)
        As for :func:`fill_unet`; a cube for a 3-D model (f-x then runs inline by inline).
    live : numpy.ndarray of bool, shape data.shape[:-1]
    model, device, batch_size, window, overlap, progress, target
        As for :func:`fill_unet`.

    Returns
    -------
    numpy.ndarray of float32
        Rows (gathers, inlines) with fewer than two live traces take the
        network's estimate alone; f-x runs only on rows holding a target.
    """
    net = fill_unet(data, live, model=model, device=device, batch_size=batch_size, window=window,
                    overlap=overlap, progress=progress, target=target)
    # f-x needs two live traces to estimate a prediction filter; other rows keep the network alone
    rows = (live.sum(axis=-1) >= 2) & (~live if target is None else target).any(axis=-1)
    if not rows.any():
        return net
    out = np.array(net, dtype=np.float32, copy=True)
    fx = _fx_rows(np.where(live[rows][..., None], data[rows], 0), live[rows], progress)
    out[rows] = np.float32(0.5) * (out[rows] + fx.astype(np.float32))
    return out


def _fx_rows(data: np.ndarray, live: np.ndarray, progress: bool) -> np.ndarray:
    """f-x prediction of every row (gather); with ``progress`` in groups of rows under a bar (the same bytes:
    f-x fills each gather from its own traces)."""
    if not progress or data.ndim < 3:
        return fx_interp(data, live)
    from tqdm import tqdm

    out = np.empty_like(data)
    step = max(1, -(-data.shape[0] // 100))
    with tqdm(total=data.shape[0], desc="fill (f-x)", unit="gather", dynamic_ncols=True, leave=False) as bar:
        for a in range(0, data.shape[0], step):
            out[a : a + step] = fx_interp(data[a : a + step], live[a : a + step])
            bar.update(min(step, data.shape[0] - a))
    return out


def _load(options: Mapping[str, Any], ndim: int) -> dict[str, Any]:
    """Load the network once (a bad name fails before any work): the default for ``ndim`` if none named."""
    from seisfill.models import resolve_model

    out = dict(options)
    out["model"] = resolve_model(out.get("model"), out.get("device", "auto"), ndim=ndim)
    return out


def _is_3d(options: Mapping[str, Any]) -> bool:
    return options["model"].ndim == 3


def network_portable(options: Mapping[str, Any]) -> dict[str, Any]:
    """The loaded network named again (shipped name or weights path); no progress bar in a worker."""
    out = {k: v for k, v in options.items() if k != "progress"}
    out["model"] = options["model"].name
    return out


def _describe(options: Mapping[str, Any]) -> dict[str, str]:
    return {"fill_model": options["model"].name}


_NETWORK = dict(needs_torch=True, takes_target=True, prepare=_load, is_3d=_is_3d, portable=network_portable,
                describe=_describe)

register_method(Method(
    "hybrid", fill_hybrid,
    "the mean of the shipped network's estimate and f-x prediction's", **_NETWORK,
))
register_method(Method(
    "unet", fill_unet,
    "the shipped masked U-Net alone: 2-3x faster than hybrid, weaker across gaps", **_NETWORK,
))
