"""SEG-Y trace and binary header words: names, byte positions, parsing.

The 91 standard trace-header words are taken from :class:`segyio.TraceField`
(names and 1-based byte positions); their sizes (2 or 4 bytes) follow from the
gaps between positions.  Users may name a word by its segyio name
(``FieldRecord``), its Seismic Unix mnemonic (``fldr``), case-insensitively,
or by its 1-based byte position (``"189"``).

All header words are signed two's-complement integers in the file's byte
order, as the SEG-Y standard says.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import segyio

from seisfill.errors import SeisfillError

__all__ = [
    "TRACE_HEADER_SIZE",
    "TRACE_FIELDS",
    "FIELD_SIZE",
    "resolve_field",
    "trace_header_dtype",
    "parse_trace_headers",
    "set_trace_field",
    "scaled_coordinates",
    "COORDINATE_WORDS",
    "ELEVATION_WORDS",
    "BIN_FORMAT_OFFSET",
    "BIN_INTERVAL_OFFSET",
    "BIN_SAMPLES_OFFSET",
    "BIN_EXT_HEADERS_OFFSET",
    "BIN_REVISION_OFFSET",
    "BIN_TRACE_EXT_OFFSET",
    "BIN_SAMPLES_EXT_OFFSET",
]

TRACE_HEADER_SIZE = 240

# byte offsets inside the 400-byte binary header (0-based)
BIN_INTERVAL_OFFSET = 16
BIN_SAMPLES_OFFSET = 20
BIN_FORMAT_OFFSET = 24
BIN_REVISION_OFFSET = 300  # byte 3501: major revision (1 byte), 3502: minor
BIN_EXT_HEADERS_OFFSET = 304  # 3505-3506: extended textual headers (-1: variable, rev 2)
BIN_TRACE_EXT_OFFSET = 306  # 3507-3510: 240-byte trace header extensions per trace (rev 2)
BIN_SAMPLES_EXT_OFFSET = 68  # 3269-3272: samples per trace where 3221-3222 is 0 (rev 2)

_positions = sorted((int(k), str(k).split(".")[-1]) for k in segyio.TraceField.enums())

#: name -> 1-based byte position, in header order
TRACE_FIELDS: dict[str, int] = {name: pos for pos, name in _positions}
#: name -> size in bytes (2 or 4)
FIELD_SIZE: dict[str, int] = {
    name: (_positions[i + 1][0] if i + 1 < len(_positions) else TRACE_HEADER_SIZE + 1) - pos
    for i, (pos, name) in enumerate(_positions)
}
assert set(FIELD_SIZE.values()) == {2, 4}

# Seismic Unix mnemonics that processing geophysicists type without thinking
_SU_ALIASES = {
    "tracl": "TRACE_SEQUENCE_LINE",
    "tracr": "TRACE_SEQUENCE_FILE",
    "fldr": "FieldRecord",
    "tracf": "TraceNumber",
    "channel": "TraceNumber",
    "ep": "EnergySourcePoint",
    "cdpt": "CDP_TRACE",
    "trid": "TraceIdentificationCode",
    "gelev": "ReceiverGroupElevation",
    "selev": "SourceSurfaceElevation",
    "scalel": "ElevationScalar",
    "scalco": "SourceGroupScalar",
    "sx": "SourceX",
    "sy": "SourceY",
    "gx": "GroupX",
    "gy": "GroupY",
    "delrt": "DelayRecordingTime",
    "ns": "TRACE_SAMPLE_COUNT",
    "dt": "TRACE_SAMPLE_INTERVAL",
    "cdpx": "CDP_X",
    "cdpy": "CDP_Y",
    "iline": "INLINE_3D",
    "inline": "INLINE_3D",
    "il": "INLINE_3D",
    "xline": "CROSSLINE_3D",
    "crossline": "CROSSLINE_3D",
    "xl": "CROSSLINE_3D",
    "sp": "ShotPoint",
}
_LOOKUP = {name.lower(): name for name in TRACE_FIELDS}
_LOOKUP.update(_SU_ALIASES)
_BY_POSITION = {pos: name for name, pos in TRACE_FIELDS.items()}

#: words scaled by SourceGroupScalar (byte 71)
COORDINATE_WORDS = ("SourceX", "SourceY", "GroupX", "GroupY", "CDP_X", "CDP_Y")
#: words scaled by ElevationScalar (byte 69)
ELEVATION_WORDS = (
    "ReceiverGroupElevation",
    "SourceSurfaceElevation",
    "SourceDepth",
    "ReceiverDatumElevation",
    "SourceDatumElevation",
    "SourceWaterDepth",
    "GroupWaterDepth",
)


def resolve_field(key: str | int) -> str:
    """Return the canonical (segyio) name of a trace-header word.

    Parameters
    ----------
    key : str or int
        segyio name (``"FieldRecord"``), Seismic Unix mnemonic (``"fldr"``),
        either case-insensitive, or the 1-based byte position (``189``).

    Raises
    ------
    SeisfillError
        If no header word has that name or position.
    """
    if isinstance(key, (int, np.integer)) or (isinstance(key, str) and key.strip().isdigit()):
        pos = int(key)
        if pos in _BY_POSITION:
            return _BY_POSITION[pos]
        raise SeisfillError(
            f"no trace-header word starts at byte {pos}; words start at "
            f"{', '.join(str(p) for p in sorted(_BY_POSITION)[:6])}, ... (SEG-Y rev 1 layout)"
        )
    name = _LOOKUP.get(str(key).strip().lower())
    if name is None:
        raise SeisfillError(
            f"unknown trace-header key '{key}': use a segyio name (FieldRecord, CDP, offset, "
            "TraceNumber, INLINE_3D, CROSSLINE_3D, ...), an SU mnemonic (fldr, cdp, tracf, "
            "iline, xline, ...) or a byte position"
        )
    return name


def trace_header_dtype(endian: str, fields: Iterable[str] | None = None) -> np.dtype:
    """Structured dtype that views raw 240-byte trace headers as named words.

    Parameters
    ----------
    endian : {"big", "little"}
        Byte order of the file.
    fields : iterable of str, optional
        Canonical names to include (default: all 91).

    Returns
    -------
    numpy.dtype
        A structured dtype of itemsize 240 with ``i2``/``i4`` fields at their
        byte offsets.
    """
    order = ">" if endian == "big" else "<"
    names = list(TRACE_FIELDS) if fields is None else [resolve_field(f) for f in fields]
    return np.dtype(
        {
            "names": names,
            "formats": [f"{order}i{FIELD_SIZE[n]}" for n in names],
            "offsets": [TRACE_FIELDS[n] - 1 for n in names],
            "itemsize": TRACE_HEADER_SIZE,
        }
    )


def parse_trace_headers(
    raw: np.ndarray, endian: str, fields: Iterable[str] | None = None
) -> dict[str, np.ndarray]:
    """Parse raw trace headers into one int32 array per word.

    Parameters
    ----------
    raw : numpy.ndarray of uint8, shape (n_traces, 240)
        Raw header bytes (a view into a larger trace buffer is fine).
    endian : {"big", "little"}
    fields : iterable of str, optional
        Words to parse (default: all).

    Returns
    -------
    dict of str -> numpy.ndarray of int32, shape (n_traces,)
    """
    raw = np.ascontiguousarray(raw, dtype=np.uint8).reshape(-1, TRACE_HEADER_SIZE)
    view = raw.view(trace_header_dtype(endian, fields)).reshape(-1)
    return {name: view[name].astype(np.int32) for name in view.dtype.names}


def set_trace_field(raw: np.ndarray, field: str, values: np.ndarray | int, endian: str) -> None:
    """Write one header word into raw trace headers, in place.

    Parameters
    ----------
    raw : numpy.ndarray of uint8, shape (n_traces, 240)
        Must be C-contiguous (it is modified).
    field : str
        Header word (any form :func:`resolve_field` accepts).
    values : int or array of int, shape (n_traces,)
    endian : {"big", "little"}

    Raises
    ------
    SeisfillError
        If a value does not fit the word (2-byte words hold -32768..32767).
    """
    name = resolve_field(field)
    size = FIELD_SIZE[name]
    info = np.iinfo(np.int16 if size == 2 else np.int32)
    values = np.broadcast_to(np.asarray(values, dtype=np.int64), (raw.shape[0],))
    if values.size and (values.min() < info.min or values.max() > info.max):
        raise SeisfillError(f"value out of range for the {size}-byte header word {name}")
    order = ">" if endian == "big" else "<"
    encoded = values.astype(f"{order}i{size}").view(np.uint8).reshape(-1, size)
    start = TRACE_FIELDS[name] - 1
    raw[:, start : start + size] = encoded


def _apply_scalar(values: np.ndarray, scalar: np.ndarray) -> np.ndarray:
    """SEG-Y scalar rule: positive multiplies, negative divides, zero means 1."""
    scalar = scalar.astype(np.float64)
    factor = np.ones_like(scalar)
    factor[scalar > 0] = scalar[scalar > 0]
    factor[scalar < 0] = -1.0 / scalar[scalar < 0]
    return values.astype(np.float64) * factor


def scaled_coordinates(headers: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Apply the coordinate and elevation scalars to the words they govern.

    Parameters
    ----------
    headers : dict of str -> int array, shape (n_traces,)
        Parsed headers; must hold ``SourceGroupScalar`` / ``ElevationScalar``
        for the words to be scaled.

    Returns
    -------
    dict of str -> float64 array, shape (n_traces,)
        Scaled coordinates (in the survey's units, see ``CoordinateUnits``) and
        elevations, for the words present in ``headers``.
    """
    scaled = {}
    for words, scalar_name in ((COORDINATE_WORDS, "SourceGroupScalar"), (ELEVATION_WORDS, "ElevationScalar")):
        scalar = headers.get(scalar_name)
        for word in words:
            if word in headers:
                s = scalar if scalar is not None else np.zeros_like(headers[word])
                scaled[word] = _apply_scalar(headers[word], s)
    return scaled
