"""pydrr (Chen et al.'s damped rank reduction, PyPI ``pydrr==0.0.2.1``) on seisfill's layout.

pydrr 0.0.2.1 was written for NumPy 1: it uses ``np.complex_`` and ``np.mat``,
both gone in NumPy 2, so this module puts those two names back on numpy
(``np.complex128`` and ``np.asmatrix``, what they always meant) before it
imports pydrr, instead of pinning an old NumPy.  Its windowed driver
``drr3drecon_win`` also breaks on 2-D data (``drr3drecon`` squeezes the third
axis of a one-crossline window away and ``win_weight3d`` then indexes three
axes), so :func:`pydrr_fill` calls pydrr's own window loop ``win3dmask`` with
``drr3drecon`` wrapped to give the axis back.  Everything else is pydrr's
code, run as its demos run it, with its printing silenced.

Used by ``benchmarks/drr_vs_pydrr.py`` and the benchmark smoke test; import
:data:`pydrr_available` to skip cleanly where pydrr is not installed
(``pip install pydrr==0.0.2.1``, part of seisfill's ``dev`` extra).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Sequence

import numpy as np

__all__ = ["pydrr_fill", "pydrr_available"]

# the NumPy 1 names pydrr uses, put back before it is imported
for _name, _value in (("complex_", np.complex128), ("mat", np.asmatrix)):
    if not hasattr(np, _name):
        setattr(np, _name, _value)

try:
    with contextlib.redirect_stdout(io.StringIO()):
        from pydrr.drr3d import drr3drecon
        from pydrr.window import win3dmask
except ImportError:  # pragma: no cover - depends on the environment
    pydrr_available = False
else:
    pydrr_available = True

#: pydrr's sample interval; irrelevant to the result (the band is given as fractions of Nyquist)
_DT = 0.004


def _recon(block: np.ndarray, param: dict) -> np.ndarray:
    """pydrr's ``localdrr3drecon`` that keeps the third axis of a 2-D window."""
    out = drr3drecon(
        block, param["mask"], param["flow"], param["fhigh"], _DT, param["N"], param["K"],
        param["niter"], 0.0, param["mode"], param["a"], 0,
    )  # fmt: skip
    return np.asarray(out).reshape(block.shape)


def pydrr_fill(
    data: np.ndarray,
    live: np.ndarray,
    *,
    rank: int,
    damping: float,
    n_iter: int,
    window: Sequence[int | None] | None = None,
    overlap: float = 0.5,
    alpha: float = 1.0,
    band: tuple[float, float] | None = None,
) -> np.ndarray:
    """Fill the non-live traces of one gather or cube with pydrr's ``drr3drecon``.

    Parameters
    ----------
    data : numpy.ndarray, shape (n_trace, n_time) or (n_inline, n_crossline, n_time)
        seisfill's trace-major layout; samples of non-live traces are ignored.
    live : numpy.ndarray of bool, shape ``data.shape[:-1]``
    rank : int
        pydrr's ``N``: singular values kept per frequency.
    damping : float
        pydrr's ``K``: the damping exponent.
    n_iter : int
        pydrr's ``Niter``; every iteration runs (``eps=0``: no early stop).
    window : tuple, optional
        ``(nt_win, nx_win[, ny_win])`` (time, crossline or trace, inline): pydrr's
        ``n1win, n2win, n3win``; None (or an entry None, or one larger than the data)
        is the whole axis.
    overlap : float
        pydrr's ``r1 = r2 = r3``, fraction of a window shared with the next.
    alpha : float
        Last weight of the re-insertion: 1 is pydrr's ``mode=0`` (live samples
        re-inserted as recorded every iteration), below 1 ``mode=1`` with weights
        falling linearly from 1 to ``alpha`` (pydrr's demos use 0).
    band : (float, float), optional
        Frequencies processed, fractions of Nyquist (pydrr's ``flow, fhigh``);
        default all.

    Returns
    -------
    numpy.ndarray of float32, shape of ``data``
        Live traces as given, the others pydrr's estimate.
    """
    if not pydrr_available:
        raise ImportError("pydrr is not installed: pip install pydrr==0.0.2.1")
    arr = np.asarray(data, dtype=np.float64)
    live = np.asarray(live, dtype=bool)
    cube = arr if arr.ndim == 3 else arr[None]  # (n_y, n_x, n_t)
    lv = live if live.ndim == 2 else live[None]
    d = np.where(lv[..., None], cube, 0.0).transpose(2, 1, 0)  # pydrr: (n_t, n_x, n_y)
    mask = np.broadcast_to(lv.T[None].astype(np.float64), d.shape).copy()
    nwin = [None, None, None] if window is None else list(window) + [None] * (3 - len(window))
    nwin = [n if w is None else min(int(w), n) for w, n in zip(nwin, d.shape, strict=True)]
    lo, hi = band if band is not None else (0.0, 1.0)
    a = np.linspace(1.0, alpha, n_iter) if alpha < 1 else np.ones(n_iter)
    param = {
        "flow": lo * 0.5 / _DT, "fhigh": hi * 0.5 / _DT, "N": int(rank), "K": float(damping),
        "niter": int(n_iter), "mode": int(alpha < 1), "a": a, "verb": 0,
    }  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)  # np.mat -> np.matrix
        out = win3dmask(_recon, mask, param, d, *nwin, overlap, overlap, overlap)
    est = np.asarray(out).transpose(2, 1, 0).reshape(arr.shape)
    return np.where(live[..., None], arr, est).astype(np.float32)
