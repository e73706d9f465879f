"""Private kernels of the f-x prediction interpolator, batched over frequencies.

Every function here works on a stack of ``P`` independent problems (one per
gather, time window and frequency), each a complex sequence along ``N``
trace slots of a regular grid.  Nothing loops over traces; the only Python
loops run over the few filter lags.

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
    gram = None
    rhs = None
    for spectra, known, stride in sources:
        idx = chains(known, stride, length)
        if idx.shape[0] == 0:
            continue
        s = np.asarray(spectra, dtype=np.complex128)
        power = np.mean(np.abs(s[:, known]) ** 2, axis=1) + _TINY
        # forward: predict the last slot of a chain from the L before it (nearest first)
        a_fwd = s[:, idx[:, length - 1 :: -1]]
        b_fwd = s[:, idx[:, length]]
        # backward, conjugated so the unknown is the same a: predict the first slot
        a_bwd = np.conj(s[:, idx[:, 1:]])
        b_bwd = np.conj(s[:, idx[:, 0]])
        mat = np.concatenate([a_fwd, a_bwd], axis=1)
        vec = np.concatenate([b_fwd, b_bwd], axis=1)
        mat_h = np.conj(mat).transpose(0, 2, 1)
        g = (mat_h @ mat) / power[:, None, None]
        r = (mat_h @ vec[:, :, None])[:, :, 0] / power[:, None]
        gram = g if gram is None else gram + g
        rhs = r if rhs is None else rhs + r
    if gram is None or rhs is None:
        raise ValueError("no prediction equations")  # callers check count_rows first
    return _damped_solve(gram, rhs, prewhiten)


def _damped_solve(gram: np.ndarray, rhs: np.ndarray, damping: float) -> np.ndarray:
    """Solve ``(G + damping * mean(diag G) I) x = rhs`` for every problem of the stack."""
    n = gram.shape[-1]
    diag = np.real(np.trace(gram, axis1=1, axis2=2)) / n
    floor = 1e-12 * float(np.max(diag)) if diag.size else 0.0
    load = damping * diag + floor + _TINY
    g = gram.copy()
    g[:, np.arange(n), np.arange(n)] += load[:, None]
    return np.linalg.solve(g, rhs[:, :, None])[:, :, 0]


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
    prediction-error operators (see :func:`pef_gram`).  The normal equations
    ``E_u^H E_u u = -E_u^H E_k x_k`` are assembled lag pair by lag pair
    straight into the unknown slots, never forming ``E`` or the full Gram
    matrix.

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
    n = known.size
    p, length = a.shape
    unknown = ~known
    n_u = int(np.count_nonzero(unknown))
    slot_to_u = np.cumsum(unknown) - 1
    h = _lag_products(a)
    xk = np.where(known[None, :], np.asarray(x, dtype=np.complex128), 0)
    g_uu = np.zeros((p, n_u, n_u), dtype=np.complex128)
    rhs = np.zeros((p, n_u), dtype=np.complex128)
    rows = np.arange(n - length)
    for k1 in range(length + 1):
        p_slot = rows + k1
        p_unknown = unknown[p_slot]
        for k2 in range(length + 1):
            q_slot = rows + k2
            both = p_unknown & unknown[q_slot]
            if both.any():
                g_uu[:, slot_to_u[p_slot[both]], slot_to_u[q_slot[both]]] += h[:, k1, k2, None]
            mixed = p_unknown & known[q_slot]
            if mixed.any():
                # p_slot[mixed] are distinct, so a plain fancy-index update is safe
                rhs[:, slot_to_u[p_slot[mixed]]] -= h[:, k1, k2, None] * xk[:, q_slot[mixed]]
    return _damped_solve(g_uu, rhs, damping)


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
