"""From trace headers to a regular (gather, trace) or (inline, crossline) index.

The index says, for every slot of the output grid, which trace of the file
sits there (``slot_trace``, -1 where none does) and whether the slot is
padding of a short (ragged) gather (``pad``).  Building it needs headers only:
the samples are read later, all at once or gather by gather.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seisfill.errors import SeisfillError
from seisfill.io.headers import resolve_field

__all__ = ["GatherIndex", "index_gathers", "index_cube", "detect_index", "choose_keys", "nominal_step", "GEOMETRY_WORDS", "optional_field"]

#: words read to detect the geometry of a file
GEOMETRY_WORDS = (
    "FieldRecord",
    "TraceNumber",
    "EnergySourcePoint",
    "CDP",
    "CDP_TRACE",
    "offset",
    "INLINE_3D",
    "CROSSLINE_3D",
    "TRACE_SEQUENCE_FILE",
    "TraceIdentificationCode",
)


@dataclass
class GatherIndex:
    """Where each trace of the file goes on the output grid.

    Attributes
    ----------
    kind : {"gathers", "cube"}
        ``gathers``: dims (gather, trace); ``cube``: dims (inline, crossline).
    gather_key, sort_key : str or None
        Header words that define the gathers / the order within a gather
        (for a cube: the inline and crossline words).  ``None``: the whole
        file is one gather / file order.
    gather_values : numpy.ndarray of int, shape (n_gather,)
        Key value of each gather (inline numbers for a cube).
    slot_trace : numpy.ndarray of int64, shape (n_gather, n_trace)
        File trace index in each slot, -1 where the slot holds no trace.
    pad : numpy.ndarray of bool, shape (n_gather, n_trace)
        True for slots that only pad a short gather to the common length.
    trace_values : numpy.ndarray of int, shape (n_trace,), optional
        Crossline numbers of a cube's columns.
    """

    kind: str
    gather_key: str | None
    sort_key: str | None
    gather_values: np.ndarray
    slot_trace: np.ndarray
    pad: np.ndarray
    trace_values: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.slot_trace.shape


def _contiguous_runs(values: np.ndarray) -> int:
    return int(np.count_nonzero(np.diff(values)) + 1) if values.size else 0


def _unique_within(groups: np.ndarray, values: np.ndarray) -> bool:
    """True if ``values`` has no repeat inside any group."""
    pairs = np.stack([groups, values], axis=1)
    return np.unique(pairs, axis=0).shape[0] == values.size


def _choose_gather_key(headers: dict[str, np.ndarray]) -> str | None:
    """The word whose values come in contiguous blocks of several traces."""
    n = headers["FieldRecord"].size
    for key in ("FieldRecord", "CDP", "EnergySourcePoint"):
        values = headers[key]
        if not values.any():
            continue
        n_unique = np.unique(values).size
        if n_unique < n and _contiguous_runs(values) == n_unique:
            return key
    return None


def _choose_sort_key(headers: dict[str, np.ndarray], groups: np.ndarray, gather_key: str | None) -> str | None:
    preferred = {
        "FieldRecord": ("TraceNumber", "offset"),
        "EnergySourcePoint": ("TraceNumber", "offset"),
        "CDP": ("offset", "CDP_TRACE"),
    }.get(gather_key or "", ())
    candidates = list(preferred) + [
        k
        for k in ("offset", "TraceNumber", "INLINE_3D", "CROSSLINE_3D", "CDP", "CDP_TRACE", "TRACE_SEQUENCE_FILE")
        if k not in preferred and k != gather_key
    ]
    varying = [k for k in candidates if k in headers and np.unique(headers[k]).size > 1]
    for key in varying:
        if _unique_within(groups, headers[key]):
            return key
    return varying[0] if varying else None


def index_gathers(
    headers: dict[str, np.ndarray], gather_key: str | None, sort_key: str | None
) -> GatherIndex:
    """Group traces into gathers by a header word and sort them by another.

    Parameters
    ----------
    headers : dict of str -> int array, shape (n_traces,)
        Must hold ``gather_key`` and ``sort_key``.
    gather_key : str or None
        Traces with equal values form a gather; None: one gather, the file.
    sort_key : str or None
        Order within a gather (stable: ties keep file order); None: file order.

    Returns
    -------
    GatherIndex
        Gathers in increasing key order; short gathers padded at the end.
    """
    n = next(iter(headers.values())).size
    groups = headers[gather_key] if gather_key else np.zeros(n, dtype=np.int64)
    sort_values = headers[sort_key] if sort_key else np.arange(n)
    order = np.lexsort((np.arange(n), sort_values, groups))
    gather_values, first, counts = np.unique(groups[order], return_index=True, return_counts=True)
    n_trace = int(counts.max())
    slot_trace = np.full((gather_values.size, n_trace), -1, dtype=np.int64)
    position = np.arange(n) - np.repeat(first, counts)
    slot_trace[np.repeat(np.arange(gather_values.size), counts), position] = order
    pad = np.arange(n_trace)[None, :] >= counts[:, None]
    return GatherIndex("gathers", gather_key, sort_key, gather_values, slot_trace, pad)


def nominal_step(values: np.ndarray) -> int:
    """Most common positive difference between sorted unique values (1 if none)."""
    diffs = np.diff(np.unique(values))
    diffs = diffs[diffs > 0]
    if diffs.size == 0:
        return 1
    steps, counts = np.unique(diffs, return_counts=True)
    return int(steps[np.argmax(counts)])


def _axis_values(values: np.ndarray) -> np.ndarray:
    """Unique values, completed at the nominal step when they lie on its lattice."""
    unique = np.unique(values)
    step = nominal_step(unique)
    if np.all((unique - unique[0]) % step == 0):
        return np.arange(unique[0], unique[-1] + 1, step)
    return unique


def index_cube(headers: dict[str, np.ndarray], inline_key: str, crossline_key: str) -> GatherIndex:
    """Place traces on an (inline, crossline) grid.

    Grid nodes without a trace get ``slot_trace = -1`` (missing, not padding).
    The grid is completed at the nominal inline/crossline step, so whole
    inlines missing from the file appear as missing nodes.

    Raises
    ------
    SeisfillError
        If two traces share one (inline, crossline) node: the file is not a
        post-stack cube (use a gather key instead).
    """
    il = headers[inline_key]
    xl = headers[crossline_key]
    inlines = _axis_values(il)
    crosslines = _axis_values(xl)
    i = np.searchsorted(inlines, il)
    j = np.searchsorted(crosslines, xl)
    slot_trace = np.full((inlines.size, crosslines.size), -1, dtype=np.int64)
    flat = i * crosslines.size + j
    if np.unique(flat).size != flat.size:
        raise SeisfillError(
            f"several traces share an ({inline_key}, {crossline_key}) node: this is not a "
            "post-stack cube; read it as gathers with --key (e.g. --key CDP)"
        )
    slot_trace[i, j] = np.arange(il.size)
    pad = np.zeros(slot_trace.shape, dtype=bool)
    return GatherIndex("cube", inline_key, crossline_key, inlines, slot_trace, pad, crosslines)


def _is_cube(headers: dict[str, np.ndarray]) -> bool:
    il, xl = headers["INLINE_3D"], headers["CROSSLINE_3D"]
    if np.unique(il).size < 2 or np.unique(xl).size < 2:
        return False
    pairs = il.astype(np.int64) * (int(xl.max()) - int(xl.min()) + 1) + (xl - xl.min())
    return np.unique(pairs).size == il.size


_NO_KEY = ("none", "file", "all")


def optional_field(key: str | int) -> str | None:
    """Resolve a header word the user named; ``"none"`` (or ``file``/``all``) gives None.

    For a gather key None means one gather, the whole file; for a sort key,
    file order.
    """
    if str(key).strip().lower() in _NO_KEY:
        return None
    return resolve_field(key)


def detect_index(
    headers: dict[str, np.ndarray],
    key: str | None = None,
    sort: str | None = None,
    cube: bool | None = None,
) -> GatherIndex:
    """Choose how to organise a file's traces, from its headers.

    Parameters
    ----------
    headers : dict of str -> int array
        At least :data:`GEOMETRY_WORDS` and any word named in ``key``/``sort``.
    key : str, optional
        Gather key named by the user (``"FieldRecord"``, ``"CDP"``, ``"fldr"``,
        ...).  ``"none"`` makes the whole file one gather.
    sort : str, optional
        Sort key within gathers.
    cube : bool, optional
        Force (True) or forbid (False) the (inline, crossline) cube layout.
        Default: a cube when every trace has its own (INLINE_3D, CROSSLINE_3D)
        node on a grid of at least 2 x 2 and no key is named.

    Returns
    -------
    GatherIndex

    Notes
    -----
    Detection order: 3D post-stack cube; else pre-stack gathers by the first
    of FieldRecord, CDP, EnergySourcePoint whose values come in contiguous
    blocks of several traces; else one gather (a 2D line) in the order of the
    first header word that is unique per trace.
    """
    kind, first_key, second_key = choose_keys(headers, key, sort, cube)
    if kind == "cube":
        return index_cube(headers, first_key, second_key)
    return index_gathers(headers, first_key, second_key)


def choose_keys(
    headers: dict[str, np.ndarray],
    key: str | None = None,
    sort: str | None = None,
    cube: bool | None = None,
) -> tuple[str, str | None, str | None]:
    """The layout and header words :func:`detect_index` uses, without building the index.

    Returns
    -------
    tuple
        ``("cube", inline word, crossline word)`` or ``("gathers", gather key, sort key)``
        (either key None: one gather / file order).
    """
    if cube or (cube is None and key is None and _is_cube(headers)):
        return "cube", "INLINE_3D", "CROSSLINE_3D"
    gather_key = optional_field(key) if key is not None else _choose_gather_key(headers)
    n = headers["FieldRecord"].size
    groups = headers[gather_key] if gather_key else np.zeros(n, dtype=np.int64)
    sort_key = optional_field(sort) if sort is not None else _choose_sort_key(headers, groups, gather_key)
    return "gathers", gather_key, sort_key
