"""Argument types and checks shared by the modules of :mod:`seisfill.masks`."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from seisfill.errors import SeisfillError

ShapeLike = int | tuple[int, ...]
SeedLike = int | np.random.Generator
AxisLike = int | tuple[int, ...]


def as_shape(shape: Any) -> tuple[int, ...]:
    """Normalise ``n`` or ``(n_inline, n_crossline)`` to a tuple of positive ints."""
    dims = (shape,) if isinstance(shape, numbers.Integral) else shape
    ok = isinstance(dims, Sequence | np.ndarray) and 1 <= len(dims) <= 2
    if ok:
        ok = all(isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in dims)
    if not ok or isinstance(shape, bool):
        raise SeisfillError(
            f"decimation shape must be an int n or a tuple (n_inline, n_crossline), got {shape!r}"
        )
    out = tuple(int(d) for d in dims)
    if min(out) < 1:
        raise SeisfillError(f"decimation shape must be positive, got {out}")
    return out


def as_rng(seed: Any, what: str) -> np.random.Generator:
    """A Generator from a seed (non-negative int) or the Generator itself; ``what`` names the caller."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and int(seed) >= 0:
        return np.random.default_rng(int(seed))
    raise SeisfillError(
        f"{what} needs a seed: a non-negative int or a numpy Generator, got {seed!r}"
    )


def check_int(value: Any, name: str, minimum: int) -> int:
    """``value`` as an int of at least ``minimum`` (bools rejected)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise SeisfillError(f"{name} must be an integer, got {value!r}")
    if int(value) < minimum:
        raise SeisfillError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_fraction(value: Any, name: str) -> float:
    """``value`` as a float in ``[0, 1]``."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise SeisfillError(f"{name} must be a number between 0 and 1, got {value!r}")
    f = float(value)
    if not 0.0 <= f <= 1.0:
        raise SeisfillError(
            f"{name} must be between 0 and 1 (a fraction, not a percentage), got {f}"
        )
    return f


def check_positive_float(value: Any, name: str) -> float:
    """``value`` as a finite float above 0."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value > 0:
        raise SeisfillError(f"{name} must be a positive number, got {value!r}")
    if not math.isfinite(float(value)):
        raise SeisfillError(f"{name} must be finite, got {value!r}")
    return float(value)


def as_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """Normalise ``axis`` (int or tuple of ints) for a mask of ``ndim`` dims."""
    raw = (axis,) if isinstance(axis, numbers.Integral) else axis
    try:
        items = tuple(raw)
    except TypeError:
        items = ()
    if not items or not all(isinstance(a, numbers.Integral) for a in items):
        raise SeisfillError(f"axis must be an int or a tuple of ints, got {axis!r}")
    if any(not -ndim <= int(a) < ndim for a in items):
        raise SeisfillError(f"axis {axis!r} is out of range for a {ndim}-D decimation shape")
    return tuple(sorted({int(a) % ndim for a in items}))
