"""Invertible amplitude normalisation of patches (training and inference).

Seismic amplitudes span orders of magnitude between files (IBM floats in the
thousands, int16 counts, synthetic data of order 0.01) and within a record
(spherical divergence: shallow events 100x stronger than deep ones).  A
network sees every patch as

.. math::

    x_n(t, \\cdot) = \\frac{g(t)\\, x(t, \\cdot)}{s}

with an optional **time-varying gain** ``g(t)`` and a robust **scale** ``s``,
both computed from the *live* samples only (missing traces are unknown at
inference), and returns its estimate in the same domain; :func:`denormalize`
undoes both: ``x = s * x_n / g(t)``.  Because ``g`` depends on time only and
``s`` is one number, the operation is exactly invertible (to float rounding)
and commutes with any interpolation *across traces* (so the linear baseline
gives the same answer in either domain).

Gain (``normalize.gain``)
-------------------------
``"none"``
    ``g = 1``.
``"agc"``
    Automatic gain control shared by all traces of the patch:
    ``r(t)`` = RMS over the live traces at time ``t``, smoothed by a
    triangular window of ``agc_window`` samples; ``g(t) = 1 / max(r(t),
    agc_floor * max r)``.  The floor keeps mute zones and dead time from
    being blown up.  At inference, compute it from the live traces of the
    input exactly as here (:func:`compute_gain`), run the network, divide by
    it.
``"tpow"``
    Divergence correction ``g(t) = t^k`` with ``t = (t_start + i + 0.5) dt``
    (absolute two-way time, s, ``k = tpow``, ``dt`` from the config or the
    call); needs the patch's start sample at inference.

Scale (``normalize.method``)
----------------------------
``"percentile"`` (default)
    ``s`` = the ``percentile``-th percentile of ``|g x|`` over the non-zero
    live samples (exact zeros are mutes, padding or dead time: a mostly muted
    patch must not get a vanishing scale).
``"mad"``
    ``s = 1.4826 * median(|g x|)`` over the non-zero live samples (a robust std).
``"rms"``
    ``s`` = RMS of ``g x`` over the non-zero live samples.
``"none"``
    ``s = 1``.

In every case ``s = max(s, floor)``, so an all-zero patch is left at zero
instead of producing NaNs.

Arrays are time first: ``(T, X)`` or ``(T, X, Y)``; ``live`` is either a trace
mask of shape ``data.shape[1:]`` or a sample mask of ``data.shape``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["NormState", "compute_gain", "compute_scale", "normalize", "denormalize", "NORM_DEFAULTS"]

#: Defaults of the ``normalize`` config section.
NORM_DEFAULTS: dict[str, Any] = {
    "method": "percentile",
    "percentile": 99.0,
    "floor": 1e-8,
    "gain": "agc",
    "agc_window": 64,
    "agc_floor": 0.05,
    "tpow": 2.0,
    "dt": 0.004,
}


@dataclass
class NormState:
    """What :func:`normalize` did, to undo it.

    Attributes
    ----------
    scale : float
        The divisor ``s``.
    gain : ndarray of float32, shape (T,), or None
        The time gain ``g(t)`` (None: no gain).
    """

    scale: float
    gain: np.ndarray | None = None


def _cfg(cfg: Mapping[str, Any] | None) -> dict[str, Any]:
    out = dict(NORM_DEFAULTS)
    if cfg:
        out.update(cfg)
    return out


def _sample_mask(live: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    if live is None:
        return np.ones(shape, dtype=bool)
    live = np.asarray(live, dtype=bool)
    if live.shape == shape:
        return live
    if live.shape == shape[1:]:
        return np.broadcast_to(live[None], shape)
    raise ValueError(f"live mask shape {live.shape} fits neither {shape} nor {shape[1:]}")


def _triangle(n: int) -> np.ndarray:
    half = max(1, int(n) // 2)
    w = np.concatenate([np.arange(1, half + 1), np.arange(half + 1, 0, -1)]).astype(np.float64)
    return w / w.sum()


def _smooth(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Centred convolution of length ``x.size`` (zero outside), for any window length."""
    full = np.convolve(x, w, mode="full")
    start = (w.size - 1) // 2
    return full[start : start + x.size]


def compute_gain(
    data: np.ndarray,
    live: np.ndarray | None = None,
    cfg: Mapping[str, Any] | None = None,
    t_start: int = 0,
    dt: float | None = None,
) -> np.ndarray | None:
    """Time gain ``g(t)``, shape (T,), float32, or None for ``gain: none``.

    Parameters
    ----------
    data : ndarray, shape (T, ...)
    live : ndarray of bool, optional
        Trace mask (``data.shape[1:]``) or sample mask (``data.shape``).
    cfg : mapping, optional
        The ``normalize`` config section.
    t_start : int
        Index of the patch's first sample in its record (``tpow`` only).
    dt : float, optional
        Sample interval, s (``tpow`` only; default ``cfg["dt"]``).
    """
    c = _cfg(cfg)
    kind = str(c["gain"]).lower()
    nt = data.shape[0]
    if kind in ("none", "null", "false"):
        return None
    if kind == "tpow":
        step = float(c["dt"] if dt is None else dt)
        t = (t_start + np.arange(nt) + 0.5) * step
        return (t ** float(c["tpow"])).astype(np.float32)
    if kind != "agc":
        raise ValueError(f"unknown gain {c['gain']!r}: none, agc or tpow")
    mask = _sample_mask(live, data.shape).reshape(nt, -1)
    x = np.asarray(data, dtype=np.float64).reshape(nt, -1)
    count = mask.sum(axis=1)
    energy = np.where(mask, x * x, 0.0).sum(axis=1)
    w = _triangle(int(c["agc_window"]))
    num = _smooth(energy, w)
    den = _smooth(count.astype(np.float64), w)
    rms = np.sqrt(np.where(den > 0, num / np.maximum(den, 1e-30), 0.0))
    peak = rms.max()
    if not np.isfinite(peak) or peak <= 0:
        return np.ones(nt, dtype=np.float32)
    # normalised so that max g * r = 1 / agc_floor at most and the gain stays O(1/peak)
    gain = 1.0 / np.maximum(rms, float(c["agc_floor"]) * peak)
    return (gain * peak).astype(np.float32)


def compute_scale(data: np.ndarray, live: np.ndarray | None = None, cfg: Mapping[str, Any] | None = None) -> float:
    """Robust scale ``s`` of (already gained) data over its live samples."""
    c = _cfg(cfg)
    method = str(c["method"]).lower()
    floor = float(c["floor"])
    if method == "none":
        return 1.0
    mask = _sample_mask(live, data.shape)
    values = np.abs(np.asarray(data, dtype=np.float64)[mask])
    values = values[values > 0]  # exact zeros are mutes, padding or dead time, not amplitudes
    if values.size == 0:
        return max(1.0, floor)
    if method == "percentile":
        s = float(np.percentile(values, float(c["percentile"])))
    elif method == "mad":
        s = 1.4826 * float(np.median(values))
    elif method == "rms":
        s = float(np.sqrt(np.mean(values**2)))
    else:
        raise ValueError(f"unknown normalisation method {c['method']!r}: percentile, mad, rms or none")
    return max(s, floor) if np.isfinite(s) else max(1.0, floor)


def normalize(
    data: np.ndarray,
    live: np.ndarray | None = None,
    cfg: Mapping[str, Any] | None = None,
    t_start: int = 0,
    dt: float | None = None,
) -> tuple[np.ndarray, NormState]:
    """Normalise a time-first patch; returns ``(normalised float32, state)``.

    Only live samples enter the statistics; all samples are transformed (the
    missing ones are usually zero anyway).  See the module docstring.
    """
    data = np.asarray(data, dtype=np.float32)
    gain = compute_gain(data, live, cfg, t_start=t_start, dt=dt)
    gained = data if gain is None else data * gain.reshape((-1,) + (1,) * (data.ndim - 1))
    scale = compute_scale(gained, live, cfg)
    out = (gained / np.float32(scale)).astype(np.float32)
    return out, NormState(scale=float(scale), gain=gain)


def denormalize(data: Any, state: NormState) -> Any:
    """Undo :func:`normalize`: ``x = s * x_n / g(t)`` (numpy or torch, time first)."""
    out = data * state.scale
    if state.gain is not None:
        g = state.gain.reshape((-1,) + (1,) * (data.ndim - 1))
        if not isinstance(data, np.ndarray):  # torch tensor
            import torch

            g = torch.as_tensor(g, dtype=data.dtype, device=data.device)
        out = out / g
    return out
