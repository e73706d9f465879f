"""Timing of f-k POCS against the bare FFTs it cannot avoid (a yardstick, not a library feature).

:func:`pocs_fk_benchmark` runs :func:`seisfill.classical.pocs.pocs_fk` and
then the bare FFTs of the same batches (:func:`time_bare_fft`, or
:func:`time_bare_fft_torch` for the torch backend); the ratio of the two is
the overhead of everything else.  ``compare.py`` reports it; from another
script or a test, put ``benchmarks/`` on ``sys.path`` first::

    from pocs_timing import pocs_fk_benchmark
    pocs_fk_benchmark(data, live)["ratio"]  # POCS wall time / its bare FFTs' wall time
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import scipy.fft as sfft

from seisfill.classical.pocs import _run  # returns what it transformed, for the yardstick

__all__ = ["pocs_fk_benchmark", "time_bare_fft", "time_bare_fft_torch"]


def pocs_fk_benchmark(
    data: np.ndarray, live: np.ndarray, *, repeat: int = 3, **options: Any
) -> dict[str, Any]:
    """Time :func:`seisfill.classical.pocs.pocs_fk` against the bare FFTs it cannot avoid.

    The yardstick is ``iterations x (rfftn + irfftn)`` of float32 batches of
    the shapes POCS transformed (those of the short cross-validation runs of
    ``window="auto"`` included), run the same way (the same chunks, threads
    and FFT ``workers`` with ``scipy.fft``; chunk after chunk with
    ``torch.fft`` on the same device for ``backend="torch"``), so the ratio
    is the overhead of everything else: window selection, cutting and
    blending, thresholds, masks, momentum, data re-insertion.

    Parameters
    ----------
    data, live : numpy.ndarray
        As for :func:`seisfill.classical.pocs.pocs_fk`.
    repeat : int
        Best of ``repeat`` timings of each.
    **options
        Passed to :func:`seisfill.classical.pocs.pocs_fk` (``tol=0`` is
        added unless given, so that both sides run the same number of
        iterations).

    Returns
    -------
    dict
        ``pocs_s``, ``fft_s`` (best wall-clock seconds of each, runs
        interleaved), ``ratio`` (``pocs_s / fft_s``), ``cpu_ratio`` (the same
        with process CPU time, steadier on a shared machine; NaN for torch),
        ``iterations``, ``n_windows``, ``window``, ``fft_shape``,
        ``threads`` (chunks run in parallel).
    """
    options.setdefault("tol", 0.0)
    torch_backend = options.get("backend", "numpy") == "torch"
    wall = cpu = fft_wall = fft_cpu = math.inf
    for _ in range(max(1, int(repeat))):  # interleaved, best of each
        start, start_cpu = time.perf_counter(), time.process_time()
        _, info = _run(data, live, **options)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
        shapes = info.chunk_shapes + info.cv_chunk_shapes  # window="auto" runs included
        iters = info.iterations + info.cv_iterations
        if torch_backend:
            fft_wall = min(
                fft_wall,
                sum(
                    time_bare_fft_torch(shape, info.axes, it, options.get("device"), 1)
                    for shape, it in zip(shapes, iters, strict=True)
                ),
            )
        elif shapes:
            w, c = time_bare_fft(shapes, info.axes, iters, info.threads, info.fft_workers, 1)
            fft_wall, fft_cpu = min(fft_wall, w), min(fft_cpu, c)
    return {
        "pocs_s": wall,
        "fft_s": fft_wall,
        "ratio": wall / fft_wall if 0 < fft_wall < math.inf else math.nan,
        "cpu_ratio": cpu / fft_cpu if 0 < fft_cpu < math.inf else math.nan,
        "iterations": max(info.iterations, default=0),
        "n_windows": info.n_windows,
        "window": info.window,
        "fft_shape": info.fft_shape,
        "threads": info.threads,
    }


def time_bare_fft(
    shapes: list[tuple[int, ...]],
    axes: tuple[int, ...],
    n_iters: list[int],
    threads: int,
    workers: int,
    repeat: int = 3,
) -> tuple[float, float]:
    """Seconds for the bare FFTs of a POCS run: ``n_iter`` x (rfftn + irfftn) per chunk.

    Parameters
    ----------
    shapes : list of tuple of int
        Chunk shapes, e.g. ``(n_win, 1, P_x, P_t)``.
    axes : tuple of int
        Transformed axes, time last.
    n_iters : list of int
        Iterations of each chunk.
    threads, workers : int
        Chunks run ``threads`` at a time, each FFT with ``workers`` threads
        (as :func:`seisfill.classical.pocs.pocs_fk` runs them).
    repeat : int
        Best of ``repeat``.

    Returns
    -------
    wall, cpu : float
        Best wall-clock and best process CPU time (all threads), s.
    """
    rng = np.random.default_rng(0)
    data = [rng.standard_normal(shape).astype(np.float32) for shape in shapes]

    def run(i: int) -> None:
        y = data[i]
        s = tuple(y.shape[a] for a in axes)
        for _ in range(n_iters[i]):
            y = sfft.irfftn(
                sfft.rfftn(y, axes=axes, workers=workers), s=s, axes=axes, workers=workers
            )

    best, best_cpu = math.inf, math.inf
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        if threads > 1:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(run, range(len(data))))
        else:
            for i in range(len(data)):
                run(i)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    return best, best_cpu


def time_bare_fft_torch(
    shape: tuple[int, ...], axes: tuple[int, ...], n_iter: int, device: str | None, repeat: int = 3
) -> float:  # wall seconds
    """:func:`time_bare_fft` with ``torch.fft`` on ``device`` (synchronised)."""
    import torch

    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    s = tuple(shape[a] for a in axes)
    best = math.inf
    with torch.inference_mode():
        x = torch.randn(shape, device=dev)
        for _ in range(repeat + 1):  # the first run warms up the FFT plans
            sync()
            start = time.perf_counter()
            y = x
            for _ in range(n_iter):
                y = torch.fft.irfftn(torch.fft.rfftn(y, dim=axes), s=s, dim=axes)
            sync()
            best = min(best, time.perf_counter() - start)
    return best
