"""Private kernels of the f-x prediction interpolator, batched over frequencies.

Every function here works on a stack of ``P`` independent problems (one per
gather, time window and frequency), each a complex sequence along ``N``
trace slots of a regular grid.  Nothing loops over traces or frequencies:
Python loops run over the few filter lags, and the banded solves
(:func:`solve_banded`) over the unknown slots of a window, each step
vectorised over the whole stack (the problems are far too small for one
LAPACK call each).  Stacks are laid out problems last, ``(N, P)``, inside.

Conventions
-----------
``a`` (shape ``(P, L)``) is a forward prediction filter on the *dense* grid:
``x[j] = sum_m a[m - 1] x[j - m]`` (``m = 1 .. L``).  For a sum of plane
waves in f-x the same data read backwards are predicted by ``conj(a)``:
``x[j] = sum_m conj(a[m - 1]) x[j + m]`` (reverse the sequence and take the
complex conjugate: the plane-wave roots ``z`` on the unit circle become
``1 / conj(z) = z``), so both directions share one unknown filter
(forward-backward, "modified covariance" linear prediction).
"""

from __future__ import annotations

import numpy as np

from seisfill import windows

_TINY = 1e-30


def chains(known: np.ndarray, stride: int, length: int) -> np.ndarray:
    """Runs of ``length + 1`` known slots spaced ``stride`` apart.

    Parameters
    ----------
    known : numpy.ndarray of bool, shape (N,)
    stride, length : int

    Returns
    -------
    numpy.ndarray of intp, shape (n_chain, length + 1)
        Increasing slot indices ``j, j + stride, ..., j + length * stride``,
        all known.
    """
    n = known.size
    span = stride * length
    if span >= n:
        return np.empty((0, length + 1), dtype=np.intp)
    idx = np.arange(n - span)[:, None] + stride * np.arange(length + 1)[None, :]
    return idx[known[idx].all(axis=1)]


def count_rows(known: np.ndarray, strides: list[int], length: int) -> int:
    """Number of prediction equations (forward + backward) the strides give."""
    return 2 * sum(chains(known, s, length).shape[0] for s in strides)


def estimate_pef(
    sources: list[tuple[np.ndarray, np.ndarray, int]], length: int, prewhiten: float
) -> np.ndarray:
    """Least-squares dense-grid prediction filters from one or more sources.

    Parameters
    ----------
    sources : list of (spectra, known, stride)
        ``spectra`` (P, N) complex: the data of the ``N`` slots at a frequency
        that makes a step of ``stride`` slots equivalent to one dense step at
        the target frequency (Spitz: the spectrum at ``f / stride``);
        ``known`` (N,) bool: slots that hold data; ``stride``: int.  Every run
        of ``length + 1`` known slots spaced ``stride`` apart gives one
        forward and one backward equation.  Each source's equations are
        divided by its mean power per frequency, so sources weigh the same
        whatever their amplitude.
    length : int
        Filter length ``L``.
    prewhiten : float
        Added to the diagonal of the normal equations as a fraction of its
        mean (0.01 = 1 % pre-whitening).

    Returns
    -------
    numpy.ndarray of complex128, shape (P, L)
        Forward filters ``a`` (see the module notes).
    """
    gram, rhs = pef_normal_equations(sources, length)
    return solve_filters([(gram, rhs)], prewhiten)[0]


def pef_normal_equations(
    sources: list[tuple[np.ndarray, np.ndarray, int]], length: int
) -> tuple[np.ndarray, np.ndarray]:
    """Normal equations of :func:`estimate_pef`, summed over its sources.

    With ``v_j`` the ``L + 1`` slots ``j, j + s, ..., j + L s`` of a run and
    ``C[k1, k2] = sum_j conj(v_j[k1]) v_j[k2]`` over the runs, the forward
    equations give ``G[l, m] = C[L-1-l, L-1-m]`` and ``r[l] = C[L-1-l, L]``,
    the backward ones ``G[l, m] = C[m+1, l+1]`` and ``r[l] = C[0, l+1]``:
    the equations themselves are never formed.

    Parameters
    ----------
    sources, length
        As for :func:`estimate_pef`.

    Returns
    -------
    gram : numpy.ndarray of complex128, shape (L, L, P)
    rhs : numpy.ndarray of complex128, shape (L, P)

    Raises
    ------
    ValueError
        No source has a run of ``L + 1`` known slots (callers check
        :func:`count_rows` first).
    """
    gram = None
    rhs = None
    rev = np.arange(length - 1, -1, -1)
    for spectra, known, stride in sources:
        starts = chains(known, stride, length)[:, 0]
        if starts.size == 0:
            continue
        x = np.ascontiguousarray(np.asarray(spectra, dtype=np.complex128).T)  # (N, P)
        power = np.mean(np.abs(x[known]) ** 2, axis=0) + _TINY
        cov = _run_covariance(x, starts, stride, length) / power  # (L+1, L+1, P)
        g = cov[rev[:, None], rev[None, :]] + np.swapaxes(cov[1:, 1:], 0, 1)
        r = cov[rev, length] + cov[0, 1:]
        gram = g if gram is None else gram + g
        rhs = r if rhs is None else rhs + r
    if gram is None or rhs is None:
        raise ValueError("no prediction equations")
    return gram, rhs


def _run_covariance(x: np.ndarray, starts: np.ndarray, stride: int, length: int) -> np.ndarray:
    """``C[k1, k2] = sum_j conj(x[j + k1 s]) x[j + k2 s]`` over the run starts ``j``.

    Parameters
    ----------
    x : numpy.ndarray of complex128, shape (N, P)
    starts : numpy.ndarray of intp, shape (n_run,)

    Returns
    -------
    numpy.ndarray of complex128, shape (L + 1, L + 1, P), Hermitian in its first two axes
    """
    n, p = x.shape
    cov = np.empty((length + 1, length + 1, p), dtype=np.complex128)
    for lag in range(length + 1):
        shift = lag * stride
        prod = np.conj(x[: n - shift]) * x[shift:]  # slot i with slot i + lag * s
        k1 = np.arange(length + 1 - lag)
        # the k1-th slot of each run (j + k1 s) with the slot lag steps later; summed by
        # gathering, not by a BLAS product (whose threads fight a network's on few cores)
        summed = prod[starts[:, None] + stride * k1[None, :]].sum(axis=0)  # (L + 1 - lag, P)
        cov[k1, k1 + lag] = summed
        cov[k1 + lag, k1] = np.conj(summed)
    return cov


def solve_filters(systems: list[tuple[np.ndarray, np.ndarray]], prewhiten: float) -> list[np.ndarray]:
    """Prediction filters from stacks of normal equations, all solved together.

    Parameters
    ----------
    systems : list of (gram, rhs)
        ``gram`` (L, L, P_i) Hermitian, ``rhs`` (L, P_i), as
        :func:`pef_normal_equations` returns them (one per spatial window).
    prewhiten : float
        As for :func:`estimate_pef`; its floor is taken per problem, so no
        result depends on what it is solved with.

    Returns
    -------
    list of numpy.ndarray of complex128, shape (P_i, L)
    """
    bands = []
    for gram, rhs in systems:
        n = gram.shape[0]
        band = np.zeros((n, n) + gram.shape[2:], dtype=np.complex128)
        for d in range(n):
            band[d, : n - d] = gram[np.arange(n - d), np.arange(d, n)]
        bands.append((band, rhs))
    return [x.T for x in solve_banded(bands, prewhiten)]


def solve_banded(
    systems: list[tuple[np.ndarray, np.ndarray]], damping: float
) -> list[np.ndarray]:
    """Damped solves of stacks of banded Hermitian systems, all factorised together.

    Each problem is loaded with ``damping * mean(diag G)`` plus a tiny floor
    (``1e-12`` of that mean diagonal), which makes it
    positive definite; the systems are then stacked, largest first, and
    solved by one vectorised banded Cholesky factorisation ``G = U^H U``
    (each step skips the systems that have no such row).  A system's result
    does not depend on the others it is stacked with.

    Parameters
    ----------
    systems : list of (band, rhs)
        ``band`` (w_i + 1, n_i, P_i): the upper band, ``band[d, k] = G[k, k + d]``
        (zero past ``n_i``); ``rhs`` (n_i, P_i).
    damping : float

    Returns
    -------
    list of numpy.ndarray of complex128, shape (n_i, P_i)
    """
    if not systems:
        return []
    # largest systems first: the problems still being factorised at row k are a prefix
    order = sorted(range(len(systems)), key=lambda i: -systems[i][0].shape[1])
    width = max(band.shape[0] for band, _ in systems)
    n = systems[order[0]][0].shape[1]
    edges = np.cumsum([0] + [systems[i][1].shape[1] for i in order])
    band_all = np.zeros((width, n, edges[-1]), dtype=np.complex128)
    rhs_all = np.zeros((n, edges[-1]), dtype=np.complex128)
    active = np.zeros(n, dtype=np.intp)  # active[k]: problems with a row k
    for i, p0, p1 in zip(order, edges[:-1], edges[1:], strict=True):
        band, rhs = systems[i]
        w1, m = band.shape[:2]
        active[:m] = p1
        if m == 0:
            continue
        diag = np.mean(band[0].real, axis=0)
        floor = 1e-12 * diag  # per problem: a result never depends on what it is stacked with
        band_all[:w1, :m, p0:p1] = band
        band_all[0, :m, p0:p1] += damping * diag + floor + _TINY
        rhs_all[:m, p0:p1] = rhs
    x = _cholesky_solve(band_all, rhs_all, active)
    out: list[np.ndarray] = [np.empty(0)] * len(systems)
    for i, p0, p1 in zip(order, edges[:-1], edges[1:], strict=True):
        out[i] = x[: systems[i][0].shape[1], p0:p1]
    return out


def _cholesky_solve(band: np.ndarray, rhs: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Solve banded Hermitian positive definite systems, ``G = U^H U``, vectorised over ``P``.

    Parameters
    ----------
    band : numpy.ndarray of complex128, shape (w + 1, n, P)
        Upper band, ``band[d, k] = G[k, k + d]`` (zero where ``k + d`` is past
        a system's size); overwritten by ``U`` (its diagonal is returned
        separately).
    rhs : numpy.ndarray of complex128, shape (n, P)
    active : numpy.ndarray of intp, shape (n,)
        Row ``k`` exists in problems ``:active[k]`` only (non-increasing).

    Returns
    -------
    numpy.ndarray of complex128, shape (n, P)
        Zero in the rows a problem does not have.
    """
    w1, n = band.shape[:2]
    root = np.ones(band.shape[1:])
    for k in range(n):
        e = min(w1 - 1, n - 1 - k)
        p = active[k]
        root[k, :p] = np.sqrt(band[0, k, :p].real)
        if e == 0:
            continue
        row = band[1 : e + 1, k, :p] / root[k, :p]  # U[k, k + 1 .. k + e]
        band[1 : e + 1, k, :p] = row
        conj_row = np.conj(row)
        for d1 in range(1, e + 1):  # G[k + d1, k + d1 + dd] -= conj(U[k, k + d1]) U[k, k + d1 + dd]
            q = active[k + d1]
            band[: e - d1 + 1, k + d1, :q] -= conj_row[d1 - 1, :q] * row[d1 - 1 :, :q]
    # lower[d, k] = conj(U[k - d, k]): U^H's band, read with slices below
    lower = np.zeros_like(band)
    for d in range(1, w1):
        lower[d, d:] = np.conj(band[d, : n - d])
    y = np.zeros_like(rhs)
    for k in range(n):  # U^H y = rhs
        e, p = min(w1 - 1, k), active[k]
        acc = rhs[k, :p]
        if e:
            acc = acc - np.sum(lower[1 : e + 1, k, :p] * y[k - 1 :: -1, :p][:e], axis=0)
        y[k, :p] = acc / root[k, :p]
    x = np.zeros_like(rhs)
    for k in range(n - 1, -1, -1):  # U x = y
        e, p = min(w1 - 1, n - 1 - k), active[k]
        acc = y[k, :p]
        if e:
            acc = acc - np.sum(band[1 : e + 1, k, :p] * x[k + 1 : k + 1 + e, :p], axis=0)
        x[k, :p] = acc / root[k, :p]
    return x


def _lag_products(a: np.ndarray) -> np.ndarray:
    """``h[k1, k2]``: what slots ``i + k1`` and ``i + k2`` of one forward and one
    backward prediction-error row (both starting at slot ``i``) add to ``E^H E``.

    The forward row ``i`` is ``x[i + L] - sum_m a[m-1] x[i + L - m]``, the
    backward row ``i`` is ``x[i] - sum_m conj(a[m-1]) x[i + m]``
    (``i = 0 .. N - L - 1``): both touch slots ``i .. i + L`` only.

    Returns
    -------
    numpy.ndarray of complex128, shape (P, L + 1, L + 1)
    """
    p = a.shape[0]
    c = np.concatenate(
        [np.ones((p, 1), dtype=np.complex128), -np.asarray(a, np.complex128)], axis=1
    )
    fwd = c[:, ::-1]  # coefficient of slot i + k in forward row i
    bwd = np.conj(c)  # coefficient of slot i + k in backward row i
    return np.conj(fwd)[:, :, None] * fwd[:, None, :] + np.conj(bwd)[:, :, None] * bwd[:, None, :]


def pef_gram(a: np.ndarray, n: int) -> np.ndarray:
    """Gram matrix ``E^H E`` of the forward and backward prediction-error operators.

    Parameters
    ----------
    a : numpy.ndarray, shape (P, L)
    n : int
        Number of slots, larger than ``L``.

    Returns
    -------
    numpy.ndarray of complex128, shape (P, n, n)
        Banded (``|p - q| <= L``), summed lag pair by lag pair.
    """
    length = a.shape[1]
    h = _lag_products(a)
    gram = np.zeros((a.shape[0], n, n), dtype=np.complex128)
    rows = np.arange(n - length)
    for k1 in range(length + 1):
        for k2 in range(length + 1):
            gram[:, rows + k1, rows + k2] += h[:, k1, k2, None]
    return gram


def pef_fill(x: np.ndarray, known: np.ndarray, a: np.ndarray, damping: float) -> np.ndarray:
    """Fill unknown slots by minimising the prediction error, known slots fixed.

    Solves ``min_u ||E_u u + E_k x_k||^2 + damping * mean(diag) ||u||^2`` for
    every problem of the stack, with ``E`` the forward and backward
    prediction-error operators (see :func:`pef_gram`): the system of
    :func:`pef_fill_system` through :func:`solve_banded`.

    Parameters
    ----------
    x : numpy.ndarray, shape (P, N), complex
        Spectra; unknown slots are ignored.
    known : numpy.ndarray of bool, shape (N,)
    a : numpy.ndarray, shape (P, L)
    damping : float

    Returns
    -------
    numpy.ndarray of complex128, shape (P, n_unknown)
        The unknown slots, in slot order.
    """
    return solve_banded([pef_fill_system(x, known, a)], damping)[0].T


def pef_fill_system(
    x: np.ndarray, known: np.ndarray, a: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Normal equations ``E_u^H E_u u = -E_u^H E_k x_k`` of :func:`pef_fill`, banded.

    ``E^H E`` is banded (``|p - q| <= L``); its band is summed lag pair by
    lag pair, and ``E_u^H E_u`` read off it is banded too, in the unknown
    slots' order (two unknowns couple only when at most ``L`` slots apart).
    Neither ``E`` nor a full Gram matrix is formed.

    Parameters
    ----------
    x, known, a
        As for :func:`pef_fill`.

    Returns
    -------
    band : numpy.ndarray of complex128, shape (w + 1, n_unknown, P)
        Upper band of ``E_u^H E_u`` (``w = min(L, n_unknown - 1)``).
    rhs : numpy.ndarray of complex128, shape (n_unknown, P)
    """
    n = known.size
    length = a.shape[1]
    uidx = np.flatnonzero(~known)
    band = _pef_band(a, n)  # (L + 1, N, P)
    xk = np.where(known[:, None], np.asarray(x, dtype=np.complex128).T, 0)  # (N, P)
    # E^H E x_k at the unknown slots: the upper band times the slots after, its
    # conjugate times the slots before (x_k is zero at unknown slots)
    full = np.zeros_like(xk)
    for d in range(1, min(length, n - 1) + 1):
        full[: n - d] += band[d, : n - d] * xk[d:]
        full[d:] += np.conj(band[d, : n - d]) * xk[: n - d]
    rhs = -full[uidx]
    width = min(length, max(uidx.size - 1, 0))
    band_u = np.zeros((width + 1, uidx.size, band.shape[2]), dtype=np.complex128)
    for d in range(width + 1):
        gap = uidx[d:] - uidx[: uidx.size - d]
        near = np.flatnonzero(gap <= length)
        band_u[d, near] = band[gap[near], uidx[near]]
    return band_u, rhs


def _pef_band(a: np.ndarray, n: int) -> np.ndarray:
    """Upper band of ``E^H E`` (:func:`pef_gram`): ``band[d, p] = (E^H E)[p, p + d]``.

    Returns
    -------
    numpy.ndarray of complex128, shape (L + 1, n, P)
    """
    length = a.shape[1]
    h = np.ascontiguousarray(_lag_products(a).transpose(1, 2, 0))  # (L + 1, L + 1, P)
    band = np.zeros((length + 1, n, a.shape[0]), dtype=np.complex128)
    rows = n - length  # rows of E (forward and backward each): slots i .. i + L
    for d in range(length + 1 if rows > 0 else 0):
        for k in range(length + 1 - d):
            band[d, k : k + rows] += h[k, k + d]
    return band


def taper_windows(n: int, length: int, overlap: int) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping windows whose weights sum to one (a partition of unity).

    Window starts are spread evenly over ``[0, n - length]`` with at least
    ``overlap`` samples shared by neighbours
    (:func:`seisfill.windows.window_starts`); each window rises and falls
    with sin^2 ramps over its actual overlaps (flat at the ends of the data,
    :func:`seisfill.windows.blend_weights`), and the weights are divided by
    their sum (:func:`seisfill.windows.normalize_weights`), so they add up to
    exactly one (to rounding) at every sample.

    Parameters
    ----------
    n, length, overlap : int
        ``1 <= length <= n``, ``0 <= overlap < length``.

    Returns
    -------
    starts : numpy.ndarray of intp, shape (n_window,)
    weights : numpy.ndarray of float64, shape (n_window, length)
    """
    length = min(length, n)
    starts = windows.window_starts(n, length, overlap, "spread")
    weights = windows.blend_weights(starts, length)
    windows.normalize_weights(weights, [(slice(s, s + length),) for s in starts], (n,))
    return starts, weights


def band_weights(n_freq: int, nfft: int, band: tuple[float, float], taper: float) -> np.ndarray:
    """Per-bin weight: 1 inside ``band`` (fractions of Nyquist), cosine ramps of width ``taper``.

    The ramps lie inside the band: the weight rises from 0 at ``band[0]`` to
    1 at ``band[0] + taper`` and falls back to 0 at ``band[1]``; a band edge
    at 0 (zero frequency) has no ramp.

    Returns
    -------
    numpy.ndarray of float64, shape (n_freq,)
    """
    frac = 2.0 * np.arange(n_freq) / nfft
    lo, hi = band
    w = ((frac >= lo) & (frac <= hi)).astype(np.float64)
    if taper > 0:
        width = min(taper, 0.5 * (hi - lo))
        if lo > 0:
            rise = np.clip((frac - lo) / width, 0.0, 1.0)
            w *= np.sin(0.5 * np.pi * rise) ** 2
        fall = np.clip((hi - frac) / width, 0.0, 1.0)
        w *= np.sin(0.5 * np.pi * fall) ** 2
    return w
