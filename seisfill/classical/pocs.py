"""f-k POCS interpolation (Abma and Kabir, 2006), 2-D and 3-D.

Missing traces are filled by *projection onto convex sets*: alternately make
the estimate sparse in the frequency-wavenumber domain (keep only the
strongest f-k coefficients, with a threshold that decreases from iteration
to iteration) and put the recorded traces back.  Linear events are points
along lines in f-k, so a few plane waves -- and, inside small enough windows,
curved events -- are recovered from randomly decimated traces; regular
decimation aliases and is not what POCS is for.

The iteration (``M`` the sampling mask, ``F`` the real FFT over time and the
complex FFT over the spatial axes, ``T_k`` a hard or soft threshold of the
spectral amplitude at ``lambda_k``)::

    x_{k+1} = alpha d_obs + (1 - alpha M) * F^-1 T_k(F y_k)

with ``y_k = x_k`` (plain POCS) or the FISTA extrapolation
``y_k = x_k + beta_k (x_k - x_{k-1})``, ``beta_k = min((t_{k-1} - 1) / t_k,
0.7)`` (``fast=True``; the cap is ours, see :data:`seisfill.classical._fk.BETA_MAX`).
Whatever the options, the returned live traces are the input's.

References
----------
Abma, R., and N. Kabir, 2006, 3D interpolation of irregular data with a POCS
algorithm: Geophysics, 71(6), E91-E97.

Gao, J., X. Chen, J. Li, G. Liu, and J. Ma, 2010, Irregular seismic data
reconstruction based on exponential threshold model of POCS method: Applied
Geophysics, 7(3), 229-238.

Gao, J., A. Stanton, M. Naghizadeh, M. D. Sacchi, and X. Chen, 2013,
Convergence improvement and noise attenuation considerations for beyond
alias projection onto convex sets reconstruction: Geophysical Prospecting,
61, 138-151 (data-driven thresholds).

Beck, A., and M. Teboulle, 2009, A fast iterative shrinkage-thresholding
algorithm for linear inverse problems: SIAM Journal on Imaging Sciences,
2(1), 183-202 (the momentum of ``fast=True``; "fast POCS" in the seismic
literature, e.g. Yang, Gao and Chen, 2012).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from seisfill import windows
from seisfill.classical import _fk
from seisfill.classical._checks import _as_live, _band_bins, _is_int, _is_real, _layout, _workers
from seisfill.errors import SeisfillError

__all__ = ["pocs_fk", "auto_window"]

_SCHEDULES = ("exponential", "linear", "data")
_THRESHOLDS = ("hard", "soft")
_BACKENDS = ("numpy", "torch")

#: records up to this many samples are not cut in time by ``window="auto"``
AUTO_TIME_MAX = 512
#: time window of ``window="auto"`` for longer records, samples
AUTO_TIME_WINDOW = 256
#: gathers (or cube axes) up to this many traces are not cut in space
AUTO_SPACE_MAX = 256
#: spatial window of ``window="auto"`` for wider gathers, traces
AUTO_SPACE_WINDOW = 128
#: the small candidate of ``window="auto"``: (time, x[, y])
SMALL_WINDOW = (64, 32, 32)
#: fraction of the live traces hidden by the cross-validation of ``window="auto"``
CV_HIDE = 0.12
#: iterations of each cross-validation run, as a fraction of ``n_iter`` (at least 8)
CV_ITER_FRACTION = 0.4
#: default number of iterations, plain POCS and FISTA
N_ITER_PLAIN = 50
N_ITER_FAST = 30


def _large_window(shape: Sequence[int]) -> tuple[int, ...]:
    """The large candidate of ``window="auto"`` for axes ``shape = (n_t, n_x[, n_y])``.

    Time: the whole record up to :data:`AUTO_TIME_MAX` samples, else
    :data:`AUTO_TIME_WINDOW`; space: the whole axis up to
    :data:`AUTO_SPACE_MAX` traces, else :data:`AUTO_SPACE_WINDOW`.
    """
    n_t, *n_space = (int(n) for n in shape)
    out = [n_t if n_t <= AUTO_TIME_MAX else AUTO_TIME_WINDOW]
    out += [n if n <= AUTO_SPACE_MAX else AUTO_SPACE_WINDOW for n in n_space]
    return tuple(out)


def auto_window(
    data: np.ndarray,
    live: np.ndarray,
    *,
    ndim: Literal[2, 3] = 2,
    overlap: float = 0.5,
    pad: Any = 1.5,
    workers: int | None = None,
    window_candidates: Sequence[Any] | None = None,
    **options: Any,
) -> tuple[int, ...]:
    """The window that ``pocs_fk(..., window="auto")`` picks for these data.

    Chosen by cross-validation on the data themselves: a seeded subset of
    about :data:`CV_HIDE` (12 %) of the live traces of every gather is
    hidden, in runs as long as the median run of missing traces (so gaps are
    mimicked by gaps, random decimation by single traces); a short POCS
    (:data:`CV_ITER_FRACTION` of ``n_iter``, at least 8 iterations, with
    the call's other options) fills them with each candidate window, and the
    candidate with the smallest squared error on the hidden traces, summed
    over all gathers of the call, wins (one window per call).  The draw is
    seeded by the data shape, so the choice is deterministic.  Cost: about
    ``0.4 x`` (number of candidates) of the main run.

    Default candidates:

    * large windows: the whole record up to :data:`AUTO_TIME_MAX` samples
      (else :data:`AUTO_TIME_WINDOW`), the whole gather up to
      :data:`AUTO_SPACE_MAX` traces (else :data:`AUTO_SPACE_WINDOW`);
    * small windows, :data:`SMALL_WINDOW` = 64 samples x 32 traces (x 32).

    Straight events (plane waves) are predicted best by large windows (finer
    wavenumber resolution), curved ones (hyperbolic reflections,
    diffractions, real stacked sections) by small ones, where they are
    nearly straight.

    Parameters
    ----------
    data, live, ndim, overlap, pad, workers
        As for :func:`pocs_fk`.
    window_candidates : list of tuple, optional
        Windows to choose from (entries as for ``window``; lengths larger
        than the data are clipped to it); default large and small above.
    **options
        Other :func:`pocs_fk` options (``n_iter``, ``schedule``, ``fast``,
        ``band``...) used by the short cross-validation runs.

    Returns
    -------
    tuple of int
        ``(nt_win, nx_win)`` or ``(nt_win, nx_win, ny_win)``.
    """
    opts: dict[str, Any] = dict(
        n_iter=None, schedule="exponential", threshold="hard", p_max=0.99, p_min=1e-3,
        alpha=1.0, fast=False, band=None, tol=1e-4, backend="numpy", device=None, dt=None,
    )  # fmt: skip
    unknown = set(options) - set(opts)
    if unknown:
        raise SeisfillError(f"unknown pocs_fk options for auto_window: {sorted(unknown)}")
    opts.update(options)
    n_iter = _check_options(
        opts["n_iter"], opts["schedule"], opts["threshold"], opts["p_max"], opts["p_min"],
        opts["alpha"], opts["fast"], ndim, overlap, opts["tol"], pad, opts["backend"],
        workers, opts["dt"],
    )  # fmt: skip
    arr = np.asarray(data)
    d4, live4, axes_shape = _layout(arr, _as_live(live, arr.shape[:-1]), ndim)
    opts.update(
        n_iter=max(8, int(round(CV_ITER_FRACTION * n_iter))),
        ndim=ndim,
        overlap=overlap,
        pad=pad,
        workers=workers,
    )
    return _choose_window_cv(d4, live4, axes_shape, window_candidates, opts)


@dataclass
class _Info:
    """What a run did (for the benchmark)."""

    chunk_shapes: list[tuple[int, ...]] = field(default_factory=list)
    iterations: list[int] = field(default_factory=list)
    axes: tuple[int, ...] = ()
    n_windows: int = 0
    threads: int = 1
    fft_workers: int = 1
    window: tuple[int, ...] = ()
    fft_shape: tuple[int, ...] = ()
    #: chunks and iterations of the cross-validation runs of ``window="auto"``
    cv_chunk_shapes: list[tuple[int, ...]] = field(default_factory=list)
    cv_iterations: list[int] = field(default_factory=list)


def pocs_fk(
    data: np.ndarray,
    live: np.ndarray,
    *,
    n_iter: int | None = None,
    schedule: Literal["exponential", "linear", "data"] = "exponential",
    threshold: Literal["hard", "soft"] = "hard",
    p_max: float = 0.99,
    p_min: float = 1e-3,
    alpha: float = 1.0,
    fast: bool = False,
    ndim: Literal[2, 3] = 2,
    window: Any = "auto",
    window_candidates: Sequence[Any] | None = None,
    overlap: float = 0.5,
    band: tuple[float, float] | None = None,
    tol: float = 1e-4,
    pad: Any = 1.5,
    backend: Literal["numpy", "torch"] = "numpy",
    device: str | None = None,
    workers: int | None = None,
    dt: float | None = None,
) -> np.ndarray:
    """Fill missing traces by f-k POCS (2-D) or f-kx-ky POCS (3-D).

    Parameters
    ----------
    data : numpy.ndarray, shape (..., n_trace, n_time)
        Gathers (2-D), or with ``ndim=3`` cubes ``(..., n_y, n_x, n_time)``:
        a post-stack ``(n_inline, n_crossline, n_time)`` volume, or a stack of
        neighbouring gathers whose leading axis acts as the second spatial
        axis.  Any further leading axes are a batch.  Samples of non-live
        traces are ignored (NaN allowed there).
    live : numpy.ndarray of bool, shape (..., n_trace)
        ``data.shape[:-1]``; True for recorded traces.
    n_iter : int, optional
        Iterations per window, each one forward and one inverse FFT.
        Default 50 (:data:`N_ITER_PLAIN`), or 30 with ``fast``
        (:data:`N_ITER_FAST`).
    schedule : {"exponential", "linear", "data"}
        How the threshold falls from ``lambda_max = p_max A`` to
        ``lambda_min = p_min A`` (``A`` the largest in-band spectral amplitude
        of the window's observed data): geometric steps; equal steps; or
        data-driven (Gao et al. 2013) -- equal steps in the *rank* of the
        sorted amplitudes of the initial (zero-filled) spectrum, i.e. the
        kept percentile grows linearly.
    threshold : {"hard", "soft"}
        Hard keeps coefficients with ``|X| > lambda`` unchanged; soft also
        shrinks them by ``lambda``.
    p_max, p_min : float
        ``0 < p_min <= p_max <= 1``, fractions of ``A``.  Raise ``p_min``
        (e.g. 0.02-0.1) on noisy data.
    alpha : float
        ``0 < alpha <= 1``.  Below 1 the recorded samples are only partly
        re-imposed each iteration (``alpha d + (1 - alpha) estimate`` on live
        samples), which keeps random noise out of the filled traces.  The
        *returned* live traces are the input's whatever ``alpha``: the
        denoised estimate is used only to fill the gaps.
    fast : bool
        FISTA (Nesterov) momentum: about the quality of 100 plain iterations
        in 30.
    ndim : {2, 3}
        2: each ``(n_trace, n_time)`` gather on its own.  3: axis -3 is the
        second spatial axis (f-kx-ky spectrum).
    window : "auto", None or tuple
        ``(nt_win, nx_win)``, in 3-D ``(nt_win, nx_win[, ny_win])``; an entry
        None means the whole axis.  None: one window per gather.  "auto":
        chosen from the data by cross-validation (:func:`auto_window`): about
        12 % of the live traces are hidden, a short POCS fills them with
        each of ``window_candidates``, and the window that predicts them
        best is used for the whole call (all gathers).  Default candidates:
        whole records of up to 512 samples (else 256-sample windows) and
        whole gathers of up to 256 traces (else 128-trace windows), and
        64-sample x 32-trace windows.
    window_candidates : list of tuple, optional
        The windows ``window="auto"`` chooses from (each as for ``window``;
        lengths are clipped to the data); default the two above.
    overlap : float
        Fraction of each window shared with the next, ``0 <= overlap <=
        0.5``; the overlaps are blended with sine-squared tapers that sum
        to exactly 1.
    band : (float, float), optional
        Band of frequencies thresholded and kept: fractions of Nyquist, or
        Hz when ``dt`` is given.  Outside the band the estimate is zero (the
        filled traces get no out-of-band noise), and those frequencies skip
        the spatial FFTs, which saves time.  None: all frequencies.
    tol : float
        Stop a batch of windows early when the relative change
        ``||x_{k+1} - x_k|| / ||x_{k+1}||`` (checked every 5 iterations)
        falls below ``tol``; 0 never stops early.  With the default a run
        stops only once the estimate has really stalled: while the threshold
        keeps falling the change stays above 1e-3.
    pad : float, "fft", "none", or one per axis ``(time, x[, y])``
        FFT box of each window: a factor >= 1 then the next fast FFT length
        (default 1.5), ``"fft"`` the next fast length only, ``"none"`` the
        window itself.  The padding is unconstrained -- the iteration
        extrapolates into it, so the window's far edge does not wrap onto
        its near edge.  (Plane waves, 128 x 256, random 50 %: 15-17 dB with
        ``"fft"``, 27-35 dB with 1.5.)
    backend : {"numpy", "torch"}
        ``"torch"`` runs the same iteration with ``torch.fft`` (imported only
        then); thresholds are computed the same way on the host.
    device : str, optional
        Torch device; default ``"cuda"`` when available, else ``"cpu"``.
    workers : int, optional
        Threads (FFTs and the chunks of windows run side by side); default
        all CPUs of the process, negative as in scipy.fft (-1: all).
    dt : float, optional
        Sample interval (s), to give ``band`` in Hz.

    Returns
    -------
    numpy.ndarray, shape of ``data``
        float32 (float64 for float64 input -- computed in float32); live
        traces bit-identical to ``data``, the others filled.

    Raises
    ------
    SeisfillError
        Bad options, mismatched shapes, a window larger than the data, non
        finite live samples, or a gather (2-D) / cube (3-D) without a live
        trace.

    Notes
    -----
    **Windows.**  POCS assumes locally plane events: each window is
    interpolated on its own, in the middle of its padded FFT box, and the
    windows are blended with the partition of unity.  Windows whose traces
    are all live are skipped (they would only write on live traces), as
    are windows without a live trace or with all-zero data.  Every window
    of every gather has one padded shape, so they go through the FFTs as
    one batch (leading axis), in chunks of at most 2**21 samples, at least
    one per thread, run in parallel threads (numpy's elementwise work is
    single-threaded; the FFTs of a lone chunk use all threads); torch takes
    chunks of 2**25 samples, one at a time.  Thresholds are per window
    (from that window's spectrum).

    **Cost model.**  With ``W`` windows of padded shape ``(P_y, P_x, P_t)``
    (``P_y = 1`` in 2-D) and ``N = P_y P_x P_t``::

        time ~ n_iter * W * (C_rfftn(N) + C_irfftn(N) + c N)

    ``C_rfftn(N) ~ 2.5 N log2 N`` flops (real FFT over time, complex FFTs
    over space), and ``c N`` is a few memory-bound passes per iteration
    (``|X|``, comparison, complex multiply, data re-insertion; FISTA three
    more).  ``W`` = gathers x ``prod_axes ceil((n - o) / (L - o))`` for
    window length ``L`` and overlap ``o``: a 50 % overlap doubles the work
    per cut axis, padding by 1.5 multiplies ``N`` by 1.5 per axis.  The
    threshold schedule costs one FFT more (and one sort per window for
    ``schedule="data"``); ``window="auto"`` adds one short run per candidate
    window, each with 40 % of ``n_iter`` (at least 8): with the two default
    candidates about 0.6-0.9 times the cost of the main run.
    ``benchmarks/pocs_timing.py`` measures the wall time against the bare
    FFTs (``n_iter x (rfftn + irfftn)`` of the same batches, same threads).
    Measured (numpy, 16 gathers of 128 x 1024 samples, random 50 %, 2
    shared cores, best of 4 interleaved runs): plain POCS 1.26-1.31,
    data-driven schedule 1.33-1.46, FISTA 1.53-1.61 (three more passes per
    iteration, but 30 iterations instead of 100), for whole gathers and
    64 x 32 windows alike.
    """
    out, _ = _run(
        data,
        live,
        n_iter=n_iter,
        schedule=schedule,
        threshold=threshold,
        p_max=p_max,
        p_min=p_min,
        alpha=alpha,
        fast=fast,
        ndim=ndim,
        window=window,
        window_candidates=window_candidates,
        overlap=overlap,
        band=band,
        tol=tol,
        pad=pad,
        backend=backend,
        device=device,
        workers=workers,
        dt=dt,
    )
    return out


def _check_options(
    n_iter: Any,
    schedule: Any,
    threshold: Any,
    p_max: Any,
    p_min: Any,
    alpha: Any,
    fast: Any,
    ndim: Any,
    overlap: Any,
    tol: Any,
    pad: Any,
    backend: Any,
    workers: Any,
    dt: Any,
) -> int:
    """Check the scalar options; return ``n_iter`` with its default applied."""
    if n_iter is None:
        n_iter = N_ITER_FAST if fast else N_ITER_PLAIN
    if not _is_int(n_iter) or n_iter < 1:
        raise SeisfillError(f"n_iter must be a positive integer, got {n_iter!r}")
    if schedule not in _SCHEDULES:
        raise SeisfillError(
            f"unknown schedule {schedule!r}; choose one of: {', '.join(_SCHEDULES)}"
        )
    if threshold not in _THRESHOLDS:
        raise SeisfillError(f"unknown threshold {threshold!r}; choose 'hard' or 'soft'")
    if not (_is_real(p_max) and _is_real(p_min) and 0 < p_min <= p_max <= 1):
        raise SeisfillError(f"need 0 < p_min <= p_max <= 1, got p_min={p_min!r}, p_max={p_max!r}")
    if not (_is_real(alpha) and 0 < alpha <= 1):
        raise SeisfillError(f"alpha must be in (0, 1], got {alpha!r}")
    if ndim not in (2, 3) or isinstance(ndim, bool):
        raise SeisfillError(f"ndim must be 2 or 3, got {ndim!r}")
    if not (_is_real(overlap) and 0 <= overlap <= 0.5):
        raise SeisfillError(f"overlap must be a fraction in [0, 0.5], got {overlap!r}")
    if not (_is_real(tol) and tol >= 0):
        raise SeisfillError(f"tol must be >= 0, got {tol!r}")
    for p in pad if isinstance(pad, Sequence) and not isinstance(pad, str) else (pad,):
        if not (p is None or p in ("fft", "none") or (_is_real(p) and p >= 1)):
            raise SeisfillError(
                f"pad must be 'fft', 'none' or a factor >= 1 (or one per axis), got {pad!r}"
            )
    if backend not in _BACKENDS:
        raise SeisfillError(f"unknown backend {backend!r}; choose 'numpy' or 'torch'")
    if workers is not None and (not _is_int(workers) or workers == 0):
        raise SeisfillError(f"workers must be a non-zero integer, got {workers!r}")
    if dt is not None and not (_is_real(dt) and dt > 0):
        raise SeisfillError(f"dt must be a positive number of seconds, got {dt!r}")
    return int(n_iter)


def _check_window(window: Any, shape: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    """Window lengths ``(L_t, L_x[, L_y])`` for data axes ``shape = (n_t, n_x[, n_y])``."""
    if window is None:
        return shape
    if isinstance(window, str):
        if window != "auto":
            raise SeisfillError(
                f"window must be 'auto', None or a tuple of lengths, got {window!r}"
            )
        return _large_window(shape)
    if not isinstance(window, Sequence) or not 2 <= len(window) <= ndim:
        want = "(nt_win, nx_win)" if ndim == 2 else "(nt_win, nx_win[, ny_win])"
        raise SeisfillError(f"window must be {want}, got {window!r}")
    names = ("time", "trace", "third-axis")
    out = []
    for i, n in enumerate(shape):
        w = window[i] if i < len(window) else None
        if w is None:
            out.append(n)
            continue
        if not _is_int(w) or w < 1:
            raise SeisfillError(f"window lengths must be positive integers, got {window!r}")
        if w > n:
            raise SeisfillError(
                f"{names[i]} window of {w} is larger than the data ({n} along that axis)"
            )
        out.append(int(w))
    return tuple(out)


def _pads(pad: Any, ndim: int) -> tuple[Any, ...]:
    """Per-axis padding ``(time, x[, y])`` from a scalar or a tuple."""
    if isinstance(pad, Sequence) and not isinstance(pad, str):
        if len(pad) != ndim:
            raise SeisfillError(
                f"pad must be one value or {ndim} (time, x{', y' if ndim == 3 else ''}), got {pad!r}"
            )
        return tuple(pad)
    return (pad,) * ndim


# ---------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------


def _run(
    data: Any,
    live: Any,
    *,
    n_iter: int | None = None,
    schedule: str = "exponential",
    threshold: str = "hard",
    p_max: float = 0.99,
    p_min: float = 1e-3,
    alpha: float = 1.0,
    fast: bool = False,
    ndim: int = 2,
    window: Any = "auto",
    window_candidates: Any = None,
    overlap: float = 0.5,
    band: Any = None,
    tol: float = 1e-4,
    pad: Any = 1.5,
    backend: str = "numpy",
    device: str | None = None,
    workers: int | None = None,
    dt: float | None = None,
) -> tuple[np.ndarray, _Info]:
    n_iter = _check_options(
        n_iter, schedule, threshold, p_max, p_min, alpha, fast, ndim, overlap, tol, pad, backend,
        workers, dt,
    )  # fmt: skip
    arr = np.asarray(data)
    lv = _as_live(live, arr.shape[:-1])
    if backend == "torch":
        from seisfill._deps import require

        require("torch", "backend='torch'")
    out_dtype = np.float64 if arr.dtype == np.float64 else np.float32
    d4, live4, axes_shape = _layout(arr, lv, ndim)
    n_b, n_y, n_x, n_t = d4.shape
    pads = _pads(pad, ndim)
    cv_info = _Info()
    if isinstance(window, str) and window == "auto":
        win = _choose_window_cv(
            d4,
            live4,
            axes_shape,
            window_candidates,
            dict(
                n_iter=max(8, int(round(CV_ITER_FRACTION * n_iter))),
                schedule=schedule,
                threshold=threshold,
                p_max=p_max,
                p_min=p_min,
                alpha=alpha,
                fast=fast,
                ndim=ndim,
                overlap=overlap,
                band=band,
                tol=tol,
                pad=pad,
                backend=backend,
                device=device,
                workers=workers,
                dt=dt,
            ),
            cv_info,
        )
    else:
        win = _check_window(window, axes_shape, ndim)
    parts = _plan(axes_shape, win, overlap, pads)
    part_t = parts[2]
    band_bins = _band_bins(band, dt, part_t.fft)
    info = _Info(
        axes=(1, 2, 3) if ndim == 3 else (2, 3),
        window=win,
        fft_shape=tuple(p.fft for p in parts[3 - ndim :]),
        cv_chunk_shapes=cv_info.cv_chunk_shapes,
        cv_iterations=cv_info.cv_iterations,
    )

    todo = _select_windows(live4, d4, parts)
    estimate = np.zeros((n_b,) + tuple(p.starts[-1] + p.length for p in parts), np.float32)
    info.n_windows = len(todo)
    if todo:
        opt = _fk.Options(
            n_iter=n_iter,
            schedule=schedule,
            p_max=float(p_max),
            p_min=float(p_min),
            alpha=float(alpha),
            fast=bool(fast),
            soft=threshold == "soft",
            tol=float(tol),
            workers=_workers(workers),
        )
        cut = _Cutter(d4, live4, parts)
        axes = info.axes[:-1]
        per_win = int(np.prod([p.fft for p in parts]))
        todo_arr = np.asarray(todo, dtype=np.intp)
        if backend == "torch":
            chunk = max(1, _fk.CHUNK_SAMPLES_TORCH // per_win)
            n_par = 1
        else:  # at least one chunk per thread: elementwise numpy is single-threaded
            chunk = max(1, min(_fk.CHUNK_SAMPLES // per_win, -(-len(todo) // opt.workers)))
            n_par = min(opt.workers, -(-len(todo) // chunk))
            opt.workers = max(1, opt.workers // n_par)  # FFT threads per chunk
        info.threads, info.fft_workers = n_par, opt.workers

        def work(sel: np.ndarray) -> tuple[np.ndarray, tuple[int, ...], _fk.Result]:
            x0, observed = cut(sel)
            prob = _fk.Problem(x0, observed, axes, band_bins)
            if backend == "torch":
                return sel, x0.shape, _fk.iterate_torch(prob, opt, device)
            return sel, x0.shape, _fk.iterate_numpy(prob, opt)

        def done(sel: np.ndarray, shape: tuple[int, ...], res: _fk.Result) -> None:
            info.chunk_shapes.append(shape)
            info.iterations.append(res.iterations)
            _blend(estimate, res.estimate, sel, parts)  # in this thread, in order

        chunks = [todo_arr[a : a + chunk] for a in range(0, len(todo_arr), chunk)]
        if n_par == 1:
            for c in chunks:
                done(*work(c))
        else:
            with ThreadPoolExecutor(n_par) as pool:
                pending: deque[Future] = deque()
                for c in chunks:  # at most 2 n_par chunks in memory
                    pending.append(pool.submit(work, c))
                    if len(pending) >= 2 * n_par:
                        done(*pending.popleft().result())
                while pending:
                    done(*pending.popleft().result())
    est = estimate[:, :n_y, :n_x, :n_t].reshape(arr.shape)
    out = np.where(lv[..., None], arr, est.astype(out_dtype, copy=False))
    return out.astype(out_dtype, copy=False), info


def _plan(
    shape: tuple[int, ...], win: tuple[int, ...], overlap: float, pads: tuple[Any, ...]
) -> tuple[_fk.AxisPartition, ...]:
    """Partitions ``(y, x, t)`` of axes ``shape = (n_t, n_x[, n_y])`` into windows ``win``."""
    parts = []
    for i, (n, w, p) in enumerate(zip(shape, win, pads, strict=True)):
        ov = min(int(round(overlap * w)), w // 2)
        parts.append(_fk.partition(n, w, ov, _fk.fft_len(w, p, real=i == 0)))
    if len(shape) == 2:
        parts.append(_fk.partition(1, 1, 0, 1))
    part_t, part_x, part_y = parts
    return part_y, part_x, part_t


def _cv_candidates(candidates: Any, shape: tuple[int, ...], ndim: int) -> list[tuple[int, ...]]:
    """Candidate windows of ``window="auto"``, clipped to the data axes ``shape``.

    Default: the large window (:func:`_large_window`) and :data:`SMALL_WINDOW`.
    """
    large = _large_window(shape)
    if candidates is None:
        small = tuple(min(w, n) for w, n in zip(SMALL_WINDOW, shape, strict=False))
        candidates = [large, small]
    if isinstance(candidates, str) or not isinstance(candidates, Sequence) or not candidates:
        raise SeisfillError(
            f"window_candidates must be a non-empty list of windows, got {candidates!r}"
        )
    out: list[tuple[int, ...]] = []
    for cand in candidates:
        if cand is None:
            win = shape
        elif isinstance(cand, str) or not isinstance(cand, Sequence):
            raise SeisfillError(
                f"window_candidates entries must be None or tuples of lengths, got {cand!r}"
            )
        else:
            clipped = tuple(
                min(w, n) if _is_int(w) else w for w, n in zip(cand, shape, strict=False)
            )
            win = _check_window(clipped, shape, ndim)
        if win not in out:
            out.append(win)
    return out


def _cv_hide(live4: np.ndarray) -> np.ndarray:
    """Live traces hidden by the cross-validation of ``window="auto"`` (bool, like ``live4``).

    About :data:`CV_HIDE` of each gather's live traces, in runs along the
    trace axis as long as the median run of missing traces (1 for random
    decimation, the gap length for gaps), so that the hidden traces look like
    the real holes.  Seeded by the data shape: the same shapes give the same
    draw.  Gathers (rows) with fewer than 4 live traces hide nothing.
    """
    n_b, n_y, n_x = live4.shape
    rng = np.random.default_rng([n_b, n_y, n_x, 0x5EED])
    rows = live4.reshape(-1, n_x)
    # median length of the runs of dead traces along x
    dead = ~rows
    edges = np.diff(np.pad(dead.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    starts = np.argwhere(edges == 1)
    ends = np.argwhere(edges == -1)
    run = 1
    if len(starts):
        run = int(max(1, np.median(ends[:, 1] - starts[:, 1])))
    hide = np.zeros_like(rows)
    for r in range(rows.shape[0]):
        idx = np.flatnonzero(rows[r])
        n_live = len(idx)
        if n_live < 4:
            continue
        want = max(1, int(round(CV_HIDE * n_live)))
        length = max(1, min(run, want))
        got = 0
        for _ in range(4 * want):
            if got >= want:
                break
            c = int(idx[rng.integers(n_live)])
            seg = np.arange(c, min(n_x, c + length))
            seg = seg[rows[r, seg] & ~hide[r, seg]]
            seg = seg[: want - got]
            hide[r, seg] = True
            got += len(seg)
        if got >= n_live - 1:  # keep at least two live traces
            keep = idx[rng.permutation(n_live)[:2]]
            hide[r, keep] = False
    return hide.reshape(live4.shape)


def _choose_window_cv(
    d4: np.ndarray,
    live4: np.ndarray,
    shape: tuple[int, ...],
    candidates: Any,
    options: dict[str, Any],
    info: _Info | None = None,
) -> tuple[int, ...]:
    """``window="auto"``: the candidate window that best predicts hidden live traces.

    A seeded :func:`_cv_hide` subset of the live traces is removed, a short
    POCS (``options``, i.e. the call's own options with fewer iterations) is
    run with each candidate window, and the candidate with the smallest
    error on the hidden traces -- summed over all gathers of the call, so one
    window per call -- wins.  Ties (and data without anything to hide) go to
    the first candidate.  The chunks the short runs transformed are added to
    ``info`` (so ``benchmarks/pocs_timing.py`` counts their FFTs in the yardstick).
    """
    ndim = int(options["ndim"])
    cands = _cv_candidates(candidates, shape, ndim)
    if len(cands) == 1:
        return cands[0]
    hide = _cv_hide(live4)
    if not hide.any():
        return cands[0]
    live_cv = live4 & ~hide
    if ndim == 2:
        data, lv, hid = d4[:, 0], live_cv[:, 0], hide[:, 0]
    else:
        data, lv, hid = d4, live_cv, hide
    truth = data[hid].astype(np.float64)
    ref = float(np.sum(truth * truth))
    if ref == 0:
        return cands[0]
    best, best_err = cands[0], math.inf
    for cand in cands:
        est, cv_info = _run(data, lv, window=cand, **options)
        if info is not None:
            info.cv_chunk_shapes += cv_info.chunk_shapes
            info.cv_iterations += cv_info.iterations
        err = float(np.sum((est[hid].astype(np.float64) - truth) ** 2))
        if err < best_err * (1 - 1e-6):
            best, best_err = cand, err
    return best


def _select_windows(
    live4: np.ndarray, d4: np.ndarray, parts: tuple[_fk.AxisPartition, ...]
) -> list[tuple[int, int, int, int]]:
    """``(b, iy, ix, it)`` of the windows worth iterating.

    A window is skipped when its traces are all live (its estimate would
    only land on live traces, which are replaced anyway), when it has no
    live trace, or when its observed samples are all zero.
    """
    py, px, pt = parts
    out = []
    energy = np.abs(d4).max(axis=(1, 2)) > 0 if pt.count > 1 else None  # (B, Nt) any data per time
    for iy, sy in enumerate(py.starts):
        for ix, sx in enumerate(px.starts):
            block = live4[:, sy : sy + py.length, sx : sx + px.length]
            need = (~block).any(axis=(1, 2)) & block.any(axis=(1, 2))
            for b in np.flatnonzero(need):
                for it, st in enumerate(pt.starts):
                    if energy is not None and not energy[b, st : st + pt.length].any():
                        continue
                    out.append((int(b), iy, ix, it))
    return out


def _margin(p: _fk.AxisPartition) -> int:
    """Offset of the window inside its FFT box (the window sits in the middle)."""
    return (p.fft - p.length) // 2


class _Cutter:
    """Cut padded windows (and their observed-sample masks) out of the gathers.

    Each window sits in the middle of its FFT box; the box margins are
    unobserved (free), so the iteration extrapolates into them instead of
    wrapping the window's far edge onto its near one.
    """

    def __init__(
        self, d4: np.ndarray, live4: np.ndarray, parts: tuple[_fk.AxisPartition, ...]
    ) -> None:
        self.parts = parts
        n_b, n_y, n_x, n_t = d4.shape
        self.m = my, mx, mt = [_margin(p) for p in parts]
        ext = tuple(m + p.starts[-1] + p.fft for m, p in zip(self.m, parts, strict=True))
        self.d_ext = np.zeros((n_b,) + ext, np.float32)
        self.d_ext[:, my : my + n_y, mx : mx + n_x, mt : mt + n_t] = d4
        self.live_ext = np.zeros((n_b,) + ext[:2], bool)
        self.live_ext[:, my : my + n_y, mx : mx + n_x] = live4
        self.t_ext = np.zeros(ext[2], bool)
        self.t_ext[mt : mt + n_t] = True

    def __call__(self, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Windows ``sel`` (rows ``(b, iy, ix, it)``): data ``x0`` and observed mask.

        Returns
        -------
        x0 : numpy.ndarray of float32, shape (n, P_y, P_x, P_t)
        observed : numpy.ndarray of bool, same shape
        """
        py, px, pt = self.parts
        my, mx, mt = self.m
        b = sel[:, 0]
        sy, sx, st = py.starts[sel[:, 1]], px.starts[sel[:, 2]], pt.starts[sel[:, 3]]
        view = sliding_window_view(self.d_ext, (py.fft, px.fft, pt.fft), axis=(1, 2, 3))
        x = view[b, sy, sx, st]  # fancy indexing: a copy
        lw = sliding_window_view(self.live_ext, (py.fft, px.fft), axis=(1, 2))[b, sy, sx]
        lw[:, :my] = False
        lw[:, my + py.length :] = False
        lw[:, :, :mx] = False
        lw[:, :, mx + px.length :] = False
        tw = sliding_window_view(self.t_ext, pt.fft)[st]
        tw[:, :mt] = False
        tw[:, mt + pt.length :] = False
        observed = lw[..., None] & tw[:, None, None, :]
        np.multiply(x, observed, out=x)
        return x, observed


def _blend(
    estimate: np.ndarray, est: np.ndarray, sel: np.ndarray, parts: tuple[_fk.AxisPartition, ...]
) -> None:
    """Add the tapered window estimates ``est`` into ``estimate`` (in place)."""
    py, px, pt = parts
    my, mx, mt = (_margin(p) for p in parts)
    keys = sel[:, 1:]
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    for g, (iy, ix, it) in enumerate(uniq):
        ks = np.flatnonzero(inverse == g)
        bs = sel[ks, 0]
        w = windows.outer(py.weights[iy], px.weights[ix], pt.weights[it])
        sy, sx, st = py.starts[iy], px.starts[ix], pt.starts[it]
        region = (
            bs,
            slice(sy, sy + py.length),
            slice(sx, sx + px.length),
            slice(st, st + pt.length),
        )
        estimate[region] += (
            w * est[ks, my : my + py.length, mx : mx + px.length, mt : mt + pt.length]
        )
