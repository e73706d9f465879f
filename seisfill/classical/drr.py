"""Damped rank reduction (damped MSSA) interpolation, 2-D and 3-D.

In the frequency-space domain a window of ``N`` plane waves is, at every
frequency, a sum of ``N`` complex exponentials along the traces, and the
Hankel matrix of such a slice has rank ``N`` (in 3-D the block Hankel matrix
of a crossline x inline slice: Hankel blocks along the crosslines, arranged
in a Hankel pattern along the inlines).  Missing traces and noise raise the
rank; reducing it back fills the gaps (Oropeza and Sacchi, 2011)::

    x_{k+1} = a_k d_obs + (1 - a_k M) * R(x_k),      x_0 = d_obs,

with ``M`` the sampling mask, ``a_k`` falling linearly from 1 to ``alpha``
over the iterations, and ``R`` the rank reduction of every frequency slice:
(block) Hankel embedding, truncated SVD, anti-diagonal averaging.  Plain
truncation (MSSA) keeps part of the noise that lies in the signal subspace;
the damped truncation of Huang et al. (2016) and Chen et al. (2016) shrinks
the kept singular values with the first discarded one::

    s_i  ->  s_i (1 - (s_{N+1} / s_i)^K),     i = 1 .. N,

so ``K -> inf`` is plain truncation and small ``K`` damps more.  The data
are cut into overlapping windows in time and space where events are nearly
linear; each window is reconstructed on its own and the windows are blended
with sine-squared weights that sum to one (:mod:`seisfill.windows`).

References
----------
Oropeza, V., and M. Sacchi, 2011, Simultaneous seismic data denoising and
reconstruction via multichannel singular spectrum analysis: Geophysics,
76(3), V25-V32.

Huang, W., R. Wang, Y. Chen, H. Li, and S. Gan, 2016, Damped multichannel
singular spectrum analysis for 3D random noise attenuation: Geophysics,
81(4), V261-V270.

Chen, Y., W. Huang, D. Zhang, and W. Chen, 2016, An open-source Matlab code
package for improved rank-reduction 3D seismic data denoising and
reconstruction: Computers & Geosciences, 95, 59-66.

Halko, N., P. G. Martinsson, and J. A. Tropp, 2011, Finding structure with
randomness: SIAM Review, 53(2), 217-288 (the randomized SVD).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.fft as sfft

from seisfill import windows
from seisfill.classical import _drr
from seisfill.classical._checks import _as_live, _band_bins, _is_int, _is_real, _layout, _workers
from seisfill.errors import SeisfillError

__all__ = ["drr_fill", "DEFAULT_WINDOWS"]

#: the window of ``window=None`` per ``ndim``: ``(time samples, traces)`` in 2-D,
#: ``(time samples, crosslines, inlines)`` in 3-D (lengths larger than the data are
#: clipped to it; chosen by the sweep in benchmarks/drr_vs_pydrr.py)
DEFAULT_WINDOWS = {2: (128, 40), 3: (128, 24, 12)}
#: FFT length of a time window: the next fast length of this many times the window
_PAD = 1.5
#: grid samples x range-finder columns per batch of frequency slices (the working arrays
#: of a batch take a few times this many complex64 numbers)
_CHUNK_SAMPLES = 1 << 19


@dataclass(frozen=True)
class _Axis:
    """Windows along one axis: starts and sin^2 blending weights that sum to one."""

    starts: np.ndarray  # (m,)
    weights: np.ndarray  # (m, length) float32
    length: int


def _axis(n: int, length: int, overlap: float) -> _Axis:
    """Windows of ``length`` spread over ``n`` samples, sharing ``overlap`` of a window."""
    length = min(length, n)
    shared = min(int(round(overlap * length)), length - 1)
    starts = windows.window_starts(n, length, shared, "spread")
    weights = windows.blend_weights(starts, length)
    windows.normalize_weights(weights, [(slice(s, s + length),) for s in starts], (n,))
    return _Axis(starts, weights.astype(np.float32), length)


def _check(
    rank: Any, damping: Any, n_iter: Any, window: Any, overlap: Any, alpha: Any, ndim: Any,
    workers: Any,
) -> tuple[int, ...]:  # fmt: skip
    """Check the options; return the window ``(L_t, L_x, L_y)`` (0: the whole axis)."""
    if not _is_int(rank) or rank < 1:
        raise SeisfillError(f"rank must be a positive integer, got {rank!r}")
    if isinstance(damping, bool) or not isinstance(damping, int | float) or not damping > 0:
        raise SeisfillError(f"damping must be a number > 0 (inf: no damping), got {damping!r}")
    if not _is_int(n_iter) or n_iter < 1:
        raise SeisfillError(f"n_iter must be a positive integer, got {n_iter!r}")
    if not (_is_real(overlap) and 0 <= overlap <= 0.5):
        raise SeisfillError(f"overlap must be a fraction in [0, 0.5], got {overlap!r}")
    if not (_is_real(alpha) and 0 <= alpha <= 1):
        raise SeisfillError(f"alpha must be in [0, 1], got {alpha!r}")
    if ndim not in (2, 3) or isinstance(ndim, bool):
        raise SeisfillError(f"ndim must be 2 or 3, got {ndim!r}")
    if workers is not None and (not _is_int(workers) or workers == 0):
        raise SeisfillError(f"workers must be a non-zero integer, got {workers!r}")
    if window is None:
        window = DEFAULT_WINDOWS[ndim]
    want = "(nt_win, nx_win)" if ndim == 2 else "(nt_win, nx_win[, ny_win])"
    if isinstance(window, str) or not isinstance(window, Sequence) or not 2 <= len(window) <= ndim:
        raise SeisfillError(f"window must be {want} or None (the default), got {window!r}")
    if any(w is not None and (not _is_int(w) or w < 1) for w in window):
        raise SeisfillError(f"window lengths must be positive integers or None, got {window!r}")
    return tuple(0 if w is None else int(w) for w in window) + (0,) * (3 - len(window))


def drr_fill(
    data: np.ndarray,
    live: np.ndarray,
    *,
    rank: int = 3,
    damping: float = 2.0,
    n_iter: int = 20,
    window: Sequence[int | None] | None = None,
    overlap: float = 0.5,
    band: tuple[float, float] | None = None,
    alpha: float = 1.0,
    ndim: Literal[2, 3] = 2,
    workers: int | None = None,
) -> np.ndarray:
    """Fill missing traces by damped rank reduction (damped MSSA), 2-D or 3-D.

    Parameters
    ----------
    data : numpy.ndarray, shape (..., n_trace, n_time)
        Gathers (2-D), or with ``ndim=3`` cubes ``(..., n_inline,
        n_crossline, n_time)``; further leading axes are a batch.  Samples of
        non-live traces are ignored.
    live : numpy.ndarray of bool, shape ``data.shape[:-1]``
        True for recorded traces.
    rank : int, default 3
        Singular values kept per frequency slice (about the number of
        distinct dips in a window); clipped to the Hankel matrix size.
    damping : float, default 2
        The damping exponent ``K`` (> 0); ``inf`` is plain truncation (MSSA).
    n_iter : int, default 20
        Reconstruction iterations.
    window : tuple, optional
        ``(nt_win, nx_win)``, in 3-D ``(nt_win, nx_win[, ny_win])`` (time
        samples, crosslines, inlines); an entry None, missing or larger than
        the data is the whole axis (``(None, None)``: one window per gather).
        Default :data:`DEFAULT_WINDOWS`: ``(128, 40)`` in 2-D, ``(128, 24,
        12)`` in 3-D.
    overlap : float, default 0.5
        Fraction of a window shared with its neighbour (``0 .. 0.5``); the
        windows are blended with sin^2 weights that sum to one.
    band : (float, float), optional
        Frequencies reconstructed, fractions of Nyquist; the filled traces get
        nothing outside.  Default all.
    alpha : float, default 1
        Last re-insertion weight ``a_k`` (``0 .. 1``): the weights fall
        linearly from 1 to ``alpha``; below 1 the recorded traces are
        denoised as well while the gaps fill (the returned live traces are
        the input's whatever ``alpha``).
    ndim : {2, 3}
        2: each ``(n_trace, n_time)`` gather on its own (Hankel matrices).
        3: axis -3 is the inline axis (block Hankel matrices).
    workers : int, optional
        Threads (batches of windows run side by side); default all CPUs of
        the process, negative as in scipy.fft.

    Returns
    -------
    numpy.ndarray, shape of ``data``
        float32 (float64 for float64 input, computed in single precision);
        live traces bit-identical to ``data``, the others filled.

    Raises
    ------
    SeisfillError
        Bad options, mismatched shapes, non-finite live samples, or a gather
        (cube) without a live trace.

    Notes
    -----
    Each window is reconstructed at every frequency of its real FFT (1.5 x
    the time window, zero padded) in the band, in complex64.  The truncated
    SVD is randomized (Halko et al., 2011): ``k = rank + 3`` random
    directions and two subspace iterations at the first iteration, then one
    step from the previous iterate's right singular subspace -- the iterates
    change little from one iteration to the next, and the result equals the
    exact SVD's to about 1e-5 (measured in ``tests/test_drr.py``).  Every
    product with a (block) Hankel matrix is an FFT correlation of the
    window's ``n_y x n_x`` grid (the matrices are never formed), so an
    iteration costs, per window and frequency, about ``4 k + 2 rank + 2``
    FFTs of the grid, one QR of an ``L x k`` and one eigen-decomposition of
    a ``k x k`` matrix (``L ~ n_x n_y / 4``, the Hankel rows).  No BLAS
    thread pool is involved: ``workers`` threads each take batches of
    windows, and the result does not depend on ``workers`` or on how
    gathers are batched (bit for bit).  Windows whose traces are all live,
    or that hold no live trace, are skipped (their estimate is not needed,
    or zero).  ``benchmarks/drr_vs_pydrr.py`` compares the result and the
    speed with pydrr (Chen et al.'s Python port).
    """
    lengths = _check(rank, damping, n_iter, window, overlap, alpha, ndim, workers)
    arr = np.asarray(data)
    lv = _as_live(live, arr.shape[:-1])
    out_dtype = np.float64 if arr.dtype == np.float64 else np.float32
    d4, live4, _ = _layout(arr, lv, ndim)
    n_b, n_y, n_x, n_t = d4.shape
    axes = [
        _axis(n, length or n, overlap)
        for n, length in zip((n_y, n_x, n_t), lengths[::-1], strict=True)
    ]
    nfft = sfft.next_fast_len(math.ceil(_PAD * axes[2].length), real=True)
    lo, hi = _band_bins(band, None, nfft)
    weights = np.linspace(1.0, float(alpha), int(n_iter))
    run = _Runner(d4, live4, axes, nfft, (lo, hi), weights, int(rank), float(damping))
    estimate = np.zeros(d4.shape, np.float32)
    todo = run.select()
    if todo.size:
        threads = _workers(workers)
        size = max(1, min(run.batch // (hi - lo), -(-len(todo) // threads)))
        chunks = [todo[a : a + size] for a in range(0, len(todo), size)]
        if threads == 1 or len(chunks) == 1:
            for c in chunks:
                run.blend(estimate, c, run(c))
        else:
            with ThreadPoolExecutor(threads) as pool:
                pending: deque[tuple[np.ndarray, Future]] = deque()
                for c in chunks:  # blended in order, at most 2 x threads batches in memory
                    pending.append((c, pool.submit(run, c)))
                    if len(pending) >= 2 * threads:
                        c0, fut = pending.popleft()
                        run.blend(estimate, c0, fut.result())
                while pending:
                    c0, fut = pending.popleft()
                    run.blend(estimate, c0, fut.result())
    est = estimate.reshape(arr.shape)
    return np.where(lv[..., None], arr, est.astype(out_dtype, copy=False)).astype(
        out_dtype, copy=False
    )


class _Runner:
    """Windows of a batch of gathers (cubes) through the reconstruction.

    Parameters
    ----------
    d4 : numpy.ndarray of float32, shape (B, n_y, n_x, n_t)
        Zero at non-live traces.
    live4 : numpy.ndarray of bool, shape (B, n_y, n_x)
    axes : [_Axis, _Axis, _Axis]
        Windows along y, x and t.
    """

    def __init__(
        self,
        d4: np.ndarray,
        live4: np.ndarray,
        axes: list[_Axis],
        nfft: int,
        bins: tuple[int, int],
        weights: np.ndarray,
        rank: int,
        damping: float,
    ) -> None:
        self.d4, self.live4, self.axes = d4, live4, axes
        self.nfft, self.bins, self.weights = nfft, bins, weights
        self.rank, self.damping = rank, damping
        self.hankel = _drr.hankel(axes[0].length, axes[1].length)
        k = rank + 1 + _drr.OVERSAMPLE
        #: frequency slices per call of the reconstruction
        self.batch = max(1, _CHUNK_SAMPLES // (axes[0].length * axes[1].length * k))

    def select(self) -> np.ndarray:
        """Rows ``(b, iy, ix, it)`` of the windows to reconstruct, shape (W, 4).

        A window is skipped when its traces are all live or none is, or when
        its samples are all zero.
        """
        ay, ax, at = self.axes
        energy = np.abs(self.d4).max(axis=(1, 2)) > 0  # (B, n_t)
        rows = []
        for iy, sy in enumerate(ay.starts.tolist()):
            for ix, sx in enumerate(ax.starts.tolist()):
                block = self.live4[:, sy : sy + ay.length, sx : sx + ax.length]
                need = (~block).any(axis=(1, 2)) & block.any(axis=(1, 2))
                for b in np.flatnonzero(need).tolist():
                    for it, st in enumerate(at.starts.tolist()):
                        if energy[b, st : st + at.length].any():
                            rows.append((b, iy, ix, it))
        return np.asarray(rows, dtype=np.intp).reshape(-1, 4)

    def _cut(self, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Data ``(W, L_y, L_x, L_t)`` and live masks ``(W, L_y, L_x)`` of windows ``sel``."""
        ay, ax, at = self.axes
        y = ay.starts[sel[:, 1], None] + np.arange(ay.length)
        x = ax.starts[sel[:, 2], None] + np.arange(ax.length)
        t = at.starts[sel[:, 3], None] + np.arange(at.length)
        b = sel[:, 0, None, None]
        mask = self.live4[b, y[:, :, None], x[:, None, :]]
        data = self.d4[b[..., None], y[:, :, None, None], x[:, None, :, None], t[:, None, None, :]]
        return data, mask

    def __call__(self, sel: np.ndarray) -> np.ndarray:
        """The reconstructed windows ``sel``, float32 (W, L_y, L_x, L_t), unweighted."""
        data, mask = self._cut(sel)
        w, l_y, l_x, l_t = data.shape
        lo, hi = self.bins
        spec = sfft.rfft(data, n=self.nfft, axis=-1, workers=1)[..., lo:hi]
        n_f = hi - lo
        obs = spec.reshape(w, l_y * l_x, n_f).transpose(0, 2, 1).astype(np.complex64)
        obs = obs.reshape(w * n_f, l_y * l_x)
        keep = np.repeat(mask.reshape(w, l_y * l_x), n_f, axis=0).astype(np.float32)
        for a in range(0, obs.shape[0], self.batch):
            obs[a : a + self.batch] = _drr.reconstruct(
                obs[a : a + self.batch], keep[a : a + self.batch], self.hankel, self.weights, self.rank,
                self.damping,
            )  # fmt: skip
        full = np.zeros((w, l_y * l_x, self.nfft // 2 + 1), np.complex64)
        full[:, :, lo:hi] = obs.reshape(w, n_f, l_y * l_x).transpose(0, 2, 1)
        back = sfft.irfft(full, n=self.nfft, axis=-1, workers=1)[..., :l_t]
        return back.reshape(w, l_y, l_x, l_t).astype(np.float32, copy=False)

    def blend(self, estimate: np.ndarray, sel: np.ndarray, est: np.ndarray) -> None:
        """Add the windows' estimates ``est`` times their blending weights (in place)."""
        ay, ax, at = self.axes
        for k, (b, iy, ix, it) in enumerate(sel.tolist()):
            sy, sx, st = ay.starts[iy], ax.starts[ix], at.starts[it]
            w = windows.outer(ay.weights[iy], ax.weights[ix], at.weights[it])
            region = (
                b,
                slice(sy, sy + ay.length),
                slice(sx, sx + ax.length),
                slice(st, st + at.length),
            )
            estimate[region] += w * est[k]
