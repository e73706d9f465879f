"""Private kernels of damped rank reduction (:mod:`seisfill.classical.drr`).

Everything here works on a *stack* of frequency slices: complex arrays of
shape ``(P, n)``, one slice per window and frequency, ``n = n_y * n_x``
spatial samples of a ``(n_y, n_x)`` grid flattened in C order (``n_y = 1``
for 2-D windows).  The pieces are

* the (block) Hankel matrix of a grid as an operator (:class:`Hankel`):
  products with it and with its adjoint, and the anti-diagonal average of a
  low-rank product, computed as FFT correlations and convolutions of the
  grid itself (1-D along x in 2-D, 2-D in 3-D) -- the matrices, ``(n_y n_x / 4)^2`` entries in 3-D, are never
  formed (:meth:`Hankel.matrix` builds them for the exact SVD and the tests);
* the damped truncated SVD of a stack of matrices (:func:`damped_lowrank`),
  randomized (a subspace iteration warm-started from the previous iterate)
  or exact (LAPACK);
* the reconstruction iteration (:func:`reconstruct`).

The FFTs run on one thread (``scipy.fft``, ``workers=1``) and the remaining
matrix products are tiny (``rank + 3`` columns): a batch does not lean on a
BLAS thread pool (measured: formed matrices and OpenBLAS products ran 8x
slower on 2 busy cores with its default threads), so the caller runs batches
side by side in its own threads.

Nothing here validates user input: :mod:`seisfill.classical.drr` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft

__all__: list[str] = []

#: extra columns of the randomized range finder beyond ``rank + 1``
OVERSAMPLE = 2
#: subspace iterations of the first randomized SVD of a reconstruction; later
#: iterations start from the previous iterate's right singular subspace
POWER_FIRST = 2
#: seed of the random starting block (one block shared by every slice: results do not
#: depend on how slices are batched)
SEED = 20160401


def _columns(v: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(P, m, c) matrix columns -> (P, c, *shape) grids."""
    return np.moveaxis(v, -1, -2).reshape(*v.shape[:-2], v.shape[-1], *shape)


def _matrix(g: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(P, c, n_y, n_x) grids cut to ``shape`` -> (P, m, c) matrix columns."""
    cut = g[..., : shape[0], : shape[1]]
    return np.moveaxis(cut.reshape(*cut.shape[:-2], shape[0] * shape[1]), -2, -1)


@dataclass(frozen=True)
class Hankel:
    """The (block) Hankel matrix of a ``(n_y, n_x)`` grid, as an operator.

    A 2-D window (``n_y = 1``) gives the ``L x K`` Hankel matrix
    ``H[i, j] = x[i + j]`` with ``L = n_x // 2 + 1`` and ``K = n_x - L + 1``.
    A 3-D window gives the block Hankel matrix of Hankel blocks: the inner
    Hankel runs along ``x`` (crosslines), the outer one along ``y`` (inlines),
    ``H[(a, i), (b, j)] = x[a + b, i + j]``, of shape ``(L_y L_x, K_y K_x)``
    (Oropeza and Sacchi, 2011).  Since ``L + K - 1 = n`` along each axis,
    ``H w`` is the circular cross-correlation of the grid with ``w`` on the
    grid's own FFT size (no wrap-around), and the anti-diagonal sums of
    ``u v^T`` are the circular convolution of ``u`` and ``v``.

    Attributes
    ----------
    shape : (int, int)
        ``(n_y, n_x)``.
    rows, cols : (int, int)
        ``(L_y, L_x)`` and ``(K_y, K_x)``.
    count : numpy.ndarray of float32, shape (n_y n_x,)
        Matrix entries that hold each grid sample (the anti-diagonal lengths).
    """

    shape: tuple[int, int]
    rows: tuple[int, int]
    cols: tuple[int, int]
    count: np.ndarray

    @property
    def _axes(self) -> dict:
        """FFT size and axes of the grid (only x in 2-D)."""
        if self.shape[0] == 1:
            return {"s": self.shape[1:], "axes": (-1,), "workers": 1}
        return {"s": self.shape, "axes": (-2, -1), "workers": 1}

    @property
    def size(self) -> tuple[int, int]:
        """The matrix shape ``(L, K)``."""
        return self.rows[0] * self.rows[1], self.cols[0] * self.cols[1]

    def index(self) -> np.ndarray:
        """Flat grid index of every matrix entry, shape (L, K)."""
        (l_y, l_x), (k_y, k_x) = self.rows, self.cols
        y = np.arange(l_y)[:, None, None, None] + np.arange(k_y)[None, None, :, None]
        x = np.arange(l_x)[None, :, None, None] + np.arange(k_x)[None, None, None, :]
        return (y * self.shape[1] + x).reshape(self.size)

    def matrix(self, x: np.ndarray) -> np.ndarray:
        """The matrices of a stack of slices ``x`` (P, n): shape (P, L, K)."""
        return x[:, self.index()]

    def spectrum(self, x: np.ndarray) -> np.ndarray:
        """FFT of the slices ``x`` (P, n) over the grid: shape (P, 1, n_y, n_x), for the products."""
        return sfft.fftn(x.reshape(x.shape[0], 1, *self.shape), **self._axes)

    def times(self, spec: np.ndarray, w: np.ndarray) -> np.ndarray:
        """``H w`` for ``w`` (P or 1, K, c), ``spec`` from :meth:`spectrum`: shape (P, L, c)."""
        n = self.shape[0] * self.shape[1]
        w_hat = sfft.ifftn(_columns(w, self.cols), **self._axes) * n
        return _matrix(sfft.ifftn(spec * w_hat, **self._axes), self.rows)

    def adjoint_times(self, spec: np.ndarray, q: np.ndarray) -> np.ndarray:
        """``H^H q`` for ``q`` (P, L, c): shape (P, K, c)."""
        q_hat = sfft.fftn(_columns(q, self.rows), **self._axes)
        return np.conj(_matrix(sfft.ifftn(spec * np.conj(q_hat), **self._axes), self.cols))

    def average(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Mean over the entries of each grid sample of ``left @ right``: back to slices.

        The least-squares projection of the product onto (block) Hankel
        structure (anti-diagonal averaging).

        Parameters
        ----------
        left : numpy.ndarray, shape (P, L, N)
        right : numpy.ndarray, shape (P, N, K)

        Returns
        -------
        numpy.ndarray, shape (P, n_y n_x)
        """
        u = sfft.fftn(_columns(left, self.rows), **self._axes)
        v = sfft.fftn(_columns(np.moveaxis(right, -1, -2), self.cols), **self._axes)
        sums = sfft.ifftn((u * v).sum(axis=1), **self._axes)
        return sums.reshape(sums.shape[0], -1) / self.count


def hankel(n_y: int, n_x: int) -> Hankel:
    """The (block) Hankel operator of a ``(n_y, n_x)`` grid (``n_y = 1``: plain Hankel)."""
    rows = (n_y // 2 + 1, n_x // 2 + 1)
    cols = (n_y - rows[0] + 1, n_x - rows[1] + 1)
    count = np.outer(
        np.convolve(np.ones(rows[0]), np.ones(cols[0])),
        np.convolve(np.ones(rows[1]), np.ones(cols[1])),
    ).ravel()
    return Hankel((n_y, n_x), rows, cols, count.astype(np.float32))


def _damping_factors(s: np.ndarray, rank: int, damping: float) -> np.ndarray:
    """``1 - (s_{N+1} / s_i)^K`` for the first ``rank`` singular values ``s`` (P, k), decreasing.

    ``s_{N+1} = 0`` when ``k == rank``; a zero ``s_i`` gets 0.
    """
    head = s[:, :rank]
    nxt = s[:, rank : rank + 1] if s.shape[1] > rank else np.zeros_like(s[:, :1])
    ratio = np.divide(nxt, head, out=np.ones_like(head), where=head > 0)
    return 1 - np.minimum(ratio, 1) ** damping


def _orthonormal(y: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the columns of every matrix of ``y`` (P, m, c) (Householder QR)."""
    return np.linalg.qr(y)[0]


def _ct(m: np.ndarray) -> np.ndarray:
    """Conjugate transpose of every matrix of a stack."""
    return np.conj(np.swapaxes(m, -1, -2))


def damped_lowrank(
    x: np.ndarray,
    hk: Hankel,
    rank: int,
    damping: float,
    *,
    exact: bool = False,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Damped rank-``rank`` approximation of the (block) Hankel matrix of every slice.

    ``H ~ sum_{i <= N} s_i (1 - (s_{N+1} / s_i)^K) u_i v_i^H``, returned as
    two factors whose product is the approximation.

    Randomized (Halko et al., 2011): ``Y = H Omega`` with ``k = N + 1 +
    OVERSAMPLE`` columns, ``Q`` an orthonormal basis of ``Y`` (after
    subspace iterations ``Y <- H H^H Q``), ``B = Q^H H`` (k x K); the
    singular values and left vectors of ``B`` come from the eigenvalues
    ``s_i^2`` and vectors ``w_i`` of the small ``B B^H`` (in complex128),
    and ``u_i s_i v_i^H = Q w_i w_i^H B`` needs no division by ``s_i``.
    Every product with ``H`` is an FFT correlation (:class:`Hankel`).

    Parameters
    ----------
    x : numpy.ndarray, complex, shape (P, n)
        The slices.
    hk : Hankel
        Their (block) Hankel operator, ``L x K``.
    rank : int
        ``N``, at most ``min(L, K)``.
    damping : float
        ``K > 0`` of the damping operator; ``inf``: plain truncation.
    exact : bool
        Form the matrices and take their full LAPACK SVD instead.
    start : numpy.ndarray, shape (P, K, k), optional
        Randomized: the ``basis`` of the previous call on nearby slices (one
        subspace iteration from it); default a seeded random start and
        :data:`POWER_FIRST` iterations.

    Returns
    -------
    left : numpy.ndarray, shape (P, L, N)
    right : numpy.ndarray, shape (P, N, K)
        ``left @ right`` is the damped approximation.
    basis : numpy.ndarray, shape (P, K, k)
        Spans the dominant right singular subspace: ``start`` of the next call.
    """
    n_l, n_k = hk.size
    k = min(rank + 1 + OVERSAMPLE, n_l, n_k)
    real = x.real.dtype
    if exact:
        u, s, vh = np.linalg.svd(hk.matrix(x), full_matrices=False)
        f = (_damping_factors(s, rank, damping) * s[:, :rank]).astype(real)
        return u[:, :, :rank] * f[:, None, :], vh[:, :rank], _ct(vh[:, :k])
    spec = hk.spectrum(x)
    if start is None:
        rng = np.random.default_rng(SEED)
        omega = rng.standard_normal((1, n_k, k)) + 1j * rng.standard_normal((1, n_k, k))
        y = hk.times(spec, omega.astype(x.dtype))
        for _ in range(POWER_FIRST):
            y = hk.times(spec, _orthonormal(hk.adjoint_times(spec, _orthonormal(y))))
    else:
        y = hk.times(spec, start)
    q = _orthonormal(y)  # (P, L, k)
    bh = hk.adjoint_times(spec, q)  # B^H, (P, K, k)
    lam, w = np.linalg.eigh((_ct(bh) @ bh).astype(np.complex128))
    lam, w = lam[:, ::-1], w[:, :, ::-1].astype(x.dtype)  # decreasing
    f = _damping_factors(np.sqrt(np.maximum(lam, 0)), rank, damping).astype(real)
    w = w[:, :, :rank]
    return (q @ w) * f[:, None, :], _ct(bh @ w), bh


def reconstruct(
    observed: np.ndarray,
    mask: np.ndarray,
    hk: Hankel,
    weights: np.ndarray,
    rank: int,
    damping: float,
    *,
    exact: bool = False,
) -> np.ndarray:
    """Iterate ``x_{k+1} = a_k d + (1 - a_k M) R(x_k)`` from ``x_0 = d``.

    ``R`` is the damped rank reduction of each slice's (block) Hankel matrix
    followed by the anti-diagonal average; ``M`` the sampling mask.

    Parameters
    ----------
    observed : numpy.ndarray, complex, shape (P, n)
        Frequency slices (of windows, at frequencies), zero where not observed.
    mask : numpy.ndarray of float, shape (P, n)
        1 at observed samples, 0 elsewhere.
    hk : Hankel
        The (block) Hankel operator of the slices' grid (``n = n_y n_x``).
    weights : numpy.ndarray of float, shape (n_iter,)
        ``a_k``, from 1 down (1 everywhere: the recorded samples are put back
        as recorded every iteration).
    rank, damping, exact
        As for :func:`damped_lowrank` (``rank`` clipped to the matrix size).

    Returns
    -------
    numpy.ndarray, shape (P, n)
    """
    rank = min(rank, *hk.size)
    x = observed
    basis = None
    for a in weights.tolist():
        left, right, basis = damped_lowrank(x, hk, rank, damping, exact=exact, start=basis)
        reduced = hk.average(left, right).astype(x.dtype, copy=False)
        x = observed + (1 - mask) * reduced if a == 1 else a * observed + (1 - a * mask) * reduced
    return x
