"""Overlapping windows blended by sine-squared weights that sum to one.

Every windowed method in seisfill cuts an axis into overlapping windows, works
on each window, and blends the windows' results back with weights that form a
partition of unity: on every sample the weights of the windows covering it
add up to one.  The pieces are

* the rising taper :func:`ramp`, ``sin^2(pi (k + 1/2) / (2 n))``, computed in
  float64 and cast once to the requested dtype;
* :func:`blend_weights`: each window's 1-D weight, a ramp over its overlap
  with each neighbour and 1 elsewhere (flat at the ends of the axis);
* :func:`outer`: the weight of an N-D window, the product of its 1-D weights;
* :func:`normalize_weights`: divide weights by their sum on every sample.

Where the windows go is a separate choice (:func:`window_starts`), and
seisfill makes three:

* ``"hop"`` (f-k POCS): a fixed hop from 0, the last window running past the
  data; the falling ramp is the exact complement of the rising one, so the
  weights sum to one without normalising;
* ``"spread"`` (f-x prediction): starts spread evenly from 0 to
  ``n - length``; weights normalised by their sum;
* ``"clamped"`` (networks): a fixed step from 0, the last window moved back
  to end at ``n``; weights normalised by their sum.

Windows placed by one rule do not give the same result as windows placed by
another, so each method keeps its own rule.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = [
    "ramp",
    "blend_weights",
    "outer",
    "normalize_weights",
    "window_starts",
    "PLACEMENTS",
]

#: where windows go along an axis (:func:`window_starts`)
PLACEMENTS = ("hop", "spread", "clamped")


def ramp(n: int, dtype: npt.DTypeLike = np.float64) -> np.ndarray:
    """Rising sine-squared taper of ``n`` samples, ``r[k] = sin^2(pi (k + 1/2) / (2 n))``.

    Parameters
    ----------
    n : int
        Length, ``n >= 0``.
    dtype : numpy dtype
        Result dtype.  The ramp is computed in float64 and cast once.

    Returns
    -------
    numpy.ndarray, shape (n,)
        Increasing, between 0 and 1, symmetric: ``r[k] + r[n - 1 - k] == 1``
        up to rounding.  The falling taper is ``r[::-1]``, or ``1 - r`` (in
        ``dtype``) where the two must add up to exactly one.
    """
    k = np.arange(n, dtype=np.float64)
    return (np.sin(0.5 * np.pi * (k + 0.5) / max(n, 1)) ** 2).astype(dtype)


def blend_weights(
    starts: npt.ArrayLike,
    length: int,
    *,
    cap: int | None = None,
    dtype: npt.DTypeLike = np.float64,
    complement: bool = False,
) -> np.ndarray:
    """1-D blending weight of each window of ``length`` samples placed at ``starts``.

    A window's weight rises over the samples it shares with the window
    before it (:func:`ramp`), falls over those it shares with the window
    after it, and is 1 elsewhere: the first window does not rise and the last
    does not fall, so the ends of the axis keep full weight.  Where a rise
    and a fall cross (a window overlapping both neighbours by more than half)
    the smaller weight wins.

    Parameters
    ----------
    starts : sequence of int, shape (m,)
        Window starts, increasing.
    length : int
        Window length.
    cap : int, optional
        Longest ramp: a ramp covers ``min(overlap, cap)`` samples of an
        overlap.  Default: the whole overlap.
    dtype : numpy dtype
    complement : bool
        Fall as ``1 - r`` (in ``dtype``) instead of ``r[::-1]``: then two
        neighbours whose ramps cover their whole overlap add up to exactly 1
        there, without normalising.

    Returns
    -------
    numpy.ndarray of dtype, shape (m, length)
        Positive; 1 where a window overlaps no neighbour.
    """
    starts = np.asarray(starts, dtype=np.intp)
    shared = np.clip(starts[:-1] + length - starts[1:], 0, length)  # window i with i + 1
    if cap is not None:
        shared = np.minimum(shared, cap)
    weights = np.ones((starts.size, length), dtype=dtype)
    for i, o in enumerate(shared.tolist()):
        if o == 0:
            continue
        rise = ramp(o, dtype)
        fall = (np.asarray(1, dtype=dtype) - rise).astype(dtype) if complement else rise[::-1]
        np.minimum(weights[i + 1, :o], rise, out=weights[i + 1, :o])
        np.minimum(weights[i, length - o :], fall, out=weights[i, length - o :])
    return weights


def outer(*weights: np.ndarray) -> np.ndarray:
    """Weight of an N-D window: the outer product of its 1-D weights.

    Parameters
    ----------
    *weights : numpy.ndarray, shapes (L_0,), (L_1,), ...
        One weight per axis; multiplied in this order (it fixes the rounding).

    Returns
    -------
    numpy.ndarray, shape (L_0, L_1, ...)
    """
    out = weights[0]
    for w in weights[1:]:
        out = np.multiply.outer(out, w)
    return out


def normalize_weights(
    weights: list[np.ndarray] | np.ndarray,
    slices: list[tuple[slice, ...]],
    shape: tuple[int, ...],
) -> np.ndarray:
    """Divide the weights of overlapping windows by their sum, in place.

    Afterwards the weights of the windows covering a sample add up to one
    (to rounding) on every sample that any window covers.

    Parameters
    ----------
    weights : list of numpy.ndarray, or numpy.ndarray of shape (m, L)
        Each window's weight (float, positive, one dtype), shaped like its
        region; divided in place (the rows of a 2-D array work).
    slices : list of tuple of slice
        Each window's region of the axis (or array) of ``shape``.
    shape : tuple of int
        Shape of what the windows cover.

    Returns
    -------
    numpy.ndarray, shape ``shape``
        The sum of the weights before dividing (0 where no window reaches),
        accumulated in window order in the weights' dtype.
    """
    dtype = weights[0].dtype if len(weights) else np.float64
    total = np.zeros(shape, dtype=dtype)
    for w, region in zip(weights, slices, strict=True):
        total[region] += w
    for w, region in zip(weights, slices, strict=True):
        w /= total[region]
    return total


def window_starts(n: int, length: int, overlap: int, placement: str) -> np.ndarray:
    """Starts of windows of ``length`` samples on an axis of ``n``, neighbours sharing ``overlap``.

    Parameters
    ----------
    n, length, overlap : int
        ``1 <= length``, ``0 <= overlap < length`` (``"clamped"`` takes any
        ``overlap >= 0``).
    placement : {"hop", "spread", "clamped"}
        ``"hop"`` (f-k POCS): every ``length - overlap`` samples from 0,
        ``ceil((n - overlap) / (length - overlap))`` windows, the last one
        possibly running past the data (``starts[-1] + length >= n``).
        ``"spread"`` (f-x prediction): as few windows as share at least
        ``overlap`` samples, spread evenly over ``[0, n - length]`` and
        rounded to whole samples.  ``"clamped"`` (networks): every
        ``max(1, length - overlap)`` samples from 0, the last window moved
        back to end at ``n`` (it may share more than ``overlap``).

    Returns
    -------
    numpy.ndarray of intp, shape (m,)
        Increasing, ``starts[0] == 0``; just ``[0]`` when ``length >= n``.
    """
    if placement not in PLACEMENTS:
        raise ValueError(f"placement must be one of {PLACEMENTS}, got {placement!r}")
    if length >= n:
        return np.zeros(1, dtype=np.intp)
    if placement == "hop":
        hop = length - overlap
        return np.arange(max(1, math.ceil((n - overlap) / hop)), dtype=np.intp) * hop
    if placement == "spread":
        count = int(np.ceil((n - length) / (length - overlap))) + 1
        return np.round(np.linspace(0, n - length, count)).astype(np.intp)
    step = max(1, length - overlap)
    return np.append(np.arange(0, n - length, step, dtype=np.intp), np.intp(n - length))
