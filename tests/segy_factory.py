"""Small, seeded synthetic SEG-Y files for the IO tests, written with ``segyio.create``.

Builders:

* :func:`write_traces` - any traces and header words, in any sample format
  (the 3-byte formats 7 and 15 too, which segyio 1.9 cannot write), byte
  order, with or without extended textual headers;
* :func:`make_shots` - pre-stack shot gathers (``FieldRecord`` x
  ``TraceNumber``) with dead traces, dropped channels and ragged gathers;
* :func:`make_cube` - a post-stack (``INLINE_3D`` x ``CROSSLINE_3D``) cube
  with missing nodes;
* :func:`make_prestack_3d` - a pre-stack (inline, crossline, offset) file like
  segyio's ``small-ps.sgy``: several traces per node, told apart by offset;
* :func:`make_garbage_geometry` - a few very long traces whose inline and
  crossline words are random, like segyio's ``long.sgy``;
* :func:`make_rev2` - a SEG-Y rev 2 copy of a file with trace header
  extensions and extended textual headers (variable count, ``((SEG:
  EndText))``), like segyio's ``rotated-small-rev2.sgy``.

Each returns a :class:`SegyFile` that remembers what was written (samples in
the file's own dtype, header words, and where every trace sits), so that
tests can assert real numbers against it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import segyio

from seisfill.io.formats import SAMPLE_FORMATS, ibm_to_ieee, ieee_to_ibm

__all__ = [
    "DATA_DIR",
    "REAL_FILES",
    "real_file",
    "real_file_params",
    "SegyFile",
    "FORMAT_DTYPES",
    "write_traces",
    "amplitudes",
    "make_shots",
    "make_cube",
    "make_prestack_3d",
    "make_garbage_geometry",
    "make_rev2",
    "EXT_HEADER_TEXT",
]

#: real field SEG-Y files shared beside the repository (see its README.md)
DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"
#: every SEG-Y file found there (empty when the folder is absent)
REAL_FILES = sorted(DATA_DIR.glob("*.sgy")) if DATA_DIR.is_dir() else []
DT_US = 4000
#: numpy dtype segyio reads and writes for each format code (native order)
FORMAT_DTYPES = {
    1: np.float32,
    2: np.int32,
    3: np.int16,
    5: np.float32,
    6: np.float64,
    7: np.int32,  # 3 bytes in the file
    8: np.int8,
    9: np.int64,
    10: np.uint32,
    11: np.uint16,
    12: np.uint64,
    15: np.uint32,  # 3 bytes in the file
    16: np.uint8,
}
#: the 3-byte formats, written as these 4-byte ones by segyio and then packed
_INT24_VIA = {7: 2, 15: 10}
EXT_HEADER_TEXT = "((SEG: seisfill test extended header ver 1.0))".ljust(3200)


@dataclass
class SegyFile:
    """What a builder wrote.

    Attributes
    ----------
    path : Path
    fmt : int
    endian : {"big", "little"}
    data : numpy.ndarray, shape (n_traces, n_samples)
        Samples in file order, in :data:`FORMAT_DTYPES` ``[fmt]``.
    headers : dict of str -> numpy.ndarray of int64, shape (n_traces,)
        Header words written (segyio names).
    dead : dict of int -> str
        File trace index -> how it was killed (``flagged``, ``zero``,
        ``constant``, ``nan``).
    slots : dict of tuple -> int
        (gather value, channel) or (inline, crossline) -> file trace index.
    """

    path: Path
    fmt: int
    endian: str
    data: np.ndarray
    headers: dict[str, np.ndarray]
    dead: dict[int, str] = field(default_factory=dict)
    slots: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def n_traces(self) -> int:
        return self.data.shape[0]

    @property
    def n_samples(self) -> int:
        return self.data.shape[1]


def real_file(name: str) -> Path:
    """Path of a real file in :data:`DATA_DIR`; skips the test when it is absent."""
    path = DATA_DIR / name
    if not path.is_file():
        pytest.skip(f"real data file {path} not available")
    return path


def real_file_params() -> list:
    """``pytest.mark.parametrize`` values over :data:`REAL_FILES` (one skipped entry if none)."""
    if not REAL_FILES:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no real SEG-Y files in {DATA_DIR}"))]
    return [pytest.param(p, id=p.name) for p in REAL_FILES]


def amplitudes(fmt: int, shape: tuple[int, int], seed: int = 0, *, wide: bool = False) -> np.ndarray:
    """Seeded seismic-looking samples that sample format ``fmt`` holds exactly.

    Parameters
    ----------
    fmt : int
        SEG-Y sample format code.
    shape : (n_traces, n_samples)
    seed : int
    wide : bool
        False: every value is also exact in float32 (integers below 2**24,
        float64 values that are float32 values), so a dataset's float32
        amplitudes write back to the same bytes.  True: use the format's
        full range/precision (int32 beyond 2**24, float64 with 53-bit
        mantissas), which only the exact conversions keep.

    Returns
    -------
    numpy.ndarray of :data:`FORMAT_DTYPES` ``[fmt]``
    """
    rng = np.random.default_rng(seed)
    n_traces, n_samples = shape
    t = np.arange(n_samples)[None, :]
    x = np.arange(n_traces)[:, None]
    # two dipping Ricker events plus noise, peak about 1
    signal = np.zeros(shape)
    for t0, dip in ((0.3 * n_samples, 0.4), (0.65 * n_samples, -0.25)):
        arg = ((t - t0 - dip * x) / 3.0) ** 2
        signal += (1 - 2 * arg) * np.exp(-arg)
    signal += 0.05 * rng.standard_normal(shape)
    kind = SAMPLE_FORMATS[fmt].kind
    dtype = np.dtype(FORMAT_DTYPES[fmt])
    if kind in ("ibm", "float"):
        values = (signal * 1000.0).astype(np.float32)
        if kind == "ibm":
            # IBM-representable float32 values: segyio writes them exactly
            values = ibm_to_ieee(ieee_to_ibm(values))
        if fmt == 6 and wide:
            return (signal * 1000.0).astype(np.float64) + rng.random(shape) * 1e-9
        return values.astype(dtype)
    info = np.iinfo(dtype)
    bits = SAMPLE_FORMATS[fmt].itemsize * 8
    if wide:
        half = 2.0 ** (bits - 2)
    else:
        half = min(2.0 ** (bits - 2), 2.0**22)
    if kind == "uint":
        centre = half
    else:
        centre = 0.0
    values = np.rint(centre + signal * half * 0.9)
    lo, hi = (info.min, info.max) if bits != 24 else ((0, 2**24 - 1) if kind == "uint" else (-(2**23), 2**23 - 1))
    values = np.clip(values, lo, hi).astype(dtype)
    if wide and bits >= 32:
        # random low bits: float64 (53-bit) cannot hold 64-bit values like these
        values ^= rng.integers(0, 256, size=shape).astype(dtype)
    return values


def _text_header() -> bytes:
    lines = [f"C{i + 1:2d} seisfill synthetic test file".ljust(80) for i in range(40)]
    return "".join(lines).encode("ascii")


def write_traces(
    path: str | Path,
    data: np.ndarray,
    headers: Mapping[str, Iterable[int]],
    *,
    fmt: int = 5,
    endian: str = "big",
    dt_us: int = DT_US,
    delay_ms: int = 0,
    ext_headers: int = 0,
    binary: Mapping[str, int] | None = None,
) -> Path:
    """Write traces and their header words to a new SEG-Y file.

    Parameters
    ----------
    path : path-like
    data : numpy.ndarray, shape (n_traces, n_samples)
        Samples, cast to the format's dtype (:data:`FORMAT_DTYPES`).
    headers : mapping of segyio TraceField name -> values, shape (n_traces,)
    fmt : int
        Sample format code.
    endian : {"big", "little"}
    dt_us : int
        Sample interval in microseconds.
    delay_ms : int
        DelayRecordingTime of every trace.
    ext_headers : int
        Number of extended textual headers (filled with :data:`EXT_HEADER_TEXT`).
    binary : mapping, optional
        Extra binary header words (segyio ``BinField`` names).
    """
    path = Path(path)
    data = np.asarray(data)
    n_traces, n_samples = data.shape
    spec = segyio.spec()
    spec.format = _INT24_VIA.get(fmt, fmt)
    spec.endian = endian
    spec.samples = delay_ms + np.arange(n_samples) * dt_us / 1000.0
    spec.tracecount = n_traces
    spec.ext_headers = ext_headers
    words = {getattr(segyio.TraceField, name): np.asarray(list(v)) for name, v in headers.items()}
    with segyio.create(path, spec) as f:
        f.text[0] = _text_header()
        for k in range(ext_headers):
            f.text[k + 1] = EXT_HEADER_TEXT
        if binary:
            f.bin.update({getattr(segyio.BinField, k): v for k, v in binary.items()})
        dtype = f.dtype
        for i in range(n_traces):
            trace_words = {key: int(values[i]) for key, values in words.items()}
            trace_words[segyio.TraceField.TRACE_SAMPLE_COUNT] = n_samples
            trace_words[segyio.TraceField.TRACE_SAMPLE_INTERVAL] = dt_us
            trace_words[segyio.TraceField.DelayRecordingTime] = delay_ms
            f.header[i] = trace_words
            f.trace[i] = np.ascontiguousarray(data[i], dtype=dtype)
    if fmt in _INT24_VIA:
        _pack_int24(path, fmt, endian, n_traces, n_samples, ext_headers)
    return path


def _pack_int24(path: Path, fmt: int, endian: str, n_traces: int, n_samples: int, ext_headers: int) -> None:
    """Rewrite a file of 4-byte integer samples as 3-byte ones (format 7 or 15), byte by byte.

    Each sample drops its most significant byte (the values fit in 24 bits);
    the binary header gets the new format code.
    """
    blob = bytearray(path.read_bytes())
    head = 3600 + 3200 * ext_headers
    blob[3224:3226] = fmt.to_bytes(2, endian)
    traces = np.frombuffer(bytes(blob[head:]), np.uint8).reshape(n_traces, 240 + 4 * n_samples)
    words = traces[:, 240:].reshape(n_traces, n_samples, 4)
    top = words[..., 0] if endian == "big" else words[..., 3]
    low = words[..., 1:] if endian == "big" else words[..., :3]
    sign = (low[..., 0] if endian == "big" else low[..., 2]) >> 7
    expected_top = np.where(sign == 1, 0xFF, 0) if fmt == 7 else 0
    assert np.all(top == expected_top), "sample out of the 3-byte range"
    packed = np.concatenate([traces[:, :240], low.reshape(n_traces, 3 * n_samples)], axis=1)
    path.write_bytes(bytes(blob[:head]) + packed.tobytes())


def _kill(data: np.ndarray, headers: dict[str, np.ndarray], dead: Mapping[int, str], fmt: int) -> None:
    """Make the listed file traces dead in place."""
    for i, how in dead.items():
        if how == "flagged":
            headers["TraceIdentificationCode"][i] = 2
        elif how == "zero":
            data[i] = 0
        elif how == "constant":
            data[i] = 7
        elif how == "nan":
            if SAMPLE_FORMATS[fmt].kind != "float":
                raise ValueError(f"format {fmt} cannot hold NaN")
            data[i, data.shape[1] // 2 :] = np.nan
        else:
            raise ValueError(f"unknown dead-trace kind {how!r}")


def make_shots(
    path: str | Path,
    *,
    n_shots: int = 3,
    n_channels: int = 12,
    n_samples: int = 40,
    fmt: int = 5,
    endian: str = "big",
    ext_headers: int = 0,
    counts: Iterable[int] | None = None,
    dropped: Mapping[int, Iterable[int]] | None = None,
    dead: Mapping[int, str] | None = None,
    scalar: int = -100,
    seed: int = 0,
    wide: bool = False,
    shuffle_within: bool = False,
) -> SegyFile:
    """Pre-stack shot gathers, one after the other in the file.

    Shot ``s`` has ``FieldRecord = EnergySourcePoint = 100 + s`` and channels
    ``TraceNumber = 1..n`` (``n = counts[s]`` or ``n_channels``) minus the
    ``dropped[s]`` ones.  Offsets shrink along the cable: channel ``c`` has
    ``offset = 25 * (n_channels + 1 - c)`` m, the receiver at
    ``GroupX = SourceX - offset``; coordinates are stored in centimetres
    (``SourceGroupScalar = scalar``, default -100), elevations in decimetres
    (``ElevationScalar = -10``).

    Parameters
    ----------
    dropped : mapping of shot index -> channel numbers
        Channels that have no trace in the file (gaps in TraceNumber).
    dead : mapping of file trace index -> kind
        ``flagged`` (trid 2), ``zero``, ``constant`` or ``nan``.
    shuffle_within : bool
        Write each shot's traces in a seeded random order.
    """
    rng = np.random.default_rng(seed + 1)
    counts = list(counts) if counts is not None else [n_channels] * n_shots
    dropped = {s: set(c) for s, c in (dropped or {}).items()}
    factor = 1.0 if scalar == 0 else (-scalar if scalar < 0 else 1.0 / scalar)
    cols: dict[str, list[int]] = {
        k: []
        for k in (
            "TRACE_SEQUENCE_LINE",
            "TRACE_SEQUENCE_FILE",
            "FieldRecord",
            "TraceNumber",
            "EnergySourcePoint",
            "CDP",
            "CDP_TRACE",
            "TraceIdentificationCode",
            "offset",
            "ReceiverGroupElevation",
            "SourceSurfaceElevation",
            "ElevationScalar",
            "SourceGroupScalar",
            "SourceX",
            "SourceY",
            "GroupX",
            "GroupY",
        )
    }
    slots = {}
    for s, n in enumerate(counts):
        channels = [c for c in range(1, n + 1) if c not in dropped.get(s, ())]
        if shuffle_within:
            channels = list(rng.permutation(channels))
        sx = 1000.0 + 50.0 * s
        for c in channels:
            c = int(c)
            off = 25 * (n_channels + 1 - c)
            slots[(100 + s, c)] = len(cols["FieldRecord"])
            row = {
                "FieldRecord": 100 + s,
                "TraceNumber": c,
                "EnergySourcePoint": 100 + s,
                "CDP": 2 * s + c,
                "CDP_TRACE": c,
                "TraceIdentificationCode": 1,
                "offset": off,
                "ReceiverGroupElevation": 1200 + 3 * c,
                "SourceSurfaceElevation": 1250,
                "ElevationScalar": -10,
                "SourceGroupScalar": scalar,
                "SourceX": round(sx * factor),
                "SourceY": round(500.0 * factor),
                "GroupX": round((sx - off) * factor),
                "GroupY": round(500.0 * factor),
            }
            for k, v in row.items():
                cols[k].append(v)
    n_traces = len(cols["FieldRecord"])
    cols["TRACE_SEQUENCE_LINE"] = list(range(1, n_traces + 1))
    cols["TRACE_SEQUENCE_FILE"] = list(range(1, n_traces + 1))
    headers = {k: np.asarray(v, dtype=np.int64) for k, v in cols.items()}
    data = amplitudes(fmt, (n_traces, n_samples), seed, wide=wide)
    dead = dict(dead or {})
    _kill(data, headers, dead, fmt)
    write_traces(path, data, headers, fmt=fmt, endian=endian, ext_headers=ext_headers)
    return SegyFile(Path(path), fmt, endian, data, headers, dead, slots)


def make_cube(
    path: str | Path,
    *,
    n_inline: int = 5,
    n_crossline: int = 6,
    n_samples: int = 30,
    inline0: int = 101,
    crossline0: int = 201,
    crossline_step: int = 1,
    missing: Iterable[tuple[int, int]] = (),
    fmt: int = 5,
    endian: str = "big",
    seed: int = 0,
) -> SegyFile:
    """A post-stack cube in inline-major order, some nodes left out.

    Node ``(i, j)`` (0-based) has ``INLINE_3D = inline0 + i``,
    ``CROSSLINE_3D = crossline0 + crossline_step * j``,
    ``CDP = i * n_crossline + j + 1`` and ``CDP_X = 600000 + 25 j + 5 i``,
    ``CDP_Y = 4000000 + 25 i`` metres stored in centimetres (scalar -100).

    Parameters
    ----------
    missing : iterable of (i, j)
        Nodes that have no trace in the file.
    """
    missing = set(missing)
    cols: dict[str, list[int]] = {
        k: []
        for k in ("INLINE_3D", "CROSSLINE_3D", "CDP", "CDP_X", "CDP_Y", "SourceGroupScalar", "TraceIdentificationCode")
    }
    slots = {}
    for i in range(n_inline):
        for j in range(n_crossline):
            if (i, j) in missing:
                continue
            il, xl = inline0 + i, crossline0 + crossline_step * j
            slots[(il, xl)] = len(cols["CDP"])
            for k, v in (
                ("INLINE_3D", il),
                ("CROSSLINE_3D", xl),
                ("CDP", i * n_crossline + j + 1),
                ("CDP_X", (600000 + 25 * j + 5 * i) * 100),
                ("CDP_Y", (4000000 + 25 * i) * 100),
                ("SourceGroupScalar", -100),
                ("TraceIdentificationCode", 1),
            ):
                cols[k].append(v)
    n_traces = len(cols["CDP"])
    cols["TRACE_SEQUENCE_FILE"] = list(range(1, n_traces + 1))
    headers = {k: np.asarray(v, dtype=np.int64) for k, v in cols.items()}
    data = amplitudes(fmt, (n_traces, n_samples), seed)
    write_traces(path, data, headers, fmt=fmt, endian=endian)
    return SegyFile(Path(path), fmt, endian, data, headers, {}, slots)


def make_prestack_3d(
    path: str | Path,
    *,
    n_inline: int = 2,
    n_crossline: int = 3,
    n_offset: int = 4,
    n_samples: int = 10,
    inline0: int = 1,
    crossline0: int = 20,
    offset_major: bool = False,
    dropped: Iterable[tuple[int, int, int]] = (),
    fmt: int = 5,
) -> SegyFile:
    """A pre-stack 3-D file like segyio's ``small-ps.sgy``: traces by (inline, crossline, offset).

    Node ``(i, j)`` has ``INLINE_3D = inline0 + i``, ``CROSSLINE_3D =
    crossline0 + j`` and ``n_offset`` traces with ``offset = 1..n_offset``;
    no other header word (no FieldRecord, CDP) is set, as in segyio's file.
    Trace ``(i, j, k)`` holds ``il + xl / 100 + 100 * offset`` plus a ramp of
    ``sample / 1000``, segyio's recipe, so every trace tells where it belongs.

    Parameters
    ----------
    offset_major : bool
        Write the traces offset by offset (all nodes at offset 1, then 2...)
        instead of node by node.
    dropped : iterable of (i, j, k)
        Traces left out (a bin with fewer offsets).
    """
    dropped = set(dropped)
    order = [(i, j, k) for i in range(n_inline) for j in range(n_crossline) for k in range(n_offset)]
    if offset_major:
        order.sort(key=lambda ijk: (ijk[2], ijk[0], ijk[1]))
    order = [ijk for ijk in order if ijk not in dropped]
    cols = {w: np.array(values, dtype=np.int64) for w, values in (
        ("INLINE_3D", [inline0 + i for i, _, _ in order]),
        ("CROSSLINE_3D", [crossline0 + j for _, j, _ in order]),
        ("offset", [k + 1 for _, _, k in order]),
    )}
    ramp = np.arange(n_samples) / 1000.0
    data = np.array([cols["INLINE_3D"][t] + cols["CROSSLINE_3D"][t] / 100.0 + 100.0 * cols["offset"][t] + ramp
                     for t in range(len(order))]).astype(FORMAT_DTYPES[fmt])
    write_traces(path, data, cols, fmt=fmt)
    slots = {(inline0 + i, crossline0 + j, k + 1): t for t, (i, j, k) in enumerate(order)}
    return SegyFile(Path(path), fmt, "big", data, cols, {}, slots)  # type: ignore[arg-type]


def make_garbage_geometry(
    path: str | Path, *, n_traces: int = 3, n_samples: int = 60_000, seed: int = 3
) -> SegyFile:
    """A few very long traces with random inline/crossline words, like segyio's ``long.sgy``.

    Every trace has its own (INLINE_3D, CROSSLINE_3D) pair, so the words look
    like a cube, but a sparse one off any regular lattice: ``n_traces`` random
    values each, a grid of ``n_traces**2`` nodes.  No other geometry word is set.
    """
    rng = np.random.default_rng(seed)
    headers = {
        "INLINE_3D": rng.integers(1, 2**31 - 1, n_traces),
        "CROSSLINE_3D": rng.integers(1, 2**31 - 1, n_traces),
    }
    data = amplitudes(5, (n_traces, n_samples), seed)
    write_traces(path, data, headers)
    return SegyFile(Path(path), 5, "big", data, headers)


#: extended textual stanzas :func:`make_rev2` writes before ``((SEG: EndText))``
REV2_STANZAS = (
    "((SEG: Seisfill Test Stanza ver 1.0))".ljust(3200),
    "((SEG: Seisfill Test Stanza ver 1.0)) continued".ljust(3200),
)
REV2_END_TEXT = "((SEG: EndText))".ljust(3200)


def make_rev2(
    src: str | Path,
    path: str | Path,
    *,
    n_trace_ext: int = 1,
    variable_text: bool = True,
    seed: int = 0,
) -> np.ndarray:
    """Copy a (rev 1) SEG-Y file as SEG-Y rev 2 with trace header extensions.

    The copy's binary header says revision 2.0 (bytes 3501-3502), the number
    of extended textual headers (3505-3506: -1 with ``variable_text``, else
    the count) and ``n_trace_ext`` 240-byte trace header extensions per trace
    (3507-3510, 4 bytes).  :data:`REV2_STANZAS` follow the binary header (and
    :data:`REV2_END_TEXT` when the count is variable; the source's own
    extended headers are dropped), then every trace: its header, its
    extensions, its samples.  Extension ``b`` of trace ``i`` holds ``i + 1``
    (8 bytes, bytes 1-8: rev 2's trace sequence number), seeded random bytes
    and ``SEG0000b`` (bytes 233-240), so that a misplaced block shows.

    Returns
    -------
    numpy.ndarray of uint8, shape (n_traces, 240 * n_trace_ext)
        The extensions written, per trace.
    """
    blob = Path(src).read_bytes()
    binary = bytearray(blob[3200:3600])
    endian = "big" if int.from_bytes(binary[24:26], "big") in SAMPLE_FORMATS else "little"
    ns = int.from_bytes(binary[20:22], endian)
    itemsize = SAMPLE_FORMATS[int.from_bytes(binary[24:26], endian)].itemsize
    head = 3600 + 3200 * int.from_bytes(binary[304:306], endian, signed=True)
    traces = np.frombuffer(blob[head:], np.uint8).reshape(-1, 240 + ns * itemsize)
    n = traces.shape[0]
    stanzas = list(REV2_STANZAS) + ([REV2_END_TEXT] if variable_text else [])
    binary[300:302] = bytes([2, 0])
    binary[304:306] = (-1 if variable_text else len(stanzas)).to_bytes(2, endian, signed=True)
    binary[306:310] = n_trace_ext.to_bytes(4, endian)
    rng = np.random.default_rng(seed)
    ext = rng.integers(0, 256, (n, n_trace_ext, 240), dtype=np.uint8)
    sequence = np.arange(1, n + 1).astype(">u8" if endian == "big" else "<u8")
    ext[:, :, :8] = sequence.view(np.uint8).reshape(n, 1, 8)
    for b in range(n_trace_ext):
        ext[:, b, 232:] = np.frombuffer(f"SEG{b + 1:05d}".encode("ascii"), np.uint8)
    ext = ext.reshape(n, 240 * n_trace_ext)
    body = np.concatenate([traces[:, :240], ext, traces[:, 240:]], axis=1)
    text = "".join(stanzas).encode("ascii")
    Path(path).write_bytes(blob[:3200] + bytes(binary) + text + body.tobytes())
    return ext
