"""The xarray conventions every part of seisfill shares.

A dataset read from SEG-Y has dims ``(gather, trace, time)`` for gathers and
2D lines, or ``(inline, crossline, time)`` for a post-stack cube, and holds:

==================  ========================  ======================================
variable            dims                      meaning
==================  ========================  ======================================
``amplitude``       (g, t, time) float32      samples; zero in slots with no trace
``live``            (g, t) bool               recorded and usable (the trace mask)
``dead_reason``     (g, t) uint8              :class:`seisfill.masks.DeadReason` bits
``trace_index``     (g, t) int64              trace number in the source file, -1: none
``pad``             (g, t) bool               slot only pads a short (ragged) gather
``trace_header``    (g, t, header_byte) uint8 the 240 raw header bytes of each slot
``filled``          (g, t) bool               (after filling) slot got new samples
==================  ========================  ======================================

A SEG-Y rev 2 file whose traces carry 240-byte trace header extensions also
has ``trace_header_extension`` (g, t, extension_byte) uint8, their raw bytes
(zeros in slots with no trace), and the attr ``segy_trace_extensions``.

Header words (``offset``, ``CDP``, ``SourceX`` scaled by the coordinate
scalar, ...) are (g, t) coordinates.  The textual, binary and extended headers
travel base64-encoded in attrs (``segy_textual_header``...) with the sample
format, byte order and sample interval, so a dataset - or a netCDF/Zarr file
made from one - can be written back to the same SEG-Y bytes.
"""

from __future__ import annotations

import base64

import numpy as np
import xarray as xr

from seisfill.errors import SeisfillError
from seisfill.io.headers import (
    COORDINATE_WORDS,
    ELEVATION_WORDS,
    parse_trace_headers,
    scaled_coordinates,
)

__all__ = [
    "AMPLITUDE",
    "LIVE",
    "DEAD_REASON",
    "TRACE_INDEX",
    "PAD",
    "TRACE_HEADER",
    "TRACE_HEADER_EXTENSION",
    "FILLED",
    "HEADER_COORDS",
    "slot_dims",
    "encode_bytes",
    "decode_bytes",
    "check_dataset",
    "textual_header_text",
    "dataset_shape",
    "header_coordinates",
]

AMPLITUDE = "amplitude"
LIVE = "live"
DEAD_REASON = "dead_reason"
TRACE_INDEX = "trace_index"
PAD = "pad"
TRACE_HEADER = "trace_header"
TRACE_HEADER_EXTENSION = "trace_header_extension"
FILLED = "filled"

#: header words offered as coordinates when any trace sets them
HEADER_COORDS = (
    "FieldRecord",
    "TraceNumber",
    "EnergySourcePoint",
    "CDP",
    "CDP_TRACE",
    "offset",
    "SourceX",
    "SourceY",
    "GroupX",
    "GroupY",
    "CDP_X",
    "CDP_Y",
    "INLINE_3D",
    "CROSSLINE_3D",
    "ShotPoint",
    "ReceiverGroupElevation",
    "SourceSurfaceElevation",
    "TraceIdentificationCode",
)


def slot_dims(ds: xr.Dataset) -> tuple[str, str]:
    """The two trace-slot dims: ``("gather", "trace")`` or ``("inline", "crossline")``."""
    dims = ds[LIVE].dims
    if len(dims) != 2:
        raise SeisfillError(f"dataset variable '{LIVE}' must have 2 dims, has {dims}")
    return dims[0], dims[1]


def encode_bytes(data: bytes) -> str:
    """Bytes as ASCII text for an attribute (netCDF/Zarr attrs cannot hold raw bytes)."""
    return base64.b64encode(bytes(data)).decode("ascii")


def decode_bytes(text: str) -> bytes:
    """Inverse of :func:`encode_bytes`."""
    return base64.b64decode(text.encode("ascii"))


def check_dataset(ds: xr.Dataset) -> None:
    """Raise a clear error if ``ds`` is not a seisfill dataset."""
    missing = [v for v in (AMPLITUDE, LIVE) if v not in ds.variables]
    if missing:
        raise SeisfillError(
            f"not a seisfill dataset: missing variable(s) {', '.join(missing)} "
            "(read it with seisfill.read_segy or open it with engine='seisfill')"
        )
    if ds[AMPLITUDE].dims[:2] != ds[LIVE].dims or ds[AMPLITUDE].ndim != 3:
        raise SeisfillError(
            f"dataset '{AMPLITUDE}' must have dims (slot, slot, time) matching '{LIVE}'"
        )


def textual_header_text(ds: xr.Dataset) -> str:
    """The textual header as readable text (EBCDIC decoded when it is EBCDIC)."""
    raw = decode_bytes(ds.attrs["segy_textual_header"])
    text = raw.decode("cp037") if raw[:1] == b"\xc3" else raw.decode("ascii", errors="replace")
    return "\n".join(text[i : i + 80].rstrip() for i in range(0, len(text), 80))


def dataset_shape(ds: xr.Dataset) -> tuple[int, int, int]:
    """(n_gather, n_trace, n_time) of a seisfill dataset."""
    return tuple(int(s) for s in ds[AMPLITUDE].shape)  # type: ignore[return-value]


def header_coordinates(
    raw_grid: np.ndarray,
    endian: str,
    valid: np.ndarray,
    always: tuple[str | None, ...] = (),
) -> dict[str, tuple[np.ndarray, dict]]:
    """Header words as (slot, slot) coordinate arrays, from raw headers on the grid.

    Parameters
    ----------
    raw_grid : numpy.ndarray of uint8, shape (n_gather, n_trace, 240)
    endian : {"big", "little"}
    valid : numpy.ndarray of bool, shape (n_gather, n_trace)
        Slots that hold a header (file traces and inserted slots; not padding).
    always : tuple of str
        Words to include even when zero everywhere (the gather and sort keys).

    Returns
    -------
    dict of str -> (array, attrs)
        Coordinate and elevation words scaled to floats (NaN where not valid),
        the others int32 (0 where not valid); words that are zero in every
        trace are left out.
    """
    shape = raw_grid.shape[:2]
    words = set(HEADER_COORDS) | {"SourceGroupScalar", "ElevationScalar"}
    parsed = parse_trace_headers(raw_grid.reshape(-1, raw_grid.shape[-1]), endian, words)
    scaled = scaled_coordinates(parsed)
    flat_valid = valid.reshape(-1)
    coords = {}
    for word in HEADER_COORDS:
        values = scaled.get(word, parsed[word])
        if not np.any(values[flat_valid]) and word not in always:
            continue
        attrs = {"segy_word": word}
        if word in COORDINATE_WORDS or word in ELEVATION_WORDS:
            grid = np.where(flat_valid, values, np.nan)
            attrs["scaled_by"] = "SourceGroupScalar" if word in COORDINATE_WORDS else "ElevationScalar"
        else:
            grid = np.where(flat_valid, values, 0).astype(np.int32)
        coords[word] = (grid.reshape(shape), attrs)
    return coords
