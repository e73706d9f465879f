#!/usr/bin/env python
"""Accelerator throughput of the default model and of POCS, against the CPU and the FLOP limit.

Usage::

    python benchmarks/gpu_throughput.py                    # CUDA when present (bf16), and the CPU
    python benchmarks/gpu_throughput.py --devices cpu --quick   # small sizes: the smoke test
    python benchmarks/gpu_throughput.py --json out.json    # also the figures as JSON

For every device (``cuda`` when torch sees one, then ``cpu``), on synthetic shot
gathers of 240 traces x 1000 samples with half the traces missing (``random50``):

* ``matmul``: the FLOP rate a large square matrix product reaches on the device
  (bf16 on CUDA, fp32 on the CPU): the limit the network rows are measured
  against, beside the card's datasheet dense bf16 figure where it is known.
* ``forward``: the default 2-D model (``model(x, mask)``, no grad, bf16 autocast on
  CUDA) on windows of its card's size, per batch size: windows/s, achieved TFLOP/s
  (convolutions only, :func:`seisfill.nn.registry.flops_per_sample`), and the
  ratio to ``matmul``.
* ``fill unet``: :func:`seisfill.fill_array` with ``method="unet"`` -- windows,
  normalisation, blending and host <-> device copies included -- per batch size:
  filled traces/s.
* ``fill pocs``: :func:`seisfill.classical.pocs.pocs_fk` with ``backend="numpy"`` on
  the CPU, ``backend="torch"`` on CUDA: filled traces/s.

Prints a markdown table; each figure is the best of ``--repeat`` timed calls after
one warm-up call.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

#: dense bf16 tensor-core TFLOP/s from the vendors' datasheets (no sparsity)
DATASHEET_BF16_TFLOPS = {"H100 80GB HBM3": 989.4, "H100 PCIe": 756.0, "H200": 989.4, "A100": 312.0}


def fmt(value: float | None, spec: str) -> str:
    """``spec.format(value)``, or an empty cell for None."""
    return "" if value is None else spec.format(value)


def _sync(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()


def best_seconds(fn, repeat: int, device: str) -> float:
    """Best wall time of ``repeat`` calls of ``fn`` after one warm-up call."""
    fn()
    _sync(device)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        _sync(device)
        best = min(best, time.perf_counter() - t0)
    return best


def matmul_tflops(device: str, n: int, repeat: int) -> float:
    """TFLOP/s of an ``n x n`` matrix product (bf16 on CUDA, fp32 on the CPU)."""
    import torch

    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    g = torch.Generator().manual_seed(0)
    a = torch.randn(n, n, generator=g).to(device=device, dtype=dtype)
    b = torch.randn(n, n, generator=g).to(device=device, dtype=dtype)
    seconds = best_seconds(lambda: a @ b, repeat, device)
    return 2 * n**3 / seconds / 1e12


def datasheet_tflops(device: str) -> float | None:
    """The card's dense bf16 datasheet figure, when known (None on the CPU or an unknown card)."""
    if not device.startswith("cuda"):
        return None
    import torch

    name = torch.cuda.get_device_name()
    return next((v for k, v in DATASHEET_BF16_TFLOPS.items() if k in name), None)


def forward_rate(loaded, device: str, batch: int, repeat: int) -> tuple[float, float]:
    """(windows/s, TFLOP/s) of the model's forward pass on ``batch`` windows of its card's size."""
    import torch

    from seisfill.nn.registry import flops_per_sample

    model = loaded.model.to(device).eval()
    t, x = loaded.window
    g = torch.Generator().manual_seed(0)
    data = torch.randn(batch, 1, t, x, generator=g)
    mask = (torch.rand(batch, 1, 1, x, generator=g) > 0.5).float().expand_as(data).contiguous()
    data, mask = (data * mask).to(device), mask.to(device)
    amp = device.startswith("cuda")

    @torch.no_grad()
    def run() -> None:
        with torch.autocast(device.split(":")[0], dtype=torch.bfloat16, enabled=amp):
            model(data, mask)

    seconds = best_seconds(run, repeat, device)
    flops = flops_per_sample(model, (1, t, x))
    return batch / seconds, batch * flops / seconds / 1e12


def main(argv: list[str] | None = None) -> int:
    import torch

    from seisfill.classical.pocs import pocs_fk
    from seisfill.core import fill_array
    from seisfill.masks import decimate
    from seisfill.models import DEFAULT_2D, load_model
    from seisfill.synthetic import random_gather

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--devices", default=None, help="comma-separated (default: cuda when present, then cpu)")
    p.add_argument("--batches", default=None, help="forward/fill batch sizes (default 256,1024,4096 on CUDA; 16,64 on the CPU)")
    p.add_argument("--gathers", type=int, default=None, help="gathers of 240 x 1000 (default 128 on CUDA, 4 on the CPU)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="tiny sizes (the smoke test)")
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args(argv)
    devices = args.devices.split(",") if args.devices else (["cuda"] if torch.cuda.is_available() else []) + ["cpu"]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__} "
          f"({torch.get_num_threads()} threads)"
          + (f", {torch.cuda.get_device_name()}" if torch.cuda.is_available() else "") + "\n")
    print("| device | row | batch | rate | unit | TFLOP/s | of matmul | of datasheet |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []

    def emit(device: str, row: str, batch: int | str, rate: float | None, unit: str, tflops: float | None = None,
             limit: float | None = None, sheet: float | None = None) -> None:
        rows.append({"device": device, "row": row, "batch": batch, "rate": rate, "unit": unit, "tflops": tflops,
                     "of_matmul": tflops / limit if tflops and limit else None,
                     "of_datasheet": tflops / sheet if tflops and sheet else None})
        r = rows[-1]
        print(f"| {device} | {row} | {batch} | {fmt(rate, '{:,.0f}')} | {unit} | {fmt(tflops, '{:.3g}')} | "
              f"{fmt(r['of_matmul'], '{:.1%}')} | {fmt(r['of_datasheet'], '{:.1%}')} |", flush=True)

    for device in devices:
        cuda = device.startswith("cuda")
        batches = [int(b) for b in (args.batches or ("256,1024,4096" if cuda else "16,64")).split(",")]
        n_gathers = args.gathers or (128 if cuda else 4)
        repeat = args.repeat
        if args.quick:
            batches, n_gathers, repeat = [4], 1, 1
        data = np.stack([random_gather(s, n_traces=240, nt=1000 if not args.quick else 300, dt=0.004).data
                         for s in range(n_gathers)])
        live = np.stack([decimate(data.shape[1], "random50", seed=s) for s in range(n_gathers)])
        n_filled = int((~live).sum())
        sheet = datasheet_tflops(device)
        limit = matmul_tflops(device, 256 if args.quick else (8192 if cuda else 2048), repeat)
        emit(device, "matmul " + ("bf16" if cuda else "fp32"), "-", None, "", limit, limit, sheet)
        loaded = load_model(DEFAULT_2D, device=device)
        for batch in batches:
            windows, tflops = forward_rate(loaded, device, batch, repeat)
            emit(device, f"forward {DEFAULT_2D} " + ("bf16" if cuda else "fp32"), batch, windows, "windows/s",
                 tflops, limit, sheet)
        for batch in batches:
            fill = partial(fill_array, data, live, "unet", model=loaded, device=device, batch_size=batch)
            seconds = best_seconds(fill, repeat, device)
            emit(device, f"fill unet {DEFAULT_2D}", batch, n_filled / seconds, "filled traces/s")
        backend = {"backend": "torch", "device": device} if cuda else {}
        pocs = partial(pocs_fk, np.where(live[..., None], data, 0), live, **backend)
        seconds = best_seconds(pocs, repeat, device)
        emit(device, "fill pocs " + ("torch" if cuda else "numpy"), "-", n_filled / seconds, "filled traces/s")
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
