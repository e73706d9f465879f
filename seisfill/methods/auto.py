"""``auto``: pick the method or blend that restores the survey's own hidden live traces best.

Per survey the best of f-x prediction, rank reduction and the network differs
by several dB (docs/benchmarks.md, "Unseen surveys").  ``auto`` runs a
self-check once per file: it hides a share of the live traces of a few
gathers in the pattern of the real gaps (:func:`seisfill.masks.mimic_gaps`),
fills them with every candidate -- ``fx``, ``drr``, ``linear``, the network,
and blends ``w * network + (1 - w) * fx`` and half-and-half network/``drr``,
``fx``/``drr`` and network/``linear`` -- scores the hidden traces (missing-trace SNR) and fills the
real gaps with the winner.  The choice is made by :attr:`Method.calibrate`
on the same sample of gathers on every path, and travels to the blocks (and
the ``--workers`` tasks) as the ``weights`` option.  Without torch the
network candidates are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from seisfill._deps import torch_available
from seisfill.classical.linear import fill_linear
from seisfill.masks.mimic import mimic_gaps
from seisfill.methods.registry import Method, get_method, register_method
from seisfill.metrics import snr_from_energies

__all__ = ["fill_auto", "CANDIDATES", "NETWORK", "self_check"]

#: the estimate of the network in a blend (the shipped or given model, :func:`seisfill.methods.network.fill_unet`)
NETWORK = "unet"
_FX, _DRR, _LINEAR = "fx", "drr", "linear"
#: candidate blends, weights per base method (summing to one); ties go to the earlier one
CANDIDATES: tuple[dict[str, float], ...] = (
    {NETWORK: 0.5, _FX: 0.5},
    {NETWORK: 1.0},
    {_FX: 1.0},
    {_DRR: 1.0},
    {NETWORK: 0.75, _FX: 0.25},
    {NETWORK: 0.25, _FX: 0.75},
    {NETWORK: 0.5, _DRR: 0.5},
    {_FX: 0.5, _DRR: 0.5},
    {_LINEAR: 1.0},
    {NETWORK: 0.5, _LINEAR: 0.5},
)


def label(weights: Mapping[str, float]) -> str:
    """``"0.75 unet + 0.25 fx"``; one method alone by its name."""
    parts = [(name, w) for name, w in weights.items() if w > 0]
    if len(parts) == 1:
        return parts[0][0]
    return " + ".join(f"{w:.2f} {name}" for name, w in parts)


def fill_auto(
    data: np.ndarray,
    live: np.ndarray,
    *,
    weights: Mapping[str, float] | None = None,
    model: Any = None,
    device: str = "auto",
    batch_size: int = 16,
    share: float = 0.2,
    rounds: int = 2,
    seed: int = 0,
    selfcheck: Mapping[str, Any] | None = None,
    target: np.ndarray | None = None,
) -> np.ndarray:
    """Fill with the blend of ``fx`` / ``drr`` / ``linear`` / the network that the self-check chose.

    Parameters
    ----------
    data : numpy.ndarray, shape (..., n_trace, n_time)
        Gathers (a cube is filled inline by inline), non-live traces zeroed.
    live : numpy.ndarray of bool, shape data.shape[:-1]
    weights : mapping, optional
        Weight per base method (``{"unet": 0.75, "fx": 0.25}``), summing to one;
        default: run the self-check on these gathers (:func:`self_check`).
    model, device, batch_size
        The network (as for ``--method unet``); unused when torch is missing.
    share, rounds, seed
        Share of the live traces the self-check hides per round, its rounds, and its seed.
    selfcheck : mapping, optional
        The self-check's record (scores per candidate): informational.
    target : numpy.ndarray of bool, optional
        Traces to fill (default: every non-live one).

    Returns
    -------
    numpy.ndarray of float32, shape data.shape
    """
    live = np.asarray(live, dtype=bool)
    target = ~live if target is None else np.asarray(target, dtype=bool) & ~live
    opts = dict(model=model, device=device, batch_size=batch_size)
    if weights is None:
        lead = data.reshape((-1,) + data.shape[-2:])
        weights = self_check(lead, live.reshape(lead.shape[:-1]), target.reshape(lead.shape[:-1]), opts, share,
                             seed, rounds)["weights"]
    estimates = _estimates(data, live, target, [k for k, w in weights.items() if w > 0], opts)
    out = np.zeros(data.shape, dtype=np.float32)
    for name, w in weights.items():
        if w > 0:
            out += np.float32(w) * estimates[name]
    return out


def self_check(
    data: np.ndarray, live: np.ndarray, target: np.ndarray, options: Mapping[str, Any], share: float = 0.2,
    seed: int = 0, rounds: int = 2,
) -> dict[str, Any]:
    """Hide live traces like the real gaps, fill them with every candidate, keep the best.

    Parameters
    ----------
    data : numpy.ndarray, shape (k, n_trace, n_time)
        A sample of gathers, non-live traces zeroed.
    live, target : numpy.ndarray of bool, shape (k, n_trace)
        Recorded traces, and the real gaps (whose pattern is copied).
    options : mapping
        ``model``, ``device``, ``batch_size`` of the network candidate.
    share, seed
        Share of the live traces hidden (:func:`seisfill.masks.mimic_gaps`) and its seed.
    rounds : int
        Hidden sets drawn one after another (seeds ``seed``, ``seed + 1``...); the
        scores pool their errors (a few hidden traces make a noisy score).

    Returns
    -------
    dict
        ``weights`` (the winner), ``choice`` (its label), ``scores_db`` (label ->
        missing-trace SNR of the hidden traces, dB), ``hidden`` (traces hidden),
        ``gathers`` (gathers used).
    """
    signal, errors, n_hidden, n_rows = 0.0, {}, 0, 0
    for r in range(max(1, int(rounds))):
        found = _round(data, live, target, options, share, seed + r)
        if found is None:
            continue
        signal += found[0]
        for key, err in found[1].items():
            errors[key] = errors.get(key, 0.0) + err
        n_hidden, n_rows = n_hidden + found[2], max(n_rows, found[3])
    if not errors:
        return {"weights": {_FX: 1.0}, "choice": _FX, "scores_db": {}, "hidden": 0, "gathers": 0}
    scores = {label(w): round(float(snr_from_energies(signal, errors[label(w)])), 3) for w in CANDIDATES
              if label(w) in errors}
    best = next(w for w in CANDIDATES if label(w) == max(scores, key=scores.get))  # ties: the earlier candidate
    return {"weights": dict(best), "choice": label(best), "scores_db": scores, "hidden": n_hidden, "gathers": n_rows}


def _round(
    data: np.ndarray, live: np.ndarray, target: np.ndarray, options: Mapping[str, Any], share: float, seed: int,
) -> tuple[float, dict[str, float], int, int] | None:
    """One hidden set: (signal energy, squared error per candidate label, traces hidden, gathers used)."""
    hidden = mimic_gaps(live, share, np.random.default_rng(seed), gaps=target)
    rows = hidden.any(axis=-1) & ((live & ~hidden).sum(axis=-1) >= 2)
    if not rows.any():
        return None
    data, live, hidden = data[rows], live[rows], hidden[rows]
    known = live & ~hidden
    bases = [name for name in (NETWORK, _FX, _DRR, _LINEAR) if name != NETWORK or _network_usable(options)]
    estimates = _estimates(np.where(known[..., None], data, 0).astype(np.float32), known, hidden, bases, options)
    reference = data[hidden].astype(np.float64)
    errors = {}
    for weights in CANDIDATES:
        if all(name in estimates for name in weights):
            blend = sum(np.float32(w) * estimates[name][hidden].astype(np.float64) for name, w in weights.items())
            errors[label(weights)] = float(np.sum((reference - blend) ** 2))
    return float(np.sum(reference**2)), errors, int(hidden.sum()), int(rows.sum())


def _network_usable(options: Mapping[str, Any]) -> bool:
    return torch_available and options.get("model") is not None


def _estimates(
    data: np.ndarray, live: np.ndarray, target: np.ndarray, bases: list[str], options: Mapping[str, Any],
) -> dict[str, np.ndarray]:
    """Each base method's estimate (float32, data's shape) at the target traces; zeros elsewhere.

    Classical methods run on the rows holding a target with at least 2 live
    traces; other target rows take linear interpolation (one live trace: a copy).
    """
    out = {}
    rows = target.any(axis=-1)
    usable = rows & (live.sum(axis=-1) >= 2)
    for name in bases:
        est = np.zeros(data.shape, dtype=np.float32)
        if name == NETWORK:
            est[rows] = get_method(NETWORK).function(data[rows], live[rows], target=target[rows], **options)
        elif usable.any():
            est[usable] = get_method(name).function(data[usable], live[usable])
        if (rows & ~usable).any() and name != NETWORK:
            est[rows & ~usable] = fill_linear(data[rows & ~usable], live[rows & ~usable])
        out[name] = est
    return out


def _prepare(options: Mapping[str, Any], ndim: int) -> dict[str, Any]:
    """Load the 2-D network once when torch is here (auto fills gathers and inlines one by one)."""
    out = dict(options)
    if torch_available:
        from seisfill.models import resolve_model

        out["model"] = resolve_model(out.get("model"), out.get("device", "auto"), ndim=2)
    elif out.get("model") is not None:
        out["model"] = None  # no torch: the network candidates are skipped
    return out


def _calibrate(options: Mapping[str, Any], data: np.ndarray, live: np.ndarray, target: np.ndarray) -> dict[str, Any]:
    """The self-check on the file's sample of gathers: the winner's weights and the record, as options
    (weights the user gave are kept: nothing to choose)."""
    out = dict(options)
    if options.get("weights") is None:
        net = {k: options[k] for k in ("model", "device", "batch_size") if k in options}
        given = {**AUTO.options, **options}
        record = self_check(data, live, target, net, float(given["share"]), int(given["seed"]), int(given["rounds"]))
        out["weights"] = record.pop("weights")
        out["selfcheck"] = record
    if out["weights"].get(NETWORK, 0) <= 0:
        out["model"] = None  # no network in the blend: none to load in the workers, none to adapt
    return out


def _portable(options: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in options.items() if k not in ("progress", "selfcheck")}
    if out.get("model") is not None and not isinstance(out["model"], str):
        out["model"] = out["model"].name
    return out


def _describe(options: Mapping[str, Any]) -> dict[str, str]:
    weights = options.get("weights") or {}
    record = {"choice": label(weights) if weights else None, "weights": dict(weights),
              **dict(options.get("selfcheck") or {})}
    out = {"fill_auto": json.dumps(record)}
    if weights.get(NETWORK, 0) > 0 and options.get("model") is not None:
        model = options["model"]
        out["fill_model"] = model if isinstance(model, str) else model.name
    return out


AUTO = register_method(Method(
    "auto", fill_auto,
    "self-check: hide live traces like the real gaps, keep the best of fx, drr, linear, the network and blends",
    # it runs a network where torch is installed (and then counts as a network method: one torch thread per
    # streaming task, never "classical"); without torch it still runs, on fx, drr and linear alone
    needs_torch=torch_available,
    takes_target=True, prepare=_prepare, portable=_portable, describe=_describe, calibrate=_calibrate,
))
