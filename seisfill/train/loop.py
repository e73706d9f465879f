"""The training loop: plain, seeded, resumable, single- or multi-process.

One step: a batch of :class:`~seisfill.train.data.PatchDataset` patches ->
``model(x, mask)`` (bf16 autocast on CUDA, fp32 on CPU) ->
:class:`~seisfill.train.losses.FillLoss` -> AdamW step with gradient
clipping -> cosine learning-rate schedule with linear warm-up.

Run folder (``--out`` / ``out_dir``, default ``runs/<name>``)
-------------------------------------------------------------
``config.yaml``
    The fully resolved config, with a ``resolved`` section: device, world
    size, model size, the data split (:func:`seisfill.train.data.describe_split`)
    and the sources actually used.
``metrics.csv``
    One row per logged step: ``step, lr, loss, loss_hole, loss_valid,
    loss_spectral, grad_norm, samples_per_s, elapsed_s`` and, on validation
    steps, ``val_loss, val_snr, val_snr_linear`` (missing-trace SNR in dB,
    pooled over the validation patches, network vs linear interpolation on
    the same patches) and the same for the ``real`` and ``synth`` subsets.
``checkpoint.pt``
    Everything to continue exactly: model, model config, optimiser,
    scheduler, step, RNG states, resolved config, best score.  Written every
    ``train.ckpt_every`` steps and at the end; ``--resume`` continues from it
    and reproduces the uninterrupted loss curve (the data depend only on the
    seed and the step).
``model.pt`` / ``model_last.pt``
    Small files ``{"config": model_config, "state_dict": fp32 weights,
    "normalize": ..., "patch": ..., "step": ..., "metrics": ...}``: the best
    validation weights and the last ones (``model.pt`` is the last ones when
    there is no validation).  Load with
    ``make_model(d["config"]).load_state_dict(d["state_dict"])``.

Multi-GPU: ``torchrun --nproc-per-node=N -m seisfill.train --config ...``
(DistributedDataParallel; nccl on CUDA, gloo on CPU; ``train.batch_size`` is
the global batch, split over the ranks; only rank 0 validates, logs and saves;
each rank writes the SHA-256 of its final weights to
``rank_hashes/rank<r>.txt``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import math
import os
import random
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import DataLoader, DistributedSampler, Sampler

from seisfill.classical.linear import fill_linear, fill_linear_grid
from seisfill.errors import SeisfillError
from seisfill.metrics import snr_from_energies
from seisfill.train.config import dump_config, load_config
from seisfill.train.data import PatchDataset, describe_split
from seisfill.train.losses import FillLoss

__all__ = [
    "train",
    "main",
    "TrainResult",
    "validate",
    "linear_baseline",
    "lr_factor",
    "state_hash",
    "build_model",
    "METRIC_COLUMNS",
]

METRIC_COLUMNS = [
    "step",
    "lr",
    "loss",
    "loss_hole",
    "loss_valid",
    "loss_spectral",
    "grad_norm",
    "samples_per_s",
    "elapsed_s",
    "val_loss",
    "val_snr",
    "val_snr_linear",
    "val_snr_real",
    "val_snr_real_linear",
    "val_snr_synth",
    "val_snr_synth_linear",
    "val_snr_guide",
    "val_snr_real_guide",
    "val_snr_synth_guide",
]


@dataclass
class TrainResult:
    """What :func:`train` returns (on every rank; ``history`` and ``best`` on rank 0)."""

    out_dir: Path
    step: int
    history: list[dict[str, Any]] = field(default_factory=list)
    best: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def lr_factor(step: int, total: int, warmup: int, min_ratio: float) -> float:
    """Multiplier of the base LR after ``step`` optimiser steps: linear warm-up, then cosine."""
    if warmup > 0 and step < warmup:
        return (step + 1) / warmup
    span = max(1, total - warmup)
    progress = min(1.0, (step - warmup) / span)
    return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))


def state_hash(model: nn.Module) -> str:
    """SHA-256 of a model's state_dict (keys sorted, values as fp32 bytes)."""
    h = hashlib.sha256()
    for key, value in sorted(_unwrap(model).state_dict().items()):
        h.update(key.encode())
        h.update(value.detach().to("cpu", torch.float32).contiguous().numpy().tobytes())
    return h.hexdigest()


def _unwrap(model: nn.Module) -> nn.Module:
    model = getattr(model, "module", model)
    return getattr(model, "_orig_mod", model)


def build_model(cfg: Mapping[str, Any]) -> nn.Module:
    """The model of ``cfg["model"]`` through :func:`seisfill.nn.registry.make_model`.

    With ``cfg["init"]`` (a shipped model name or a weights path) the model is
    that network with its weights, to fine-tune (its architecture wins over
    ``cfg["model"]``).
    """
    from seisfill.nn.registry import make_model

    if cfg.get("init"):
        from seisfill.models import load_model

        return load_model(str(cfg["init"]), device="cpu").model.train()
    mcfg = dict(cfg["model"])
    return make_model(mcfg)


@contextlib.contextmanager
def _raw_output(model: nn.Module, raw: bool) -> Iterator[None]:
    """Switch the model's ``keep_live`` off for the duration (losses on the raw output)."""
    inner = _unwrap(model)
    old = getattr(inner, "keep_live", None)
    if raw and old is not None:
        inner.keep_live = False
    try:
        yield
    finally:
        if raw and old is not None:
            inner.keep_live = old


class _StepSampler(Sampler[int]):
    """Endless indices ``epoch * N + i`` from a :class:`DistributedSampler`, starting at a step.

    Epoch ``e`` is ``DistributedSampler.set_epoch(e)``'s permutation (rank
    share, whole batches only); the offset ``epoch * N`` makes every epoch
    draw fresh windows, masks and augmentations from the index-seeded
    dataset.  Starting at step ``s`` skips exactly the batches already seen.
    """

    def __init__(self, dataset: Any, world: int, rank: int, seed: int, local_batch: int, start_step: int):
        self.base = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=seed, drop_last=True)
        self.n = len(dataset)
        self.local_batch = local_batch
        self.per_epoch = len(self.base) // local_batch
        if self.per_epoch < 1:
            raise SeisfillError(
                f"an epoch of {self.n} patches over {world} rank(s) holds no batch of {local_batch}; "
                "raise data.epoch_size or lower train.batch_size"
            )
        self.start_epoch, first = divmod(start_step, self.per_epoch)
        self.skip = first * local_batch

    def __iter__(self) -> Iterator[int]:
        epoch, skip = self.start_epoch, self.skip
        while True:
            self.base.set_epoch(epoch)
            idx = list(self.base)[: self.per_epoch * self.local_batch]
            for i in idx[skip:]:
                yield epoch * self.n + int(i)
            epoch, skip = epoch + 1, 0


def _collate(batch: Sequence[dict[str, Any]]) -> dict[str, torch.Tensor]:
    out: dict[str, torch.Tensor] = {}
    for key in batch[0]:
        values = [b[key] for b in batch]
        out[key] = torch.stack(values) if isinstance(values[0], torch.Tensor) else torch.tensor(values)
    return out


def _rng_state() -> dict[str, Any]:
    # the legacy global numpy state is saved too: third-party code may draw from it
    state = {
        "torch": torch.get_rng_state(),
        "numpy": np.random.get_state(),  # noqa: NPY002
        "python": random.getstate(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: Mapping[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])  # noqa: NPY002
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        with contextlib.suppress(Exception):
            torch.cuda.set_rng_state_all(state["cuda"])


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002  (our own code uses seeded Generators)
    torch.manual_seed(seed)


def _atomic_save(obj: Any, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


def linear_baseline(x: np.ndarray, live: np.ndarray) -> np.ndarray:
    """Linear interpolation across traces of time-first patches (the validation baseline).

    Parameters
    ----------
    x : ndarray, shape (N, T, X) or (N, T, X, Y)
    live : ndarray of bool, shape (N, X) or (N, X, Y)

    Returns
    -------
    ndarray, same shape as ``x``: :func:`~seisfill.classical.linear.fill_linear`
    along X for 2-D patches, :func:`~seisfill.classical.linear.fill_linear_grid`
    for 3-D bricks.
    """
    data = np.moveaxis(np.asarray(x, dtype=np.float32), 1, -1)  # trace-major: (N, X[, Y], T)
    fill = fill_linear if data.ndim == 3 else fill_linear_grid
    return np.moveaxis(fill(data, np.asarray(live, dtype=bool)), -1, 1)


class _ValSet:
    """The fixed validation patches as tensors, plus linear's estimate on them."""

    def __init__(self, dataset: PatchDataset, batch_size: int):
        items = [dataset[i] for i in range(len(dataset))]
        batch = _collate(items)
        self.x = batch["x"]
        self.mask = batch["mask"]
        self.target = batch["target"]
        self.valid = batch["valid"]
        self.gain = batch["gain"]
        self.source = batch["source"]
        self.guide = batch.get("guide")  # guided models: the classical estimate they correct
        self.batch_size = max(1, int(batch_size))
        live_traces = (self.mask[:, 0] > 0.5).any(dim=1).numpy()  # (N, X[, Y])
        self.linear = torch.from_numpy(linear_baseline(self.x[:, 0].numpy(), live_traces))[:, None]

    def __len__(self) -> int:
        return int(self.x.shape[0])


def _snr_parts(est: torch.Tensor, vs: _ValSet, idx: torch.Tensor) -> tuple[float, float]:
    """(signal energy, error energy) over missing valid samples, pooled over patches.

    Each patch is taken in the un-gained domain (time gain undone) and divided
    by the RMS of its full valid reference, so every patch weighs the same
    and one loud patch cannot dominate the pooled figure.
    """
    nd = vs.target.dim() - 3
    g = vs.gain[idx].reshape(len(idx), 1, -1, *([1] * nd))
    valid = vs.valid[idx]
    hole = (1.0 - vs.mask[idx]) * valid
    ref = vs.target[idx] / g
    dims = tuple(range(1, ref.dim()))
    rms = ((ref**2 * valid).sum(dim=dims, keepdim=True) / valid.sum(dim=dims, keepdim=True).clamp_min(1)).sqrt()
    rms = rms.clamp_min(1e-30)
    ref = ref / rms
    e = est / g / rms
    signal = float(((ref * hole) ** 2).double().sum())
    error = float((((ref - e) * hole) ** 2).double().sum())
    return signal, error


@torch.no_grad()
def validate(model: nn.Module, vs: _ValSet, criterion: FillLoss, device: torch.device, amp_dtype: torch.dtype | None) -> dict[str, float]:
    """Loss and missing-trace SNR (dB) of the model and of linear on the validation patches."""
    inner = _unwrap(model)
    was_training = inner.training
    inner.eval()
    preds = []
    losses = []
    for start in range(0, len(vs), vs.batch_size):
        sl = slice(start, start + vs.batch_size)
        x = vs.x[sl].to(device)
        mask = vs.mask[sl].to(device)
        extra = () if vs.guide is None else (vs.guide[sl].to(device),)
        with torch.autocast(device.type, dtype=amp_dtype or torch.float32, enabled=amp_dtype is not None):
            pred = inner(x, mask, *extra)
        pred = pred.float()
        loss, _ = criterion(pred, vs.target[sl].to(device), mask, vs.valid[sl].to(device))
        losses.append(float(loss) * x.shape[0])
        preds.append(pred.cpu())
    inner.train(was_training)
    pred = torch.cat(preds)
    out = {"val_loss": sum(losses) / len(vs)}
    groups = {"": torch.ones(len(vs), dtype=torch.bool), "_real": vs.source == 3, "_synth": vs.source != 3}
    for name, sel in groups.items():
        idx = torch.nonzero(sel).flatten()
        if idx.numel() == 0:
            continue
        s, e = _snr_parts(pred[idx], vs, idx)
        s_lin, e_lin = _snr_parts(vs.linear[idx], vs, idx)
        out[f"val_snr{name}"] = snr_from_energies(s, e)
        out[f"val_snr{name}_linear"] = snr_from_energies(s_lin, e_lin)
        if vs.guide is not None:  # the guide alone: what the correction adds
            out[f"val_snr{name}_guide"] = snr_from_energies(*_snr_parts(vs.guide[idx], vs, idx))
    return out


# ---------------------------------------------------------------------------
# logging
# ---------------------------------------------------------------------------


class _CsvLog:
    def __init__(self, path: Path, resume_step: int | None):
        self.path = path
        rows: list[dict[str, str]] = []
        if resume_step is not None and path.exists():
            with path.open(newline="") as fh:
                rows = [r for r in csv.DictReader(fh) if r.get("step") and int(r["step"]) <= resume_step]
        with path.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=METRIC_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)

    def write(self, row: Mapping[str, Any]) -> None:
        with self.path.open("a", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=METRIC_COLUMNS, extrasaction="ignore")
            writer.writerow({k: _fmt(row.get(k)) for k in METRIC_COLUMNS})


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


# ---------------------------------------------------------------------------
# the loop
# ---------------------------------------------------------------------------


def _dist_info() -> tuple[int, int, int]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    return world, rank, local


def _device(cfg: Mapping[str, Any], local_rank: int) -> torch.device:
    want = str(cfg["train"].get("device", "auto"))
    if want == "auto":
        want = "cuda" if torch.cuda.is_available() else "cpu"
    if want.startswith("cuda"):
        if not torch.cuda.is_available():
            raise SeisfillError("train.device is cuda but no CUDA device is available")
        dev = torch.device("cuda", local_rank if want == "cuda" else torch.device(want).index)
        torch.cuda.set_device(dev)
        return dev
    return torch.device(want)


def _amp_dtype(cfg: Mapping[str, Any], device: torch.device) -> torch.dtype | None:
    prec = str(cfg["train"].get("precision", "auto"))
    if prec == "auto":
        return torch.bfloat16 if device.type == "cuda" else None
    return torch.bfloat16 if prec == "bf16" else None


def train(
    config: Mapping[str, Any],
    out_dir: str | os.PathLike | None = None,
    *,
    resume: bool = False,
    stop_after: int | None = None,
    callbacks: Sequence[Callable[[int, dict[str, Any]], None]] = (),
    datasets: Mapping[str, Any] | None = None,
) -> TrainResult:
    """Train a model as ``config`` says; returns a :class:`TrainResult`.

    Parameters
    ----------
    config : mapping
        A resolved config (:func:`seisfill.train.config.load_config`).
    out_dir : path, optional
        Run folder (default ``config["out_dir"]`` or ``runs/<name>``).
    resume : bool
        Continue from ``out_dir/checkpoint.pt`` (its model/optimiser/RNG state;
        the config passed here is used, so ``train.steps`` may be raised).
    stop_after : int, optional
        Stop (with a checkpoint) after this step, as if pre-empted.
    callbacks : sequence of callables
        ``cb(step, row)`` after every step, ``row`` the step's metrics (rank 0).
    datasets : mapping of str to xarray.Dataset, optional
        Extra real records (see :class:`PatchDataset`).
    """
    t_begin = time.perf_counter()
    cfg = dict(config)
    tcfg = cfg["train"]
    world, rank, local_rank = _dist_info()
    distributed = world > 1
    device = _device(cfg, local_rank)
    if distributed and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    is_main = rank == 0
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    if int(tcfg.get("threads", 0)) > 0:
        torch.set_num_threads(int(tcfg["threads"]))
    out = Path(out_dir or cfg.get("out_dir") or Path("runs") / str(cfg.get("name", "run")))
    ckpt_path = out / "checkpoint.pt"
    if is_main:
        out.mkdir(parents=True, exist_ok=True)

    seed = int(cfg["seed"])
    _seed_everything(seed + rank)
    model = build_model(cfg).to(device)
    ndim = len(cfg["data"]["patch"]) - 1
    channels_last = bool(tcfg.get("channels_last")) and ndim == 2 and device.type == "cuda"
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(
        model.parameters(),
        lr=float(tcfg["lr"]),
        betas=tuple(float(b) for b in tcfg["betas"]),
        weight_decay=float(tcfg["weight_decay"]),
    )
    # plan["steps"] is read by the schedule at every step: a time budget may set it once, early on
    plan: dict[str, Any] = {"steps": int(tcfg["steps"]), "calibrated": False}
    warmup, min_ratio = int(tcfg["warmup_steps"]), float(tcfg["min_lr_ratio"])
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, plan["steps"], warmup, min_ratio))

    start_step = 0
    best: dict[str, Any] = {}
    if resume:
        if not ckpt_path.exists():
            raise SeisfillError(f"--resume: no checkpoint at {ckpt_path}")
        ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=False)
        _unwrap(model).load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        sched.load_state_dict(ckpt["scheduler"])
        start_step = int(ckpt["step"])
        best = dict(ckpt.get("best", {}))
        rngs = ckpt["rng"]
        _set_rng_state(rngs[rank] if rank < len(rngs) else rngs[0])
        if ckpt.get("plan", {}).get("calibrated"):  # a time-budgeted run keeps its planned length ...
            plan.update(ckpt["plan"])
            asked = int(tcfg["steps"])
            if asked != int(ckpt.get("config", {}).get("train", {}).get("steps", asked)):
                plan["steps"] = asked  # ... unless the resume sets train.steps: the schedule then ends there
    steps = plan["steps"]

    ddp_model: nn.Module = model
    if distributed:
        ddp_model = nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None
        )
    run_model: nn.Module = torch.compile(ddp_model) if tcfg.get("compile") else ddp_model

    amp_dtype = _amp_dtype(cfg, device)
    criterion = FillLoss(cfg["loss"], ndim=ndim)
    raw_output = bool(cfg["loss"].get("on_raw_output", True))

    batch = int(tcfg["batch_size"])
    if batch % world:
        raise SeisfillError(f"train.batch_size {batch} is not a multiple of the {world} ranks")
    local_batch = batch // world
    train_ds = PatchDataset(cfg, "train", datasets=datasets)
    sampler = _StepSampler(train_ds, world, rank, seed, local_batch, start_step)
    workers = int(tcfg.get("num_workers", 0))
    loader_kw: dict[str, Any] = {}
    if workers > 0:
        loader_kw = {"persistent_workers": True, "prefetch_factor": int(tcfg.get("prefetch_factor", 4))}
    loader = DataLoader(
        train_ds,
        batch_size=local_batch,
        sampler=sampler,
        num_workers=workers,
        collate_fn=_collate,
        pin_memory=device.type == "cuda",
        drop_last=True,
        generator=torch.Generator().manual_seed(seed),
        **loader_kw,
    )

    val_every = int(tcfg.get("val_every", 0))
    val_set: _ValSet | None = None
    resolved: dict[str, Any] = {}
    if is_main:
        val_ds = None
        if val_every > 0:
            val_ds = PatchDataset(cfg, "val", datasets=datasets)
            val_set = _ValSet(val_ds, int(tcfg.get("val_batch_size", 32)))
        from seisfill.nn.registry import count_parameters, model_config

        resolved = {
            "device": str(device),
            "precision": str(amp_dtype).replace("torch.", "") if amp_dtype else "float32",
            "world_size": world,
            "local_batch": local_batch,
            "model_config": model_config(_unwrap(model)),
            "parameters": int(count_parameters(_unwrap(model))),
            "data_split": describe_split(cfg, datasets),
            "train_sources": train_ds.describe(),
            "val_sources": val_ds.describe() if val_ds is not None else None,
            "val_patches": len(val_set) if val_set is not None else 0,
            "resumed_from_step": start_step if resume else None,
            "torch": torch.__version__,
        }
        dump_config({**cfg, "resolved": resolved}, out / "config.yaml")
    log = _CsvLog(out / "metrics.csv", start_step if resume else None) if is_main else None
    tb = None
    if is_main and tcfg.get("tensorboard"):
        try:
            from torch.utils.tensorboard import SummaryWriter

            tb = SummaryWriter(str(out / "tb"))
        except Exception:  # tensorboard is optional
            tb = None

    def save_checkpoint(step: int) -> None:
        rngs: list[Any] = [_rng_state()]
        if distributed:
            rngs = [None] * world
            dist.all_gather_object(rngs, _rng_state())
        if not is_main:
            return
        _atomic_save(
            {
                "step": step,
                "model": _unwrap(model).state_dict(),
                "model_config": model_config_(model),
                "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict(),
                "rng": rngs,
                "config": cfg,
                "best": best,
                "plan": dict(plan),
                "world_size": world,
            },
            ckpt_path,
        )

    def save_weights(name: str, step: int, metrics: Mapping[str, Any]) -> None:
        state = {k: v.detach().to("cpu", torch.float32) for k, v in _unwrap(model).state_dict().items()}
        _atomic_save(
            {
                "config": model_config_(model),
                "state_dict": state,
                "normalize": dict(cfg["normalize"]),
                "patch": list(cfg["data"]["patch"]),
                "guide": cfg["data"].get("guide"),
                "step": step,
                "metrics": dict(metrics),
                "seisfill_train_config": cfg,
            },
            out / name,
        )

    history: list[dict[str, Any]] = []
    model.train()
    step = start_step
    t0 = time.perf_counter()
    t_last, seen = t0, 0
    acc: dict[str, torch.Tensor] = {}
    n_acc = 0
    last_val: dict[str, Any] = {}
    pbar = None
    if is_main and tcfg.get("progress", True) and steps > start_step:
        try:
            from tqdm import tqdm

            pbar = tqdm(total=steps, initial=start_step, desc="train", unit="step", dynamic_ncols=True)
        except ImportError:
            pbar = None
    log_every = max(1, int(tcfg.get("log_every", 10)))
    ckpt_every = int(tcfg.get("ckpt_every", 0))
    grad_clip = float(tcfg.get("grad_clip", 0) or 0)
    budget = float(tcfg.get("time_budget_s", 0) or 0)
    # calibration: after 20 warm-up steps, time a window of about 8 % of the budget, then plan
    calib_from, calib_to = start_step + 20, -1
    t_calib = t0
    val_cost = 0.0
    if is_main and val_set is not None and tcfg.get("val_at_start") and start_step == 0:
        tv = time.perf_counter()
        first = validate(model, val_set, criterion, device, amp_dtype)
        val_cost = time.perf_counter() - tv
        row0 = {"step": 0, **first}
        assert log is not None
        log.write(row0)
        history.append(row0)
    if distributed:
        dist.barrier()
    data_iter = iter(loader) if steps > start_step else None
    t_first = t_last = time.perf_counter()
    try:
        while step < plan["steps"]:
            assert data_iter is not None
            b = next(data_iter)
            step += 1
            steps = plan["steps"]
            x = b["x"].to(device, non_blocking=True)
            mask = b["mask"].to(device, non_blocking=True)
            target = b["target"].to(device, non_blocking=True)
            valid = b["valid"].to(device, non_blocking=True)
            extra = (b["guide"].to(device, non_blocking=True),) if "guide" in b else ()
            if channels_last:
                x, mask = (t.contiguous(memory_format=torch.channels_last) for t in (x, mask))
                extra = tuple(t.contiguous(memory_format=torch.channels_last) for t in extra)
            with _raw_output(model, raw_output), torch.autocast(
                device.type, dtype=amp_dtype or torch.float32, enabled=amp_dtype is not None
            ):
                pred = run_model(x, mask, *extra)
            loss, parts = criterion(pred.float(), target, mask, valid)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if grad_clip > 0:
                gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
            else:
                gnorm = torch.sqrt(sum((p.grad.detach().float() ** 2).sum() for p in model.parameters() if p.grad is not None))
            opt.step()
            sched.step()
            seen += x.shape[0] * world
            for k, v in {"loss": loss.detach(), "grad_norm": gnorm.detach(), **{f"loss_{n}": t for n, t in parts.items()}}.items():
                acc[k] = acc.get(k, 0.0) + v.float()
            n_acc += 1

            row: dict[str, Any] = {}
            if step % log_every == 0 or step == steps:
                vals = torch.stack([acc[k] for k in sorted(acc)]) / n_acc
                if distributed:
                    dist.all_reduce(vals)
                    vals /= world
                now = time.perf_counter()
                row = {k: float(v) for k, v in zip(sorted(acc), vals.tolist(), strict=True)}
                row.update(
                    step=step,
                    lr=float(sched.get_last_lr()[0]),
                    samples_per_s=seen / max(now - t_last, 1e-9),
                    elapsed_s=now - t0,
                )
                acc, n_acc, t_last, seen = {}, 0, now, 0
            if val_every > 0 and (step % val_every == 0 or step == steps):
                if is_main and val_set is not None:
                    last_val = validate(model, val_set, criterion, device, amp_dtype)
                    row.update(last_val)
                    row.setdefault("step", step)
                    score = last_val.get("val_snr", float("-inf"))
                    if not best or score > best.get("val_snr", float("-inf")):
                        best = {"step": step, **last_val}
                        save_weights("model.pt", step, last_val)
                if distributed:
                    dist.barrier()
            if row and is_main:
                assert log is not None
                log.write(row)
                history.append(row)
                if tb is not None:
                    for k, v in row.items():
                        if k != "step" and v is not None:
                            tb.add_scalar(k, v, step)
                if pbar is not None:
                    post = {"loss": f"{row.get('loss', float('nan')):.4f}"} if "loss" in row else {}
                    if "val_snr" in row:
                        post.update(snr=f"{row['val_snr']:.2f}", lin=f"{row['val_snr_linear']:.2f}")
                    pbar.set_postfix(post, refresh=False)
            if pbar is not None:
                pbar.update(1)
            if budget > 0 and not plan["calibrated"]:
                if step == calib_from:
                    if device.type == "cuda":
                        torch.cuda.synchronize(device)
                    t_calib = time.perf_counter()
                    rough = (t_calib - t_first) / max(1, step - start_step)
                    window = torch.tensor([int(min(2000, max(20, 0.08 * budget / max(rough, 1e-6))))])
                    if distributed:
                        window = window.to(device)
                        dist.broadcast(window, 0)
                    calib_to = step + int(window.item())
                elif step == calib_to:
                    n_val_batches = len(val_set) / local_batch if val_set is not None else 0.0
                    _plan_steps(
                        plan, step, calib_to - calib_from, t_calib, t_begin, budget,
                        val_every, val_cost, n_val_batches, tcfg, distributed, device,
                    )
                    if is_main:
                        cfg["train"] = {**cfg["train"], "steps": plan["steps"]}
                        resolved["time_budget"] = {"planned_steps": plan["steps"], "budget_s": budget}
                        dump_config({**cfg, "resolved": resolved}, out / "config.yaml")
                        if pbar is not None:
                            pbar.total = plan["steps"]
                            pbar.refresh()
            for cb in callbacks:
                if is_main:
                    cb(step, row)
            if ckpt_every > 0 and step % ckpt_every == 0 and step != plan["steps"]:
                save_checkpoint(step)
            if stop_after is not None and step >= stop_after and step < plan["steps"]:
                save_checkpoint(step)
                break
        if step >= plan["steps"]:
            save_checkpoint(step)
            if is_main:
                final = dict(last_val)
                save_weights("model_last.pt", step, final)
                if not (out / "model.pt").exists():
                    save_weights("model.pt", step, final)
    finally:
        if pbar is not None:
            pbar.close()
        if tb is not None:
            tb.close()
    if distributed:
        hashes = out / "rank_hashes"
        if is_main:
            hashes.mkdir(parents=True, exist_ok=True)
        dist.barrier()
        (hashes / f"rank{rank}.txt").write_text(state_hash(model) + "\n")
        dist.barrier()
    return TrainResult(out_dir=out, step=step, history=history, best=best, config=cfg)


def _plan_steps(
    plan: dict[str, Any],
    step: int,
    n: int,
    t_calib: float,
    t_begin: float,
    budget: float,
    val_every: int,
    val_cost: float,
    val_batches: float,
    tcfg: Mapping[str, Any],
    distributed: bool,
    device: torch.device,
) -> None:
    """Fix the run length from the measured step rate so that it ends within ``budget`` seconds.

    The last ``n`` steps took ``now - t_calib``; the rest of the budget is
    shared by steps at that rate and the validations they bring (one per
    ``val_every`` steps, each costing ``val_cost``, at most half a training
    step per ``val_batches`` training batches' worth of validation patches);
    never beyond ``train.steps``.  All ranks agree (rank 0's plan is broadcast).
    """
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    now = time.perf_counter()
    per_step = (now - t_calib) / max(1, n)
    left = budget - (now - t_begin) - 5.0
    # the first validation also paid for warm-up (cuDNN autotuning): bound its cost by the
    # forward passes it needs, about a third of a training step per training batch of patches
    val_cost = min(val_cost, 0.5 * per_step * val_batches + 0.5)
    planned_left = left / max(per_step, 1e-6)
    if val_every > 0:  # steps s and the s / val_every validations share the time left
        planned_left = left / (max(per_step, 1e-6) + val_cost / val_every)
    planned = step + max(1, int(planned_left))
    planned = int(min(int(tcfg["steps"]), max(step + 1, planned)))
    if distributed:
        t = torch.tensor([planned], dtype=torch.long, device=device if device.type == "cuda" else "cpu")
        dist.broadcast(t, 0)
        planned = int(t.item())
    plan.update(steps=planned, calibrated=True)


def model_config_(model: nn.Module) -> dict[str, Any]:
    from seisfill.nn.registry import model_config

    return model_config(_unwrap(model))


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="seisfill train",
        description="Train a trace-filling network (see seisfill.train).",
    )
    p.add_argument("--config", help="experiment YAML (path, or a name in configs/, e.g. tiny)")
    p.add_argument("--resume", action="store_true", help="continue from <out>/checkpoint.pt")
    p.add_argument("--out", help="run folder (default: out_dir of the config, else runs/<name>)")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help="override config keys, e.g. --set train.steps=100 model.width=16",
    )
    p.add_argument("--stop-after", type=int, default=None, help="stop (with a checkpoint) after this step")
    p.add_argument("--print-config", action="store_true", help="print the resolved config and exit")
    p.add_argument(
        "--pack",
        metavar="OUT.npz",
        help="instead of training, write an npz pack of patches (seisfill.train.data.pack_npz)",
    )
    p.add_argument("--n-train", type=int, default=1500, help="training patches in the pack")
    p.add_argument("--n-val", type=int, default=None, help="validation patches in the pack (default data.val.n_patches)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """``seisfill train --config PATH [--resume] [--out DIR] [--set key=value ...]``."""
    args = _parser().parse_args(list(argv) if argv is not None else None)
    overrides = [o for group in args.overrides for o in group]
    try:
        if args.resume:
            if args.config is not None:
                cfg0 = load_config(args.config, overrides)
                out = Path(args.out or cfg0.get("out_dir") or Path("runs") / cfg0["name"])
            elif args.out:
                out = Path(args.out)
            else:
                raise SeisfillError("--resume needs --out or --config")
            ckpt = out / "checkpoint.pt"
            if not ckpt.exists():
                raise SeisfillError(f"--resume: no checkpoint at {ckpt}")
            saved = torch.load(ckpt, map_location="cpu", weights_only=False)["config"]
            cfg = load_config(None, overrides, base=saved)
        else:
            cfg = load_config(args.config, overrides)
            out = Path(args.out or cfg.get("out_dir") or Path("runs") / cfg["name"])
        if args.print_config:
            sys.stdout.write(dump_config(cfg))
            return 0
        if args.pack:
            from seisfill.train.data import pack_npz

            n_val = int(cfg["data"]["val"]["n_patches"]) if args.n_val is None else args.n_val
            path = pack_npz(cfg, args.pack, args.n_train, n_val)
            print(f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB: {args.n_train} train, {n_val} val patches)")
            return 0
        result = train(cfg, out, resume=args.resume, stop_after=args.stop_after)
    except SeisfillError as exc:
        sys.stderr.write(f"seisfill train: error: {exc}\n")
        return 2
    finally:
        if dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()
    if int(os.environ.get("RANK", "0")) == 0:
        best = result.best
        msg = f"run folder: {result.out_dir} (step {result.step})"
        if best:
            msg += (
                f"; best validation missing-trace SNR {best.get('val_snr', float('nan')):.2f} dB at step "
                f"{best.get('step')} (linear {best.get('val_snr_linear', float('nan')):.2f} dB)"
            )
        print(msg)
    return 0
