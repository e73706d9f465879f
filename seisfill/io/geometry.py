"""From trace headers to a regular (gather, trace) or (inline, crossline) index.

The index says, for every slot of the output grid, which trace of the file
sits there (``slot_trace``, -1 where none does) and whether the slot is
padding of a short (ragged) gather (``pad``).  Building it needs headers only:
the samples are read later, all at once or gather by gather.

Three layouts: a post-stack ``cube`` (one trace per inline/crossline node),
``gathers`` grouped by one header word, and pre-stack 3-D ``bins`` (several
traces per inline/crossline node, told apart by offset: each node's traces are
one gather, a CDP bin sorted by offset).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from seisfill.errors import SeisfillError
from seisfill.io.headers import resolve_field

__all__ = [
    "GatherIndex", "index_gathers", "index_cube", "index_bins", "detect_index", "choose_keys", "nominal_step",
    "GEOMETRY_WORDS", "BIN_KEY", "optional_field",
]

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
#: the words of a cube's grid, and of pre-stack 3-D bins
INLINE, CROSSLINE = "INLINE_3D", "CROSSLINE_3D"
#: gather key of pre-stack 3-D bins (``GatherIndex.gather_key``, the dataset's ``gather_key`` attr)
BIN_KEY = f"{INLINE},{CROSSLINE}"


@dataclass
class GatherIndex:
    """Where each trace of the file goes on the output grid.

    Attributes
    ----------
    kind : {"gathers", "cube", "bins"}
        ``gathers``: dims (gather, trace); ``cube``: dims (inline, crossline);
        ``bins``: dims (gather, trace), one gather per (inline, crossline)
        node of a pre-stack 3-D file.
    gather_key, sort_key : str or None
        Header words that define the gathers / the order within a gather
        (for a cube: the inline and crossline words; for bins
        :data:`BIN_KEY`).  ``None``: the whole file is one gather / file order.
    gather_values : numpy.ndarray of int, shape (n_gather,)
        Key value of each gather (inline numbers for a cube; for bins the bin
        number 0, 1, ... in inline, then crossline order).
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
    gather_values, slot_trace, pad = _group(groups, headers[sort_key] if sort_key else None)
    return GatherIndex("gathers", gather_key, sort_key, gather_values, slot_trace, pad)


def _group(groups: np.ndarray, sort_values: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gather values (increasing), slot_trace and pad of traces grouped by ``groups``.

    Within a gather, traces are sorted by ``sort_values`` (None: file order),
    ties in file order; short gathers are padded at the end.
    """
    n = groups.size
    order = np.lexsort((np.arange(n), np.arange(n) if sort_values is None else sort_values, groups))
    gather_values, first, counts = np.unique(groups[order], return_index=True, return_counts=True)
    n_trace = int(counts.max())
    slot_trace = np.full((gather_values.size, n_trace), -1, dtype=np.int64)
    position = np.arange(n) - np.repeat(first, counts)
    slot_trace[np.repeat(np.arange(gather_values.size), counts), position] = order
    pad = np.arange(n_trace)[None, :] >= counts[:, None]
    return gather_values, slot_trace, pad


def _nodes(headers: dict[str, np.ndarray]) -> tuple[np.ndarray, int]:
    """Inline/crossline node of each trace (0, 1, ... in inline, then crossline order), and the node count."""
    pairs = np.stack([headers[INLINE], headers[CROSSLINE]], axis=1).astype(np.int64)
    nodes, node_of = np.unique(pairs, axis=0, return_inverse=True)
    return node_of.reshape(-1), nodes.shape[0]


def index_bins(headers: dict[str, np.ndarray], sort_key: str | None = "offset") -> GatherIndex:
    """Group the traces of a pre-stack 3-D file by (inline, crossline) node: CDP bins.

    Parameters
    ----------
    headers : dict of str -> int array, shape (n_traces,)
        Must hold ``INLINE_3D``, ``CROSSLINE_3D`` and ``sort_key``.
    sort_key : str or None
        Order within a bin (default ``offset``); None: file order.

    Returns
    -------
    GatherIndex
        Kind ``bins``: one gather per node that holds a trace, numbered 0, 1,
        ... in inline, then crossline order; bins with fewer traces padded.
    """
    node_of, _ = _nodes(headers)
    gather_values, slot_trace, pad = _group(node_of, headers[sort_key] if sort_key else None)
    return GatherIndex("bins", BIN_KEY, sort_key, gather_values, slot_trace, pad)


def nominal_step(values: np.ndarray) -> int:
    """Most common positive difference between sorted unique values (1 if none)."""
    diffs = np.diff(np.unique(values))
    diffs = diffs[diffs > 0]
    if diffs.size == 0:
        return 1
    steps, counts = np.unique(diffs, return_counts=True)
    return int(steps[np.argmax(counts)])


def _on_lattice(unique: np.ndarray) -> bool:
    """True if sorted unique values are all on the lattice of their nominal step."""
    return bool(np.all((unique - unique[0]) % nominal_step(unique) == 0))


def _axis_values(values: np.ndarray) -> np.ndarray:
    """Unique values, completed at the nominal step when they lie on its lattice."""
    unique = np.unique(values)
    if _on_lattice(unique):
        return np.arange(unique[0], unique[-1] + 1, nominal_step(unique))
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


def _is_grid(headers: dict[str, np.ndarray]) -> bool:
    """True if inline and crossline numbers each take at least two values."""
    return np.unique(headers[INLINE]).size >= 2 and np.unique(headers[CROSSLINE]).size >= 2


def _is_cube(headers: dict[str, np.ndarray]) -> bool:
    il, xl = headers[INLINE], headers[CROSSLINE]
    if not _is_grid(headers):
        return False
    pairs = il.astype(np.int64) * (int(xl.max()) - int(xl.min()) + 1) + (xl - xl.min())
    return np.unique(pairs).size == il.size


def _cube_doubt(headers: dict[str, np.ndarray]) -> str | None:
    """Why a cube's grid is implausible (None: plausible): it would invent more nodes than the file
    holds traces, or put missing nodes between irregularly spaced lines (garbage header words)."""
    n = headers[INLINE].size
    axes = {name: np.unique(headers[word]) for name, word in (("inline", INLINE), ("crossline", CROSSLINE))}
    n_nodes = int(np.prod([_axis_values(values).size for values in axes.values()]))
    missing = n_nodes - n
    if missing <= 0:
        return None
    irregular = [name for name, values in axes.items() if not _on_lattice(values)]
    if missing <= n and not irregular:
        return None
    why = f"{missing} of its {n_nodes} nodes would be missing"
    if irregular:
        why += f", irregular {' and '.join(irregular)} spacing"
    return f"{INLINE} x {CROSSLINE} of the {n} traces do not look like a post-stack cube ({why})"


def _is_bins(headers: dict[str, np.ndarray]) -> bool:
    """True for a pre-stack 3-D file: several traces per inline/crossline node, told apart by offset.

    Raises
    ------
    SeisfillError
        If traces share a node and offset does not tell them apart.
    """
    if not _is_grid(headers):
        return False
    node_of, n_nodes = _nodes(headers)
    if n_nodes == node_of.size:
        return False
    if not _unique_within(node_of, headers["offset"]):
        raise SeisfillError(
            f"several traces share an ({INLINE}, {CROSSLINE}) node with the same offset, so they "
            "cannot be told apart: name the gathers with --key (e.g. --key CDP or --key FieldRecord; "
            "--key none reads one line in file order)"
        )
    return True


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

    Warns
    -----
    UserWarning
        When the inline/crossline numbers are unique per trace but do not
        look like a cube (more missing nodes than traces, or missing nodes
        on irregularly spaced lines): the file is read as one 2-D line in
        file order instead (``cube=True`` forces the cube).

    Notes
    -----
    Detection order: 3D post-stack cube (a plausible one); else pre-stack
    gathers by the first of FieldRecord, CDP, EnergySourcePoint whose values
    come in contiguous blocks of several traces; else pre-stack 3-D bins
    (several traces per inline/crossline node, told apart by offset: one
    gather per node, sorted by offset); else one gather (a 2D line) in the
    order of the first header word that is unique per trace.
    """
    kind, first_key, second_key = choose_keys(headers, key, sort, cube)
    if kind == "cube":
        return index_cube(headers, first_key, second_key)
    if kind == "bins":
        return index_bins(headers, second_key)
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
        ``("cube", inline word, crossline word)``, ``("gathers", gather key, sort key)``
        (either key None: one gather / file order) or ``("bins", BIN_KEY, sort key)``.
    """
    named_sort = optional_field(sort) if sort is not None else None
    if cube or (cube is None and key is None and _is_cube(headers)):
        doubt = None if cube else _cube_doubt(headers)
        if doubt is None:
            return "cube", INLINE, CROSSLINE
        # garbage header words: inventing traces at their nodes would be worse than no cube
        warnings.warn(f"{doubt}; reading the file as one 2-D line in file order (--cube forces the cube)",
                      stacklevel=3)
        return "gathers", None, named_sort
    gather_key = optional_field(key) if key is not None else _choose_gather_key(headers)
    if key is None and gather_key is None and _is_bins(headers):
        return "bins", BIN_KEY, named_sort if sort is not None else "offset"
    n = headers["FieldRecord"].size
    groups = headers[gather_key] if gather_key else np.zeros(n, dtype=np.int64)
    sort_key = named_sort if sort is not None else _choose_sort_key(headers, groups, gather_key)
    return "gathers", gather_key, sort_key
