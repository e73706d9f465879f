"""Private kernels of the f-k POCS interpolator (:mod:`seisfill.classical.pocs`).

Everything here works on a *batch of windows*: a float32 array of shape
``(n_win, P_y, P_x, P_t)`` (``P_y = 1`` for 2-D work) holding padded windows
cut from the gathers, with a boolean array of the same shape saying which
samples are observed.  The pieces are

* window partitions whose sine-squared tapers sum to exactly one
  (:func:`partition`, built from :mod:`seisfill.windows`),
* FFT sizes (:func:`fft_len`),
* threshold schedules (:func:`schedule`),
* the POCS / FISTA iteration itself, in numpy + scipy.fft
  (:func:`iterate_numpy`) and in torch (:func:`iterate_torch`, torch is only
  imported there).

Nothing here validates user input: :mod:`seisfill.classical.pocs` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.fft as sfft

from seisfill import windows

__all__: list[str] = []

#: relative change is measured every this many iterations (it costs a pass over the batch)
CHECK_EVERY = 5
#: cap on the FISTA extrapolation weight (t_{k-1} - 1) / t_k: with a hard threshold that
#: falls every iteration, full Nesterov momentum (-> 1) overshoots into noise; 0.5
#: keeps the speed-up (30 iterations match 100 plain ones) without the overshoot
BETA_MAX = 0.7
#: default FFT-batch size in float32 samples (windows are processed in chunks of about this)
CHUNK_SAMPLES = 1 << 21
#: the same for the torch backend (a GPU wants big batches)
CHUNK_SAMPLES_TORCH = 1 << 25
#: amplitude floor of the soft threshold (avoids 0 / 0)
_TINY = np.float32(1e-30)


# ---------------------------------------------------------------------------
# partitions, FFT sizes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AxisPartition:
    """Windows of one axis.

    Attributes
    ----------
    n : int
        Axis length in the data.
    length : int
        Window length ``L``.
    overlap : int
        Samples shared by neighbouring windows (taper length), ``<= L // 2``.
    starts : numpy.ndarray of int, shape (m,)
        Window starts ``i (L - overlap)`` (:func:`seisfill.windows.window_starts`).
    weights : numpy.ndarray of float32, shape (m, L)
        Blending weight of each sample of each window.
    extent : int
        ``starts[-1] + L`` (>= n): the last window may run past the data; the
        samples past ``n`` are unobserved and are cropped at the end.
    fft : int
        Padded (FFT) length of the window along this axis.
    """

    n: int
    length: int
    overlap: int
    starts: np.ndarray
    weights: np.ndarray
    extent: int
    fft: int

    @property
    def count(self) -> int:
        return int(self.starts.size)


def partition(
    n: int, length: int, overlap: int, fft: int, dtype: Any = np.float32
) -> AxisPartition:
    """Split an axis of ``n`` samples into equal windows blended by a partition of unity.

    Windows start every ``hop = length - overlap`` samples from 0; there are
    ``m = ceil((n - overlap) / hop)`` of them (1 when ``length >= n``), the
    last one possibly running past the data
    (:func:`seisfill.windows.window_starts`).  Inside an overlap the earlier
    window falls as ``1 - r`` and the later one rises as ``r``
    (:func:`seisfill.windows.ramp`), elsewhere a window weighs 1, so on
    every sample of the axis the weights of the windows covering it sum to
    exactly 1 (the two ramps are exact complements in ``dtype``, and
    ``r + (1 - r)`` rounds to 1).  The first window has no rising ramp and
    the last no falling one, so the record ends keep full weight.

    Parameters
    ----------
    n, length, overlap : int
        ``1 <= length``, ``0 <= overlap <= length // 2``; ``length`` is
        clipped to ``n``.
    fft : int
        Padded length of the windows (for the record).
    dtype : numpy dtype

    Returns
    -------
    AxisPartition
    """
    length = min(length, n)
    if length >= n:
        overlap = 0
    starts = windows.window_starts(n, length, overlap, "hop")
    weights = windows.blend_weights(starts, length, dtype=dtype, complement=True)
    return AxisPartition(n, length, overlap, starts, weights, int(starts[-1] + length), fft)


def fft_len(n: int, pad: str | float | None, real: bool) -> int:
    """FFT length for a window of ``n`` samples.

    Parameters
    ----------
    n : int
    pad : "fft", "none"/None or float >= 1
        ``"fft"``: smallest fast length ``>= n``
        (:func:`scipy.fft.next_fast_len`); ``"none"``: ``n``; a float ``f``:
        smallest fast length ``>= ceil(f n)``.
    real : bool
        The axis gets a real FFT (the time axis).

    Returns
    -------
    int
    """
    if n <= 1:
        return max(n, 1)
    if pad is None or pad == "none":
        return n
    target = n if pad == "fft" else math.ceil(float(pad) * n)
    return int(sfft.next_fast_len(target, real=real))


# ---------------------------------------------------------------------------
# thresholds
# ---------------------------------------------------------------------------


def schedule(
    amplitude: np.ndarray, n_iter: int, kind: str, p_max: float, p_min: float
) -> np.ndarray:
    """Threshold of every iteration for every window.

    Parameters
    ----------
    amplitude : numpy.ndarray, shape (n_win, n_coef)
        ``|F x_0|`` of each window (in-band coefficients only), ``x_0`` the
        observed data with zeros in the gaps.
    n_iter : int
    kind : {"exponential", "linear", "data"}
        ``lambda_max = p_max A``, ``lambda_min = p_min A`` with ``A`` the
        window's largest amplitude.  Exponential: geometric steps from
        ``lambda_max`` to ``lambda_min``; linear: equal steps; data (Gao et
        al., 2013): equal steps in *rank* -- ``lambda_k`` is the amplitude
        of rank ``r_k`` in the sorted initial spectrum, ``r_k`` going
        linearly from the number of coefficients above ``lambda_max`` to the
        number above ``lambda_min`` (the kept fraction grows linearly: the
        percentile decreases linearly).
    p_max, p_min : float
        ``0 < p_min <= p_max <= 1``.

    Returns
    -------
    numpy.ndarray of float32, shape (n_iter, n_win)
        Non-increasing along the first axis; all zero for an all-zero window.
    """
    peak = amplitude.max(axis=1).astype(np.float64)
    frac = np.linspace(0.0, 1.0, n_iter) if n_iter > 1 else np.ones(1)
    hi, lo = p_max * peak, p_min * peak
    if kind == "exponential":
        ratio = p_min / p_max
        lam = hi[None, :] * ratio ** frac[:, None]
    elif kind == "linear":
        lam = hi[None, :] + (lo - hi)[None, :] * frac[:, None]
    else:
        desc = -np.sort(-amplitude, axis=1)  # descending, one row per window
        n_coef = desc.shape[1]
        r_hi = np.count_nonzero(amplitude >= hi[:, None], axis=1)  # at least the peak
        r_lo = np.count_nonzero(amplitude >= lo[:, None], axis=1)
        ranks = np.rint(r_hi[None, :] + (r_lo - r_hi)[None, :] * frac[:, None]).astype(np.intp)
        ranks = np.clip(ranks, 0, n_coef - 1)
        lam = np.take_along_axis(desc, ranks.T, axis=1).T.astype(np.float64)
        lam = np.minimum(lam, hi[None, :])
        lam[-1] = np.minimum(lam[-1], lo)
    return lam.astype(np.float32)


# ---------------------------------------------------------------------------
# the iteration
# ---------------------------------------------------------------------------


@dataclass
class Problem:
    """One chunk of windows for the iteration.

    Attributes
    ----------
    x0 : numpy.ndarray of float32, shape (n_win, P_y, P_x, P_t)
        Observed samples, zero elsewhere (padding, gaps, past the record).
    observed : numpy.ndarray of bool, same shape
        Samples held by the data constraint.
    axes : tuple of int
        Spatial FFT axes: ``(2,)`` for 2-D, ``(1, 2)`` for 3-D.
    band : (int, int)
        Half-open range of rfft bins kept; all of them is ``(0, P_t // 2 + 1)``.
    """

    x0: np.ndarray
    observed: np.ndarray
    axes: tuple[int, ...]
    band: tuple[int, int]

    @property
    def full_band(self) -> bool:
        return self.band == (0, self.x0.shape[-1] // 2 + 1)


@dataclass
class Options:
    """Iteration options (validated by the caller)."""

    n_iter: int
    schedule: str
    p_max: float
    p_min: float
    alpha: float
    fast: bool
    soft: bool
    tol: float
    workers: int


@dataclass
class Result:
    """Estimate of one chunk and what it cost."""

    estimate: np.ndarray
    iterations: int
    thresholds: np.ndarray


def _forward_np(x: np.ndarray, prob: Problem, workers: int) -> np.ndarray:
    """In-band f-k (or f-k-k) spectrum: rfft over time, FFT over the spatial axes."""
    if prob.full_band:
        return sfft.rfftn(x, axes=(*prob.axes, 3), workers=workers)
    lo, hi = prob.band
    xt = sfft.rfft(x, axis=3, workers=workers)
    return sfft.fftn(xt[..., lo:hi], axes=prob.axes, workers=workers, overwrite_x=True)


def _inverse_np(
    spec: np.ndarray, prob: Problem, workers: int, full: np.ndarray | None
) -> np.ndarray:
    """Back to (space, time); out-of-band frequencies are zero."""
    n_t = prob.x0.shape[3]
    if prob.full_band:
        axes = (*prob.axes, 3)
        s = tuple(prob.x0.shape[a] for a in axes)
        return sfft.irfftn(spec, s=s, axes=axes, workers=workers)
    assert full is not None
    lo, hi = prob.band
    full[..., lo:hi] = sfft.ifftn(spec, axes=prob.axes, workers=workers, overwrite_x=True)
    return sfft.irfft(full, n=n_t, axis=3, workers=workers)


def iterate_numpy(prob: Problem, opt: Options) -> Result:
    """Run POCS (or FISTA-accelerated POCS) on one chunk of windows with numpy/scipy.

    ``x_{k+1} = alpha d + (1 - alpha M) F^-1 T_k(F y_k)`` with ``y_k = x_k``
    (plain) or the Nesterov extrapolation ``y_k = x_k + beta_k (x_k - x_{k-1})``,
    ``beta_k = min((t_{k-1} - 1) / t_k, BETA_MAX)`` (``fast``).  Per iteration: one rfft (+ spatial FFTs),
    ``|.|``, a comparison, a complex multiply, one inverse FFT and the data
    update -- all in place on float32 / complex64 buffers.

    Returns
    -------
    Result
    """
    workers = opt.workers
    d = prob.x0
    obs = prob.observed
    alpha = np.float32(opt.alpha)
    if alpha == 1:
        ad, w = d, None
    else:
        ad = d * alpha
        w = np.where(obs, np.float32(1) - alpha, np.float32(1)).astype(np.float32)
    spec = _forward_np(d, prob, workers)
    amp = np.abs(spec)
    lam = schedule(amp.reshape(amp.shape[0], -1), opt.n_iter, opt.schedule, opt.p_max, opt.p_min)
    full = None if prob.full_band else np.zeros(d.shape[:3] + (d.shape[3] // 2 + 1,), np.complex64)
    keep = np.zeros(spec.shape, dtype=np.complex64)
    keep_re = keep.real
    lam_shape = (-1,) + (1,) * (spec.ndim - 1)
    x_prev = d.copy() if opt.fast else None
    t_k = 1.0
    x = d
    done = 0
    for k in range(opt.n_iter):
        if k:
            spec = _forward_np(x, prob, workers)
            np.abs(spec, out=amp)
        lam_k = lam[k].reshape(lam_shape)
        if opt.soft:  # scale = max(1 - lambda / |X|, 0)
            np.maximum(amp, _TINY, out=amp)
            np.divide(lam_k, amp, out=amp)
            np.subtract(np.float32(1), amp, out=keep_re)
            np.maximum(keep_re, np.float32(0), out=keep_re)
        else:
            np.greater(amp, lam_k, out=keep_re)
        np.multiply(spec, keep, out=spec)
        y = _inverse_np(spec, prob, workers, full)
        # data constraint, in place
        if w is None:
            np.copyto(y, d, where=obs)
        else:
            np.multiply(y, w, out=y)
            np.add(y, ad, out=y)
        done = k + 1
        # a stall while the threshold is still above the whole spectrum (nothing kept,
        # e.g. alpha < 1 with a soft threshold shrinking the live samples) is not
        # convergence: stop early only once something passes the threshold
        check = opt.tol > 0 and (done % CHECK_EVERY == 0) and done < opt.n_iter
        if opt.fast:
            assert x_prev is not None
            np.subtract(y, x_prev, out=x_prev)  # x_prev <- x_{k+1} - x_k
            if check and _small_change(x_prev, y, opt.tol) and keep_re.any():
                x = y
                break
            t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t_k * t_k))
            beta = np.float32(min((t_k - 1.0) / t_next, BETA_MAX))
            t_k = t_next
            np.multiply(x_prev, beta, out=x_prev)
            np.add(x_prev, y, out=x_prev)  # extrapolated point
            x, x_prev = x_prev, y
        else:
            if check and _small_change(np.subtract(y, x), y, opt.tol) and keep_re.any():
                x = y
                break
            x = y
    if opt.fast and done == opt.n_iter:
        x = x_prev  # the last projected iterate, not the extrapolation
    return Result(x, done, lam)


def _small_change(diff: np.ndarray, x: np.ndarray, tol: float) -> bool:
    """``||diff|| <= tol ||x||`` over the chunk (float64 accumulation)."""
    num = float(np.vdot(diff.ravel(), diff.ravel()))
    den = float(np.vdot(x.ravel(), x.ravel()))
    return num <= (tol * tol) * den


def iterate_torch(prob: Problem, opt: Options, device: str | None) -> Result:
    """The iteration of :func:`iterate_numpy` with ``torch.fft`` on ``device``.

    Thresholds come from the same :func:`schedule` (on the host, from the
    device spectrum of ``x_0``), so the two backends differ only by FFT
    rounding.
    """
    import torch

    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    dims = (*prob.axes, 3)
    n_t = prob.x0.shape[3]
    lo, hi = prob.band
    full_band = prob.full_band

    def forward(x: torch.Tensor) -> torch.Tensor:
        if full_band:
            return torch.fft.rfftn(x, dim=dims)
        return torch.fft.fftn(torch.fft.rfft(x, dim=3)[..., lo:hi], dim=prob.axes)

    def inverse(spec: torch.Tensor) -> torch.Tensor:
        if full_band:
            return torch.fft.irfftn(spec, s=tuple(prob.x0.shape[a] for a in dims), dim=dims)
        full = torch.zeros(spec.shape[:3] + (n_t // 2 + 1,), dtype=spec.dtype, device=dev)
        full[..., lo:hi] = torch.fft.ifftn(spec, dim=prob.axes)
        return torch.fft.irfft(full, n=n_t, dim=3)

    with torch.inference_mode():
        d = torch.from_numpy(np.ascontiguousarray(prob.x0)).to(dev)
        obs = torch.from_numpy(np.ascontiguousarray(prob.observed)).to(dev)
        alpha = float(opt.alpha)
        ad = d if alpha == 1 else d * alpha
        w = None if alpha == 1 else torch.where(obs, 1.0 - alpha, 1.0).to(torch.float32)
        spec = forward(d)
        amp = spec.abs()
        lam = _schedule_torch(amp.reshape(amp.shape[0], -1), opt)
        lam_np = lam.cpu().numpy()
        lam = lam.reshape((opt.n_iter, -1) + (1,) * (spec.ndim - 1))
        x, x_prev = d, (d.clone() if opt.fast else None)
        t_k = 1.0
        done = 0
        for k in range(opt.n_iter):
            if k:
                spec = forward(x)
                amp = spec.abs()
            if opt.soft:  # in place: amp <- max(1 - lambda / |X|, 0)
                amp.clamp_min_(float(_TINY)).reciprocal_().mul_(-lam[k]).add_(1.0).clamp_min_(0.0)
            else:
                amp = torch.gt(amp, lam[k], out=amp)  # 0/1 in float32
            spec.mul_(amp)
            y = inverse(spec)
            y = torch.where(obs, d, y) if w is None else y * w + ad
            done = k + 1
            check = opt.tol > 0 and (done % CHECK_EVERY == 0) and done < opt.n_iter
            if opt.fast:
                assert x_prev is not None
                t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t_k * t_k))
                beta = min((t_k - 1.0) / t_next, BETA_MAX)
                t_k = t_next
                diff = y - x_prev
                if check and _small_change_torch(diff, y, opt.tol) and bool(amp.any()):
                    x_prev = y
                    break
                x, x_prev = y + beta * diff, y
            else:
                if check and _small_change_torch(y - x, y, opt.tol) and bool(amp.any()):
                    x = y
                    break
                x = y
        out = x_prev if opt.fast else x
        assert out is not None
        return Result(out.cpu().numpy().astype(np.float32, copy=False), done, lam_np)


def _schedule_torch(amplitude: Any, opt: Options) -> Any:
    """:func:`schedule` on the device (no spectrum leaves it), float32 (n_iter, n_win)."""
    import torch

    n_iter = opt.n_iter
    dev = amplitude.device
    peak = amplitude.amax(dim=1).double()
    frac = (
        torch.linspace(0.0, 1.0, n_iter, dtype=torch.float64, device=dev)
        if n_iter > 1
        else torch.ones(1, dtype=torch.float64, device=dev)
    )
    hi, lo = opt.p_max * peak, opt.p_min * peak
    if opt.schedule == "exponential":
        lam = hi[None, :] * (opt.p_min / opt.p_max) ** frac[:, None]
    elif opt.schedule == "linear":
        lam = hi[None, :] + (lo - hi)[None, :] * frac[:, None]
    else:
        desc = torch.sort(amplitude, dim=1, descending=True).values
        n_coef = desc.shape[1]
        r_hi = (amplitude >= hi[:, None].float()).sum(dim=1).double()
        r_lo = (amplitude >= lo[:, None].float()).sum(dim=1).double()
        ranks = torch.round(r_hi[None, :] + (r_lo - r_hi)[None, :] * frac[:, None]).long()
        ranks = ranks.clamp(0, n_coef - 1)
        lam = torch.gather(desc, 1, ranks.T).T.double()
        lam = torch.minimum(lam, hi[None, :])
        lam[-1] = torch.minimum(lam[-1], lo)
    return lam.float()


def _small_change_torch(diff: Any, x: Any, tol: float) -> bool:
    num = float((diff.double() ** 2).sum())
    den = float((x.double() ** 2).sum())
    return num <= (tol * tol) * den
