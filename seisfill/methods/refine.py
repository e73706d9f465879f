"""``refine``: a classical estimate plus a correction learned by a network (needs torch when run).

A correction network is a guided :class:`seisfill.nn.MaskedUNet`
(``guide_channels`` = 1): it takes the gapped data, a classical method's
estimate of every trace (the *guide*) and the mask, and returns the guide
plus a learned correction on the missing traces (live traces are put back
exactly).  Its card (or weights file) names the guide method, f-x
prediction for the shipped ``refine2d``; :func:`guide_estimate` computes
it, for the gathers filled here and for the training patches
(:mod:`seisfill.train.data`), so the network sees at fill time what it was
trained on.  Importing this module does not import torch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from seisfill.classical.linear import fill_linear
from seisfill.errors import SeisfillError
from seisfill.methods.network import network_portable, run_network
from seisfill.methods.registry import Method, get_method, register_method

__all__ = ["REFINE_MODEL", "fill_refine", "guide_estimate"]

#: The shipped correction network used when no model is named.
REFINE_MODEL = "refine2d"


def fill_refine(
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
    """Fill with a classical estimate plus a network's learned correction.

    The model's guide method fills every gather that holds a target
    (:func:`guide_estimate`); the network takes the gapped data, that
    estimate and the mask window by window
    (:func:`seisfill.nn.inference.fill_with_model`, the guide cut and
    normalised like the data) and returns the estimate plus its correction.

    Parameters
    ----------
    data : numpy.ndarray, shape (..., n_trace, n_time)
        Gathers or 2-D lines; the samples of non-live traces are ignored.
    live : numpy.ndarray of bool, shape data.shape[:-1]
    model : str, Path or LoadedModel, optional
        A correction network: shipped name, weights path or loaded model
        (default :data:`REFINE_MODEL`).
    device, batch_size, window, overlap, progress
        See :class:`seisfill.nn.inference.InferenceOptions` (window/overlap
        default to the model card's).
    target : numpy.ndarray of bool, optional
        Traces to fill (default every non-live one).

    Returns
    -------
    numpy.ndarray of float32, shape data.shape
        Live traces bit-identical; targets no window reached take the guide.
    """
    from seisfill.models import resolve_model

    loaded = resolve_model(REFINE_MODEL if model is None else model, device, ndim=2)
    if loaded.guide is None:
        raise SeisfillError(
            f"model {loaded.name} is not a correction network (its card names no guide): "
            "use it with --method unet or hybrid"
        )
    live = np.asarray(live, dtype=bool)
    todo = ~live if target is None else np.asarray(target, dtype=bool) & ~live
    guide = np.where(live[..., None], data, 0).astype(np.float32)
    rows = todo.any(axis=-1)
    if rows.any():
        guide[rows] = guide_estimate(guide[rows], live[rows], loaded.guide)
    filled, unreached = run_network(data, live, loaded, device=device, batch_size=batch_size, window=window,
                                    overlap=overlap, progress=progress, target=target, guide=guide)
    out = np.asarray(filled, dtype=np.float32)
    if unreached.any():
        out = np.where(unreached[..., None], guide, out)
    return out


def guide_estimate(data: np.ndarray, live: np.ndarray, kind: str) -> np.ndarray:
    """The dense estimate a correction network takes: registered method ``kind`` on every gather.

    Parameters
    ----------
    data : numpy.ndarray, shape (..., n_trace, n_time)
        Trace-major gathers; the samples of non-live traces are ignored.
    live : numpy.ndarray of bool, shape data.shape[:-1]
    kind : str
        A registered numpy method (the card's ``guide``).

    Returns
    -------
    numpy.ndarray of float32, shape data.shape
        Live traces as given, every other trace filled; a gather the method
        cannot fill (one live trace, no live pair close enough) takes linear
        interpolation, and one without live traces stays zero.
    """
    fill = get_method(kind).function
    live = np.asarray(live, dtype=bool)
    data = np.where(live[..., None], data, 0).astype(np.float32)
    flat, flat_live = data.reshape(-1, *data.shape[-2:]), live.reshape(-1, live.shape[-1])
    out = np.array(flat, copy=True)
    n_live = flat_live.sum(axis=-1)
    rows = np.flatnonzero((n_live >= 2) & (~flat_live).any(axis=-1))
    try:
        if rows.size:
            out[rows] = fill(flat[rows], flat_live[rows])
    except SeisfillError:  # a gather it cannot fill: each on its own, linear where it fails
        for r in rows:
            try:
                out[r] = fill(flat[r], flat_live[r])
            except SeisfillError:
                out[r] = fill_linear(flat[r], flat_live[r])
    single = np.flatnonzero(n_live == 1)
    if single.size:
        out[single] = fill_linear(flat[single], flat_live[single])
    return out.reshape(data.shape)


def _prepare(options: Mapping[str, Any], ndim: int) -> dict[str, Any]:
    """Load the correction network once (a bad name fails before any work): the shipped one if none named."""
    from seisfill.models import resolve_model

    out = dict(options)
    out["model"] = resolve_model(out.get("model") or REFINE_MODEL, out.get("device", "auto"), ndim=2)
    return out


def _describe(options: Mapping[str, Any]) -> dict[str, str]:
    return {"fill_model": options["model"].name, "fill_guide": str(options["model"].guide)}


register_method(Method(
    "refine", fill_refine,
    "f-x prediction plus the correction a network learned from it (input: data, f-x estimate, mask)",
    needs_torch=True, takes_target=True, prepare=_prepare, portable=network_portable, describe=_describe,
))
