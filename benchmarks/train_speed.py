"""Training and inference speed of the default 2-D model, as a markdown table.

    python benchmarks/train_speed.py                      # CPU, and CUDA (bf16) when present
    python benchmarks/train_speed.py --model configs/model/unet2d_gated.yaml --shape 256 64
    python benchmarks/train_speed.py --npz packs/gpu_2d.npz --workers 14   # also the data loader

Columns: training samples/s (forward + backward + AdamW step on random
patches with random trace masks), inference traces/s (``model(x, mask)``
under ``no_grad``), forward FLOPs per trace from
:func:`seisfill.nn.registry.flops_per_sample` (convolutions only), and the
achieved TFLOP/s (training counts 3x the forward FLOPs: forward, and the two
products of the backward pass).  On CUDA the model runs under bf16 autocast
(the training loop's default there), on CPU in float32.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from seisfill.nn.registry import count_parameters, flops_per_sample, make_model  # noqa: E402


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _batch(batch: int, shape: tuple[int, ...], device: torch.device, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, 1, *shape, generator=g)
    live = (torch.rand(batch, 1, 1, *shape[1:], generator=g) > 0.4).float()
    mask = live.expand_as(x).contiguous()
    return (x * mask).to(device), mask.to(device)


def bench_train(model_cfg: dict, shape: tuple[int, ...], batch: int, steps: int, device: torch.device, amp: bool) -> float:
    """Training samples/s."""
    torch.manual_seed(0)
    model = make_model(model_cfg).to(device).train()
    model.keep_live = False
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    x, mask = _batch(batch, shape, device)
    warm = 2 if device.type == "cpu" else 5

    def step() -> None:
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            y = model(x, mask)
        loss = (y.float() - x).abs().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(warm):
        step()
    _sync(device)
    t = time.perf_counter()
    for _ in range(steps):
        step()
    _sync(device)
    return batch * steps / (time.perf_counter() - t)


@torch.no_grad()
def bench_infer(model_cfg: dict, shape: tuple[int, ...], batch: int, steps: int, device: torch.device, amp: bool) -> float:
    """Inference samples/s."""
    torch.manual_seed(0)
    model = make_model(model_cfg).to(device).eval()
    x, mask = _batch(batch, shape, device)
    warm = 1 if device.type == "cpu" else 5
    for _ in range(warm):
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            model(x, mask)
    _sync(device)
    t = time.perf_counter()
    for _ in range(steps):
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            model(x, mask)
    _sync(device)
    return batch * steps / (time.perf_counter() - t)


def bench_loader(npz: str, workers: int, batch: int, n_batches: int) -> float:
    """Samples/s of the npz training loader (crops, augmentation, masks, normalisation)."""
    from torch.utils.data import DataLoader, RandomSampler

    from seisfill.train.config import load_config
    from seisfill.train.data import PatchDataset
    from seisfill.train.loop import _collate

    cfg = load_config(REPO / "configs" / "gpu_2d.yaml", [f"data.npz={npz}"])
    ds = PatchDataset(cfg, "train")
    sampler = RandomSampler(ds, replacement=True, num_samples=batch * (n_batches + 2))
    loader = DataLoader(ds, batch_size=batch, sampler=sampler, num_workers=workers, collate_fn=_collate)
    it = iter(loader)
    next(it)
    t = time.perf_counter()
    for _ in range(n_batches):
        next(it)
    return batch * n_batches / (time.perf_counter() - t)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=str(REPO / "configs" / "model" / "unet2d_partial.yaml"),
                   help="model config YAML (a configs/model file)")
    p.add_argument("--shape", type=int, nargs="+", default=[256, 64], help="patch shape, time first")
    p.add_argument("--devices", nargs="+", default=None, help="cpu and/or cuda (default: cpu, plus cuda if present)")
    p.add_argument("--cpu-batch", type=int, default=4)
    p.add_argument("--gpu-batch", type=int, default=256)
    p.add_argument("--steps", type=int, default=None, help="timed steps (default 3 on CPU, 20 on GPU)")
    p.add_argument("--npz", default=None, help="also time the npz training loader")
    p.add_argument("--workers", type=int, default=0, help="loader workers for --npz")
    args = p.parse_args(argv)

    model_cfg = yaml.safe_load(Path(args.model).read_text())
    shape = tuple(args.shape)
    devices = args.devices or (["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"])
    probe = make_model(model_cfg)
    fwd = flops_per_sample(probe, shape)
    n_traces = 1
    for s in shape[1:]:
        n_traces *= s
    per_trace = fwd / n_traces
    print(f"model: {Path(args.model).name} {dict(model_cfg)}")
    print(f"parameters: {count_parameters(probe):,}; patch {list(shape)}; forward {fwd / 1e9:.2f} GFLOP/patch, "
          f"{per_trace / 1e6:.2f} MFLOP/trace of {shape[0]} samples")
    if torch.cuda.is_available():
        print(f"GPU: {torch.cuda.get_device_name()}")
    print(f"CPU threads: {torch.get_num_threads()}\n")
    rows = []
    for name in devices:
        device = torch.device(name)
        amp = device.type == "cuda"
        batch = args.gpu_batch if amp else args.cpu_batch
        steps = args.steps or (20 if amp else 3)
        train_sps = bench_train(model_cfg, shape, batch, steps, device, amp)
        infer_sps = bench_infer(model_cfg, shape, batch, steps, device, amp)
        rows.append(
            (name, "bf16" if amp else "fp32", batch, train_sps, 3 * fwd * train_sps / 1e12,
             infer_sps * n_traces, fwd * infer_sps / 1e12)
        )
    print("| device | precision | batch | train samples/s | train TFLOP/s | inference traces/s | inference TFLOP/s | GFLOP/trace (fwd) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, prec, batch, tsps, ttf, itps, itf in rows:
        print(f"| {name} | {prec} | {batch} | {tsps:,.1f} | {ttf:.3f} | {itps:,.0f} | {itf:.3f} | {per_trace / 1e9:.4f} |")
    if args.npz:
        sps = bench_loader(args.npz, args.workers, args.gpu_batch if torch.cuda.is_available() else 32, 10)
        print(f"\nnpz loader ({args.workers} workers): {sps:,.0f} samples/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
