"""``seisfill fill --adapt``: fine-tune the network on the survey's own live traces, then fill.

Self-supervised, from nothing but the file being filled: windows are cut from
a sample of its gathers, live traces are hidden in the pattern of the real
gaps (:func:`seisfill.masks.mimic_gaps`) and the network learns to restore
them, with the training losses and optimiser (:class:`seisfill.train.losses.FillLoss`,
AdamW, gradient clipping) and the inference normalisation
(:mod:`seisfill.nn.normalize`).  A fixed *held-back* set of live traces,
hidden the same way and never trained on, scores the network every few steps;
the best weights are kept (the shipped ones, if nothing beats them) and
training stops at the time budget or when the held-back score stops rising.

:func:`survey_options` is the one place where a fill looks at a sample of the
survey before filling: the method's :attr:`~seisfill.methods.Method.calibrate`
(``auto``'s self-check) first -- with the shipped network, which has not seen
the live traces it hides -- then ``--adapt`` (skipped where the choice uses no
network), both on the same rows on every path (:func:`seisfill.methods.sample_rows`).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from seisfill._deps import require
from seisfill.core import torch_threads
from seisfill.errors import SeisfillError
from seisfill.masks.mimic import mimic_gaps
from seisfill.methods import Method, get_method, list_methods
from seisfill.methods.network import fill_unet
from seisfill.metrics import snr_from_energies

__all__ = ["AdaptSettings", "adapt_model", "survey_options", "ADAPT_ROWS", "MIN_LIVE_TRACES"]

#: gathers of the survey the adaptation learns from (spread evenly over those with gaps)
ADAPT_ROWS = 16
#: live traces the sample must hold to learn anything (after the held-back set is set aside)
MIN_LIVE_TRACES = 16
#: a sample of one row: data (k, n_trace, n_time) non-live zeroed, live and target (k, n_trace)
Sample = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class AdaptSettings:
    """How ``--adapt`` fine-tunes.

    Attributes
    ----------
    budget_s : float
        Wall-clock seconds of training at most (``--adapt-budget``).
    seed : int
        Seed of the hidden traces, the windows and torch's initial state.
    max_steps : int
        Optimiser steps at most (with a budget that does not bind, the same
        steps on every path: the same weights, the same bytes).
    lr : float
        AdamW learning rate (half the training peak; the held-back score
        keeps the shipped weights where it does not pay).
    batch_size : int
        Windows per step.
    share : float
        Share of each window's live traces hidden per step, and of the
        sample's live traces held back.
    eval_every, patience : int
        Held-back score every ``eval_every`` steps; stop after ``patience``
        scores without a new best.
    """

    budget_s: float = 60.0
    seed: int = 0
    max_steps: int = 100_000
    lr: float = 1.0e-3
    batch_size: int = 4
    share: float = 0.2
    eval_every: int = 10
    patience: int = 4

    def check(self) -> None:
        if not self.budget_s > 0:
            raise SeisfillError(f"--adapt-budget must be > 0 seconds, got {self.budget_s:g}")
        if self.max_steps < 1:
            raise SeisfillError(f"adaptation steps must be >= 1, got {self.max_steps}")


def survey_options(
    method: Method,
    options: Mapping[str, Any],
    sample: Callable[[int], Sample],
    adapt: AdaptSettings | None = None,
    weights_path: str | Path | None = None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The method's options once it has seen the survey: the method's calibration, then the adapted network.

    Parameters
    ----------
    method : Method
    options : mapping
        Prepared options (:attr:`Method.prepare`: a network loaded).
    sample : callable
        ``sample(k) -> (data, live, target)``: the rows at
        ``sample_rows(n_rows_with_targets, k)``, non-live traces zeroed.
    adapt : AdaptSettings, optional
        Fine-tune the method's network first (``--adapt``).
    weights_path : path-like, optional
        Where the adapted weights go (a worker loads them by this name); in
        memory only when None.

    Returns
    -------
    options : dict
    adapt_record : dict or None
        ``budget_s``, ``steps``, ``seconds``, ``held_back_snr_db_before`` / ``_after``...
    """
    out = dict(options)
    record = None
    if adapt is not None:
        adapt.check()
        _check_adaptable(method, out)
    if method.calibrate is not None:
        # before adapting: an adapted network has learnt the very live traces a self-check hides.
        # One torch thread: the network's last bits, hence the choice, alike on every path
        with torch_threads(1 if method.needs_torch else 0):
            out = method.calibrate(out, *sample(method.sample_size))
    if adapt is not None and out.get("model") is None:  # the choice uses no network
        record = {"skipped": "the method's choice uses no network", "budget_s": adapt.budget_s}
    elif adapt is not None:
        data, live, target = sample(ADAPT_ROWS)
        out["model"], record = adapt_model(out["model"], data, live, target, adapt, weights_path,
                                           out.get("device", "auto"))
    return out, record


def _check_adaptable(method: Method, options: Mapping[str, Any]) -> None:
    takers = [name for name in list_methods() if "model" in get_method(name).options]
    if "model" not in method.options:
        raise SeisfillError(f"--adapt fine-tunes a network: --method {' / '.join(takers)}, not '{method.name}'")
    require("torch", "--adapt")
    model = options.get("model")
    if model is None or isinstance(model, str) or model.ndim != 2:
        raise SeisfillError("--adapt fine-tunes a 2-D network (gathers, lines); this fill uses a 3-D one")
    if int(getattr(model.model, "config", {}).get("guide_channels", 0)):
        raise SeisfillError(f"--adapt: network {model.name} takes guide channels, which adaptation does not feed")


def adapt_model(
    loaded: Any, data: np.ndarray, live: np.ndarray, target: np.ndarray, settings: AdaptSettings,
    weights_path: str | Path | None = None, device: str = "auto",
) -> tuple[Any, dict[str, Any]]:
    """Fine-tune a copy of a loaded 2-D network on the live traces of a sample of gathers.

    Parameters
    ----------
    loaded : seisfill.models.LoadedModel
        Never changed (the process's cache keeps the shipped weights).
    data : numpy.ndarray, shape (k, n_trace, n_time)
        Gathers, non-live traces zeroed.
    live, target : numpy.ndarray of bool, shape (k, n_trace)
        Recorded traces; the real gaps (the pattern hidden traces copy).
    settings : AdaptSettings
    weights_path : path-like, optional
        Write the adapted weights there (``seisfill train``'s format) and name the model by it.
    device : str
        Where to train (``auto``: CUDA when available), as ``--device``.

    Returns
    -------
    LoadedModel
        The adapted network (the original's weights if none scored better on the held-back traces).
    dict
        The record: budget, steps, seconds, held-back traces and SNR before/after.

    Raises
    ------
    SeisfillError
        Too few live traces to learn from.
    """
    import torch

    from seisfill.models import LoadedModel
    from seisfill.nn.inference import resolve_device
    from seisfill.nn.registry import model_config
    from seisfill.train.losses import FillLoss

    start = time.perf_counter()
    rng = np.random.default_rng(settings.seed)
    torch.manual_seed(settings.seed)
    held = mimic_gaps(live, settings.share, rng, gaps=target)
    known = live & ~held
    n_known = int(known.sum())
    if n_known < MIN_LIVE_TRACES or not held.any():
        raise SeisfillError(
            f"--adapt: {int(live.sum())} live traces in the {live.shape[0]} sampled gather(s), too few to learn "
            f"from (at least {MIN_LIVE_TRACES} besides a held-back set); fill without --adapt"
        )
    where = resolve_device(device)
    model = copy.deepcopy(loaded.model).to(where)
    adapted = LoadedModel(f"{loaded.name}+adapted", model, dict(loaded.normalize), loaded.window, loaded.overlap)
    full = np.where(live[..., None], data, 0).astype(np.float32)  # the held-back traces' truth, never trained on
    visible = np.where(known[..., None], full, 0).astype(np.float32)
    t0 = time.perf_counter()
    before = _held_back_snr(adapted, full, visible, known, held, device)
    eval_s = time.perf_counter() - t0
    best_db, best_state, best_step = before, copy.deepcopy(model.state_dict()), 0
    windows = _Windows(visible, known, target | held, loaded.window, settings.share, rng)
    opt = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=1.0e-4)
    criterion = FillLoss(None, ndim=2)
    step, stale, step_s = 0, 0, 0.0
    while step < settings.max_steps and stale < settings.patience:
        # stop before a step (and the score after it) would run past the budget
        scored = (step + 1) % settings.eval_every == 0 or step + 1 == settings.max_steps
        if time.perf_counter() - start + step_s + (eval_s if scored else 0.0) > settings.budget_s:
            break
        t0 = time.perf_counter()
        _train_step(model, opt, criterion, windows.batch(settings.batch_size), loaded.normalize, where)
        step += 1
        step_s = max(step_s, time.perf_counter() - t0)
        if step % settings.eval_every == 0 or step == settings.max_steps:
            db = _held_back_snr(adapted, full, visible, known, held, device)
            if db > best_db:
                best_db, best_state, best_step, stale = db, copy.deepcopy(model.state_dict()), step, 0
            else:
                stale += 1
    model.load_state_dict(best_state)
    model.eval()
    if weights_path is not None:
        torch.save({"config": model_config(model), "state_dict": {k: v.cpu() for k, v in model.state_dict().items()},
                    "normalize": adapted.normalize, "patch": list(loaded.window), "step": best_step,
                    "metrics": {"adapted_from": loaded.name}}, str(weights_path))
        adapted.name = str(weights_path)
    record = {
        "model": loaded.name, "budget_s": settings.budget_s, "steps": step, "best_step": best_step,
        "seconds": round(time.perf_counter() - start, 2), "gathers": int(live.shape[0]),
        "held_back_traces": int(held.sum()), "held_back_snr_db_before": round(before, 3),
        "held_back_snr_db_after": round(best_db, 3), "seed": settings.seed,
    }
    return adapted, record


def _held_back_snr(loaded: Any, full: np.ndarray, visible: np.ndarray, known: np.ndarray, held: np.ndarray,
                   device: str) -> float:
    """Missing-trace SNR (dB) of the held-back traces filled by the network from the known ones."""
    estimate = fill_unet(visible, known, model=loaded, device=device, target=held)
    truth = full[held].astype(np.float64)
    error = float(np.sum((estimate[held].astype(np.float64) - truth) ** 2))
    return float(snr_from_energies(float(np.sum(truth**2)), error))


class _Windows:
    """Training windows (time first) cut from the sample, with live traces hidden like the real gaps."""

    def __init__(self, visible: np.ndarray, known: np.ndarray, gaps: np.ndarray, window: tuple[int, ...],
                 share: float, rng: np.random.Generator):
        self.visible, self.known, self.gaps, self.share, self.rng = visible, known, gaps, share, rng
        self.size = (min(int(window[0]), visible.shape[-1]), min(int(window[1]), visible.shape[-2]))
        # rows with enough known traces in a window to hide some and keep two
        self.rows = np.flatnonzero(known.sum(axis=-1) >= 4)

    def batch(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``n`` windows: data (n, T, X) of the known traces, the input mask and the loss mask (n, X)."""
        n_t, n_x = self.size
        data = np.zeros((n, n_t, n_x), dtype=np.float32)
        shown = np.zeros((n, n_x), dtype=bool)
        valid = np.zeros((n, n_x), dtype=bool)
        for b in range(n):
            r = int(self.rng.choice(self.rows))
            t0 = int(self.rng.integers(self.visible.shape[-1] - n_t + 1))
            x0 = int(self.rng.integers(self.visible.shape[-2] - n_x + 1))
            known = self.known[r, x0 : x0 + n_x]
            hide = mimic_gaps(known, self.share, self.rng, gaps=self.gaps[r, x0 : x0 + n_x]) if known.sum() >= 3 \
                else np.zeros_like(known)
            data[b] = self.visible[r, x0 : x0 + n_x, t0 : t0 + n_t].T
            shown[b], valid[b] = known & ~hide, known
        return data, shown, valid


def _train_step(model: Any, opt: Any, criterion: Any, batch: tuple[np.ndarray, np.ndarray, np.ndarray],
                norm_cfg: Mapping[str, Any], device: Any) -> float:
    """One AdamW step on the raw output (``keep_live`` off), normalised as at inference."""
    import torch

    from seisfill.nn.normalize import normalize

    data, shown, valid = batch
    xs, ys = [], []
    for win, mask in zip(data, shown, strict=True):
        # statistics from the shown traces only, as the network sees them at inference
        yn, _ = normalize(win, mask, norm_cfg)
        xs.append(np.where(mask[None], yn, 0))
        ys.append(yn)
    x = torch.from_numpy(np.stack(xs)[:, None]).to(device)
    y = torch.from_numpy(np.stack(ys)[:, None]).to(device)
    m = torch.from_numpy(shown[:, None, None]).to(device)
    v = torch.from_numpy(valid[:, None, None]).to(device)
    model.train()
    keep = getattr(model, "keep_live", None)
    if keep is not None:
        model.keep_live = False
    try:
        pred = model(x, m)
        loss, _ = criterion(pred, y, m, v)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    finally:
        if keep is not None:
            model.keep_live = keep
        model.eval()
    return float(loss.detach())
