"""Read SEG-Y files into labelled xarray datasets with a live-trace mask.

:func:`read_segy` makes one pass over the file for the trace headers and the
per-trace checks that find dead traces, organises the traces into gathers or
a cube (:mod:`seisfill.io.geometry`), and returns the dataset described in
:mod:`seisfill.io.dataset`.  With ``chunks`` the amplitudes stay on disk and
are read gather by gather on demand (through xarray's lazy indexing, or dask
when ``chunks`` is a dict), so a file larger than memory can be processed.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

from seisfill.errors import SeisfillError
from seisfill.io import dataset as names
from seisfill.io.formats import decode_samples
from seisfill.io.geometry import GEOMETRY_WORDS, GatherIndex, detect_index, optional_field
from seisfill.io.headers import TRACE_HEADER_SIZE, parse_trace_headers
from seisfill.io.layout import SegyLayout, TraceReader, open_layout
from seisfill.io.regularize import cube_headers
from seisfill.masks import DeadReason, dead_reasons, slot_live

__all__ = ["read_segy", "scan_segy", "trace_checks", "SegyScan", "SegyAmplitudeArray", "build_dataset"]


class SegyScan:
    """What one pass over a SEG-Y file learns.

    Attributes
    ----------
    layout : SegyLayout
    raw_headers : numpy.ndarray of uint8, shape (n_traces, 240), or None
        None when the scan kept only some header words (``words``).
    raw_extensions : numpy.ndarray of uint8, shape (n_traces, 240 * n_trace_ext), or None
        The SEG-Y rev 2 trace header extensions that follow each header;
        None for a file without them, or with ``raw_headers`` None.
    words : dict of str to numpy.ndarray of int32, shape (n_traces,), or None
        The header words the scan was asked to keep instead of the raw headers.
    reasons : numpy.ndarray of uint8, shape (n_traces,)
        Dead-trace bits from the trace id code and the samples.
    log_rms : numpy.ndarray of float32, shape (n_traces,), or None
        Natural log of each trace's RMS amplitude (-inf for zero traces);
        None when the scan was not asked for it.
    samples : numpy.ndarray of float32, shape (n_traces, n_samples) or None
        All samples in file order, when the scan was asked to keep them.
    """

    def __init__(self, layout, raw_headers, reasons, log_rms, samples, words=None, raw_extensions=None):
        self.layout = layout
        self.words = words
        self.raw_headers = raw_headers
        self.raw_extensions = raw_extensions
        self.reasons = reasons
        self.log_rms = log_rms
        self.samples = samples


def scan_segy(
    layout: SegyLayout,
    keep_samples: bool,
    chunk_bytes: int = 4 << 20,
    log_rms: bool = True,
    words: Iterable[str] | None = None,
) -> SegyScan:
    """Read every trace once: headers, dead-trace checks, optionally the samples.

    Parameters
    ----------
    layout : SegyLayout
    keep_samples : bool
        Keep the decoded samples (eager reading).  Otherwise memory stays at
        one chunk plus 240 bytes of header per trace.
    chunk_bytes : int
        Bytes read per system call.  A few MB keeps a chunk in cache while it
        is decoded and checked, and lets malloc reuse its buffers (32 MB chunks
        took up to twice the time, with thousands of page faults per 250 MB;
        see benchmarks/io.py).
    log_rms : bool
        Also compute each trace's log-RMS (a float64 pass over the samples,
        about a quarter of the scan time); without it ``SegyScan.log_rms`` is
        None.  :func:`read_segy` asks for it only with ``rms_outlier``.
    words : iterable of str, optional
        Keep only these header words (int32, 4 bytes per trace each) instead
        of the 240 raw bytes per trace: the scan of a file too large for its
        headers to fit in memory (:func:`read_segy` with ``headers="geometry"``).
    """
    n, ns = layout.n_traces, layout.n_samples
    kept = None if words is None else {w: np.empty(n, dtype=np.int32) for w in words}
    raw_headers = np.empty((n, TRACE_HEADER_SIZE), dtype=np.uint8) if kept is None else None
    extended = kept is None and layout.n_trace_ext > 0
    raw_extensions = np.empty((n, layout.header_size - TRACE_HEADER_SIZE), dtype=np.uint8) if extended else None
    reasons = np.empty(n, dtype=np.uint8)
    rms = np.empty(n, dtype=np.float32) if log_rms else None
    samples = np.empty((n, ns), dtype=np.float32) if keep_samples else None
    with TraceReader(layout) as reader:
        for start, raw in reader.iter_chunks(chunk_bytes):
            stop = start + raw.shape[0]
            if kept is None:
                raw_headers[start:stop] = raw[:, :TRACE_HEADER_SIZE]
                if raw_extensions is not None:
                    raw_extensions[start:stop] = raw[:, TRACE_HEADER_SIZE : layout.header_size]
            else:
                for w, v in parse_trace_headers(raw[:, :TRACE_HEADER_SIZE], layout.endian, list(kept)).items():
                    kept[w][start:stop] = v
            # decode straight into the result when keeping the samples: no second copy
            out = samples[start:stop] if samples is not None else None
            _, reasons[start:stop], chunk_rms = trace_checks(raw, layout, log_rms, out=out)
            if rms is not None:
                rms[start:stop] = chunk_rms
    return SegyScan(layout, raw_headers, reasons, rms, samples, kept, raw_extensions)


def trace_checks(
    raw: np.ndarray, layout: SegyLayout, log_rms: bool = False, out: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Decode whole raw traces and find the dead ones: the per-trace part of a scan.

    Parameters
    ----------
    raw : numpy.ndarray of uint8, shape (n, trace_size)
        Traces as stored (240-byte header, its rev 2 extensions, then the samples).
    layout : SegyLayout
    log_rms : bool
        Also return each trace's natural log-RMS (float32; -inf for a zero trace).
    out : numpy.ndarray of float32, shape (n, n_samples), optional
        Decode into this array.

    Returns
    -------
    samples : numpy.ndarray of float32, shape (n, n_samples)
    reasons : numpy.ndarray of uint8, shape (n,)
        :func:`seisfill.masks.dead_reasons` from the samples and the trace id code.
    log_rms : numpy.ndarray of float32, shape (n,), or None
    """
    trid = parse_trace_headers(raw[:, :TRACE_HEADER_SIZE], layout.endian, ["TraceIdentificationCode"])
    decoded = decode_samples(raw[:, layout.header_size :], layout.format, layout.endian, out=out)
    reasons = dead_reasons(decoded, trid["TraceIdentificationCode"])
    rms = None
    if log_rms:
        with np.errstate(divide="ignore", invalid="ignore"):
            energy = np.einsum("ij,ij->i", decoded, decoded, dtype=np.float64) / layout.n_samples
            rms = (0.5 * np.log(energy)).astype(np.float32)
    return decoded, reasons, rms


class SegyAmplitudeArray(BackendArray):
    """Lazily read amplitudes of a (slot, slot, time) grid from a SEG-Y file.

    Indexing reads only the traces it needs (contiguous runs in one call);
    slots with no trace read as zeros.  A point-wise (vectorized) selection
    of whole traces, as ``ds.isel(gather=DataArray, trace=DataArray)`` makes
    (e.g. :func:`seisfill.write_segy` picking the filled traces), reads just
    those traces.
    """

    def __init__(self, layout: SegyLayout, slot_trace: np.ndarray):
        self.reader = TraceReader(layout)
        self.slot_trace = slot_trace
        self.shape = (*slot_trace.shape, layout.n_samples)
        self.dtype = np.dtype(np.float32)

    def __getitem__(self, key: indexing.ExplicitIndexer) -> np.ndarray:
        if isinstance(key, indexing.VectorizedIndexer):
            picked = self._pointwise_traces(key.tuple)
            if picked is not None:
                return picked
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.OUTER, self._raw_indexing_method
        )

    def _read_slots(self, flat: np.ndarray) -> np.ndarray:
        """Samples of the given flat slots, shape (n, n_samples); zeros where no trace."""
        out = np.zeros((flat.size, self.shape[2]), dtype=np.float32)
        present = flat >= 0
        if present.any():
            wanted = flat[present]
            order = np.argsort(wanted, kind="stable")
            traces = np.empty((wanted.size, self.shape[2]), dtype=np.float32)
            traces[order] = self.reader.read_samples(wanted[order])
            out[present] = traces
        return out

    def _raw_indexing_method(self, key: tuple) -> np.ndarray:
        slots = self.slot_trace[key[0]][..., key[1]]
        out = self._read_slots(np.asarray(slots).reshape(-1))
        out = out.reshape(*np.shape(slots), self.shape[2])
        return out[..., key[2]]

    def _pointwise_traces(self, key: tuple) -> np.ndarray | None:
        """Vectorized key that picks whole traces: read each once, or None (other keys).

        xarray hands a vectorized key over with every axis broadcast to the
        result's shape, time included.  The generic route (decompose into an
        outer read of every gather x every trace involved, then pick) reads
        and sorts far more than needed: 13 s instead of 3 s to write a 1 GB
        file with 10 % of its traces filled from a lazy dataset.
        """
        if len(key) != 3 or any(isinstance(k, slice) for k in key):
            return None
        g, t, s = np.broadcast_arrays(*key)
        if g.ndim == 0 or g.size == 0:
            return None
        rows = (-1, g.shape[-1])
        first = s.reshape(rows)[0]
        if not (
            (g == g[..., :1]).all() and (t == t[..., :1]).all() and (s.reshape(rows) == first).all()
        ):
            return None
        slots = self.slot_trace[g[..., 0], t[..., 0]]
        data = self._read_slots(slots.reshape(-1))[:, first]
        return data.reshape(g.shape)


def build_dataset(
    scan: SegyScan,
    index: GatherIndex,
    amplitude: np.ndarray | BackendArray,
    rms_outlier: float | None = None,
) -> xr.Dataset:
    """Assemble the seisfill dataset from a scan, an index and the amplitudes.

    Parameters
    ----------
    scan : SegyScan
    index : GatherIndex
    amplitude : numpy.ndarray of float32, shape (n_gather, n_trace, n_time), or a lazy array
    rms_outlier : float, optional
        Also flag traces whose log-RMS is more than this many robust standard
        deviations from their gather's median (``DeadReason.RMS_OUTLIER``).
    """
    layout = scan.layout
    slot = index.slot_trace
    present = slot >= 0
    if rms_outlier is not None and scan.log_rms is None:
        raise ValueError("rms_outlier needs a scan made with scan_segy(..., log_rms=True)")
    reasons, live = slot_live(scan.reasons, slot, index.pad, log_rms=scan.log_rms, rms_outlier=rms_outlier)
    # None for a scan of some header words only: no header coordinates
    raw_headers = _on_grid(scan.raw_headers, slot)
    raw_extensions = _on_grid(scan.raw_extensions, slot)

    if index.kind == "cube":
        dims = ("inline", "crossline")
        dim_coords = {"inline": index.gather_values, "crossline": index.trace_values}
    else:
        dims = ("gather", "trace")
        dim_coords = {"gather": index.gather_values, "trace": np.arange(slot.shape[1])}
    coords: dict[str, tuple] = {d: (d, v) for d, v in dim_coords.items()}
    coords["time"] = ("time", layout.time_ms, {"units": "ms", "long_name": "two-way time"})
    valid = present
    if raw_headers is not None and index.kind == "cube" and not present.all():
        raw_headers = cube_headers(raw_headers, present, layout.endian)
        valid = np.ones_like(present)
    if raw_headers is not None:
        keys = (index.gather_key, index.sort_key)
        for word, (grid, attrs) in names.header_coordinates(raw_headers, layout.endian, valid, keys).items():
            if word not in coords:
                coords[word] = (dims, grid, attrs)

    with open(layout.path, "rb") as fh:
        preamble = fh.read(layout.data_offset)
    data_vars = {
        names.AMPLITUDE: (dims + ("time",), amplitude, {"long_name": "amplitude"}),
        names.LIVE: (dims, live, {"long_name": "live trace mask"}),
        names.DEAD_REASON: (dims, reasons, {"flags": _reason_legend()}),
        names.TRACE_INDEX: (dims, slot, {"long_name": "trace number in source file (0-based), -1: none"}),
        names.PAD: (dims, index.pad, {"long_name": "padding of a short gather"}),
    }
    if raw_headers is not None:
        data_vars[names.TRACE_HEADER] = (
            dims + ("header_byte",), raw_headers, {"long_name": "raw 240-byte trace header"}
        )
    if raw_extensions is not None:
        data_vars[names.TRACE_HEADER_EXTENSION] = (
            dims + ("extension_byte",), raw_extensions,
            {"long_name": "raw SEG-Y rev 2 trace header extensions (240 bytes each)"},
        )
    attrs = {
        "segy_source": str(layout.path),
        "segy_format": layout.format,
        "segy_endian": layout.endian,
        "segy_n_traces": layout.n_traces,
        "segy_textual_header": names.encode_bytes(preamble[:3200]),
        "segy_binary_header": names.encode_bytes(preamble[3200:3600]),
        "segy_extended_headers": names.encode_bytes(preamble[3600:]),
        "dt_ms": layout.dt_ms,
        "layout": index.kind,
        "gather_key": index.gather_key or "none",
        "sort_key": index.sort_key or "none",
    }
    if layout.n_trace_ext:
        attrs["segy_trace_extensions"] = layout.n_trace_ext
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def _on_grid(rows: np.ndarray | None, slot: np.ndarray) -> np.ndarray | None:
    """Per-trace rows (n_traces, k) on the slot grid (g, t, k), zeros where no trace; None for None."""
    if rows is None:
        return None
    if (slot >= 0).all() and np.array_equal(slot.reshape(-1), np.arange(rows.shape[0])):
        return rows.reshape(*slot.shape, rows.shape[1])  # file in slot order: no copy
    present = slot >= 0
    out = rows[np.where(present, slot, 0)]  # one copy (np.where + astype made three)
    out[~present] = 0
    return out


def _reason_legend() -> str:
    return ", ".join(f"{int(r)}={r.name}" for r in DeadReason)


def read_segy(
    path: str | os.PathLike,
    key: str | None = None,
    sort: str | None = None,
    *,
    cube: bool | None = None,
    chunks: dict | str | None = None,
    lazy: bool = False,
    rms_outlier: float | None = None,
    headers: str = "all",
) -> xr.Dataset:
    """Read a SEG-Y file into a labelled dataset with a live-trace mask.

    Parameters
    ----------
    path : str or path-like
        Any SEG-Y file segyio opens: IBM/IEEE floats, integer formats, big or
        little endian, with or without geometry.
    key : str, optional
        Header word that defines gathers (``FieldRecord``, ``CDP``, ``fldr``,
        ``INLINE_3D``...).  ``"none"``: the whole file is one gather.
        Default: detected (see :func:`seisfill.io.geometry.detect_index`).
    sort : str, optional
        Header word to sort traces by within a gather (``offset``,
        ``TraceNumber``...).  Default: detected.
    cube : bool, optional
        Force (True) or forbid (False) the (inline, crossline, time) layout.
    chunks : dict or "auto", optional
        Return dask-backed amplitudes with these chunks, e.g. ``{"gather": 8}``.
    lazy : bool
        Keep amplitudes on disk, read on access (xarray lazy indexing), without dask.
    rms_outlier : float, optional
        Flag traces whose RMS is an outlier in their gather (robust z-score in log-RMS).
    headers : {"all", "geometry"}
        ``"all"``: the raw 240-byte headers (``trace_header``) and every
        non-constant header word as a coordinate.  ``"geometry"`` (with
        ``lazy`` or ``chunks``): neither -- the scan keeps only the words that
        define the geometry, about 45 bytes per trace instead of 550, for
        planning work on files whose headers do not fit in memory
        (:func:`seisfill.parallel.fill_file`).  Such a dataset cannot be
        written with :func:`seisfill.write_segy` without a template.

    Returns
    -------
    xarray.Dataset
        Dims ``(gather, trace, time)`` or ``(inline, crossline, time)``; see
        :mod:`seisfill.io.dataset` for the variables.

    Raises
    ------
    SeisfillError
        For files that are not SEG-Y, truncated, or a header key that does not exist.
    """
    layout = open_layout(path)
    named = [optional_field(w) for w in (key, sort) if w is not None]  # bad keys fail before the scan
    on_disk = lazy or chunks is not None
    if headers not in ("all", "geometry"):
        raise SeisfillError(f"headers must be 'all' or 'geometry', got {headers!r}")
    if headers == "geometry" and not on_disk:
        raise SeisfillError("headers='geometry' needs lazy=True or chunks: the samples would outweigh the headers")
    words = sorted(set(GEOMETRY_WORDS) | {w for w in named if w is not None})
    scan = scan_segy(
        layout, keep_samples=not on_disk, log_rms=rms_outlier is not None,
        words=words if headers == "geometry" else None,
    )
    parsed = scan.words if scan.words is not None else parse_trace_headers(scan.raw_headers, layout.endian, words)
    index = detect_index(parsed, key=key, sort=sort, cube=cube)
    scan.words = parsed = None  # the index holds what the geometry needs
    _report_nonfinite(scan, layout.path)

    if on_disk:
        amplitude = indexing.LazilyIndexedArray(SegyAmplitudeArray(layout, index.slot_trace))
    else:
        amplitude = _arrange(scan.samples, index.slot_trace)
        scan.samples = None
    ds = build_dataset(scan, index, amplitude, rms_outlier=rms_outlier)
    if chunks is not None:
        ds = ds.chunk(chunks if isinstance(chunks, dict) else {ds[names.LIVE].dims[0]: 1})
    return ds


def _arrange(samples: np.ndarray, slot_trace: np.ndarray) -> np.ndarray:
    """Put file-order samples (n_traces, ns) onto the slot grid (g, t, ns) with zeros elsewhere."""
    n_traces, ns = samples.shape
    flat = slot_trace.reshape(-1)
    if flat.size == n_traces and np.array_equal(flat, np.arange(n_traces)):
        return samples.reshape(*slot_trace.shape, ns)  # file already in gather order: no copy
    out = np.zeros((flat.size, ns), dtype=np.float32)
    present = flat >= 0
    out[present] = samples[flat[present]]
    return out.reshape(*slot_trace.shape, ns)


def _report_nonfinite(scan: SegyScan, path: Path) -> None:
    bad = np.flatnonzero(scan.reasons & DeadReason.NONFINITE)
    if bad.size:
        listed = ", ".join(str(i) for i in bad[:10]) + (" ..." if bad.size > 10 else "")
        warnings.warn(
            f"{path}: {bad.size} trace(s) hold NaN or Inf samples and are treated as dead "
            f"(file trace indices {listed})",
            stacklevel=3,
        )

