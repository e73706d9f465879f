"""Decimation specs: ``"random50"``, ``"gap16x2"``, ``"mix:random30+gap8"``.

:func:`parse_pattern` turns a spec string into a callable :class:`Decimation`
that calls the generators of :mod:`seisfill.masks.patterns`;
:func:`decimate_mix` takes the union of the missing traces of several specs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from seisfill.errors import SeisfillError
from seisfill.masks._args import SeedLike, ShapeLike, as_rng, as_shape
from seisfill.masks.patterns import (
    decimate_dead_channels,
    decimate_gaps,
    decimate_jittered,
    decimate_random,
    decimate_regular,
)

__all__ = ["Decimation", "PATTERN_FORMS", "parse_pattern", "decimate", "decimate_mix"]


def decimate_mix(
    shape: ShapeLike,
    seed: SeedLike,
    patterns: Sequence[str | Decimation] = ("random25", "gap8"),
) -> np.ndarray:
    """Union of the missing traces of several patterns.

    Parameters
    ----------
    shape : int or tuple of int
        ``n`` or ``(n_inline, n_crossline)``.
    seed : int or numpy.random.Generator
        One generator is drawn from in turn by each pattern, in order; so the
        result equals ``decimate(shape, p1, rng) & decimate(shape, p2, rng) ...``
        with ``rng = np.random.default_rng(seed)``.  If the union leaves fewer
        than 2 live traces, all patterns are drawn again (up to 10 times).
    patterns : sequence of str or Decimation
        Pattern specs (see :func:`parse_pattern`); ``mix`` cannot be nested.

    Returns
    -------
    numpy.ndarray of bool, shape ``shape``
        Keep mask: ``True`` only where every pattern keeps the trace.
    """
    dims = as_shape(shape)
    rng = as_rng(seed, "mixed decimation")
    if isinstance(patterns, str | Decimation) or len(patterns) == 0:
        raise SeisfillError("decimate_mix needs a non-empty sequence of patterns")
    parts = [parse_pattern(p) for p in patterns]
    if any(p.kind == "mix" for p in parts):
        raise SeisfillError("mix patterns cannot be nested")
    for _ in range(_MIX_ATTEMPTS):
        keep = np.ones(dims, dtype=bool)
        for part in parts:
            keep &= part(dims, rng)
        if np.count_nonzero(keep) >= 2:
            return keep
    names = "+".join(p.name for p in parts)
    raise SeisfillError(
        f"mix:{names} on shape {dims} keeps fewer than 2 live traces; remove fewer traces"
    )


_MIX_ATTEMPTS = 10


PATTERN_FORMS = (
    "random<percent> or random<fraction> (random50, random0.7)",
    "regular<every> (regular2)",
    "jitter<every> (jitter3)",
    "gap<length>[x<count>] (gap8, gap16x2)",
    "dead<percent> or dead<fraction> (dead5)",
    "mix:<spec>+<spec>[+...] (mix:random30+gap8)",
)
"""The valid forms of a decimation spec string, for help texts."""

_KIND_PARAMS: dict[str, tuple[frozenset[str], ...]] = {
    "random": (frozenset({"percent"}), frozenset({"fraction"})),
    "dead": (frozenset({"percent"}), frozenset({"fraction"})),
    "regular": (frozenset({"every"}),),
    "jitter": (frozenset({"every"}),),
    "gap": (frozenset({"gap", "n_gaps"}),),
    "mix": (frozenset({"patterns"}),),
}

_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_SPEC_RES = {
    "random": re.compile(rf"random{_NUMBER}"),
    "dead": re.compile(rf"dead{_NUMBER}"),
    "regular": re.compile(r"regular(\d+)"),
    "jitter": re.compile(r"jitter(\d+)"),
    "gap": re.compile(r"gap(\d+)(?:x(\d+))?"),
}


@dataclass(frozen=True)
class Decimation:
    """A parsed decimation spec: call it to get a keep mask.

    Build one with :func:`parse_pattern`.  ``params`` is a tuple of
    ``(name, value)`` pairs:

    * ``random`` / ``dead``: ``(("percent", p),)`` with ``1 <= p <= 100`` or
      ``(("fraction", f),)`` with ``0 <= f < 1`` (how the spec was written);
    * ``regular`` / ``jitter``: ``(("every", n),)``;
    * ``gap``: ``(("gap", length), ("n_gaps", count))``;
    * ``mix``: ``(("patterns", (Decimation, ...)),)``.

    ``name`` is the canonical spec, with ``parse_pattern(d.name) == d``.
    """

    kind: str
    params: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in _KIND_PARAMS:
            raise SeisfillError(
                f"unknown decimation kind {self.kind!r}; valid kinds: {', '.join(_KIND_PARAMS)}"
            )
        keys = frozenset(k for k, _ in self.params)
        if keys not in _KIND_PARAMS[self.kind] or len(keys) != len(self.params):
            valid = " or ".join(str(sorted(s)) for s in _KIND_PARAMS[self.kind])
            raise SeisfillError(
                f"decimation {self.kind!r} takes parameters {valid}, got {sorted(keys)}"
            )
        kw = self.kwargs
        if "percent" in kw and not 1 <= kw["percent"] <= 100:
            raise SeisfillError(
                f"{self.kind} percentage must be between 1 and 100, got {kw['percent']}"
            )
        if "fraction" in kw and not 0 <= kw["fraction"] < 1:
            raise SeisfillError(f"{self.kind} fraction must be in [0, 1), got {kw['fraction']}")
        if "patterns" in kw and (
            not kw["patterns"]
            or not all(isinstance(p, Decimation) and p.kind != "mix" for p in kw["patterns"])
        ):
            raise SeisfillError("mix needs a tuple of non-mix Decimation patterns")

    @property
    def kwargs(self) -> dict[str, Any]:
        """The parameters as a dict."""
        return dict(self.params)

    @property
    def name(self) -> str:
        """Canonical spec string, e.g. ``"gap16x2"``."""
        kw = self.kwargs
        if self.kind in ("random", "dead"):
            return self.kind + _format_number(kw.get("percent", kw.get("fraction")))
        if self.kind in ("regular", "jitter"):
            return f"{self.kind}{kw['every']}"
        if self.kind == "gap":
            count = kw["n_gaps"]
            return f"gap{kw['gap']}" + ("" if count == 1 else f"x{count}")
        return "mix:" + "+".join(p.name for p in kw["patterns"])

    @property
    def fraction(self) -> float | None:
        """Requested fraction of removed traces (random and dead), else None."""
        kw = self.kwargs
        if "percent" in kw:
            return float(kw["percent"]) / 100.0
        if "fraction" in kw:
            return float(kw["fraction"])
        return None

    def __str__(self) -> str:
        return self.name

    def __call__(self, shape: ShapeLike, seed: SeedLike | None) -> np.ndarray:
        """Keep mask of ``shape`` (True = live); see the ``decimate_*`` functions.

        ``seed`` may be None only for ``regular`` (offset 0).
        """
        kw = self.kwargs
        makers: dict[str, Callable[[], np.ndarray]] = {
            "random": lambda: decimate_random(shape, self.fraction, seed),
            "dead": lambda: decimate_dead_channels(shape, self.fraction, seed),
            "regular": lambda: decimate_regular(shape, kw["every"], seed),
            "jitter": lambda: decimate_jittered(shape, kw["every"], seed),
            "gap": lambda: decimate_gaps(shape, kw["gap"], seed, kw["n_gaps"]),
            "mix": lambda: decimate_mix(shape, seed, kw["patterns"]),
        }
        return makers[self.kind]()


def _format_number(value: float) -> str:
    v = float(value)
    return str(int(v)) if v.is_integer() else repr(v)


def _invalid_spec(spec: Any, why: str = "") -> SeisfillError:
    detail = f" ({why})" if why else ""
    return SeisfillError(
        f"unknown decimation pattern {spec!r}{detail}; valid forms: {'; '.join(PATTERN_FORMS)}"
    )


def parse_pattern(spec: str | Decimation) -> Decimation:
    """Parse a decimation spec string.

    Parameters
    ----------
    spec : str or Decimation
        One of the forms in :data:`PATTERN_FORMS` (case and surrounding blanks
        ignored); a :class:`Decimation` is returned unchanged.  For
        ``random``/``dead`` a number of at least 1 is a percentage and a number
        below 1 a fraction: ``random50`` and ``random0.5`` both remove half.

    Returns
    -------
    Decimation
        Callable as ``d(shape, seed) -> keep mask``; ``d.name`` gives back the
        spec (canonical spelling: ``"gap8x1"`` becomes ``"gap8"``).

    Raises
    ------
    SeisfillError
        For an unknown or out-of-range spec, listing the valid forms.
    """
    if isinstance(spec, Decimation):
        return spec
    if not isinstance(spec, str):
        raise _invalid_spec(spec, "expected a string")
    text = spec.strip().lower()
    if text.startswith("mix:"):
        items = text[4:].split("+")
        if not all(items):
            raise _invalid_spec(spec, "empty pattern in mix")
        parts = tuple(_parse_simple(item, spec) for item in items)
        return Decimation("mix", (("patterns", parts),))
    return _parse_simple(text, spec)


def _parse_simple(text: str, spec: str) -> Decimation:
    for kind, regex in _SPEC_RES.items():
        match = regex.fullmatch(text)
        if match is None:
            continue
        if kind in ("random", "dead"):
            value = float(match.group(1))
            if value > 100:
                raise _invalid_spec(spec, "a percentage above 100")
            key = "percent" if value >= 1 else "fraction"
            return Decimation(kind, ((key, value),))
        if kind in ("regular", "jitter"):
            every = int(match.group(1))
            if every < 1:
                raise _invalid_spec(spec, "the factor must be at least 1")
            return Decimation(kind, (("every", every),))
        gap = int(match.group(1))
        count = int(match.group(2)) if match.group(2) is not None else 1
        if gap < 1 or count < 1:
            raise _invalid_spec(spec, "gap length and count must be at least 1")
        return Decimation("gap", (("gap", gap), ("n_gaps", count)))
    if text.startswith("mix:"):
        raise _invalid_spec(spec, "mix patterns cannot be nested")
    raise _invalid_spec(spec)


def decimate(shape: ShapeLike, spec: str | Decimation, seed: SeedLike | None) -> np.ndarray:
    """Keep mask for a spec string or :class:`Decimation`.

    Parameters
    ----------
    shape : int or tuple of int
        ``n`` or ``(n_inline, n_crossline)``.
    spec : str or Decimation
        See :func:`parse_pattern`.
    seed : int or numpy.random.Generator
        None is accepted only by ``regular`` (offset 0).

    Returns
    -------
    numpy.ndarray of bool, shape ``shape``
        ``True`` = trace kept.
    """
    return parse_pattern(spec)(shape, seed)
