"""The byte layout of a SEG-Y file, and fast raw access to its traces.

A SEG-Y file with a fixed trace length is a regular structure::

    3200-byte textual header | 400-byte binary header | n_ext x 3200 extended
    textual headers | n_traces x (240-byte trace header + n_trace_ext x 240-byte
    trace header extensions + ns x itemsize samples)

:func:`open_layout` checks a file against that structure (with segyio as the
arbiter of what a SEG-Y file is) and :class:`TraceReader` reads runs of whole
traces with ``os.pread``: no memory map, so that reading a 2 GB file gather by
gather keeps the resident memory at the size of one gather.

SEG-Y rev 2 adds what segyio 1.9 does not read, so such files are described
from their binary header alone: trace header extensions (bytes 3507-3510, the
number of 240-byte blocks after each trace header), a variable number of
extended textual headers (bytes 3505-3506 = -1: 3200-byte stanzas up to and
including the one that starts ``((SEG: EndText))``) and the 3-byte integer
sample formats 7 and 15.  Every trace is taken to carry the same number of
extension blocks (a fixed trace length), which the file size must confirm.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import segyio

from seisfill.errors import SeisfillError
from seisfill.io.formats import SAMPLE_FORMATS, decode_samples, sample_format
from seisfill.io.headers import (
    BIN_EXT_HEADERS_OFFSET,
    BIN_FORMAT_OFFSET,
    BIN_INTERVAL_OFFSET,
    BIN_REVISION_OFFSET,
    BIN_SAMPLES_EXT_OFFSET,
    BIN_SAMPLES_OFFSET,
    BIN_TRACE_EXT_OFFSET,
    TRACE_HEADER_SIZE,
)

__all__ = ["SegyLayout", "open_layout", "TraceReader", "TEXT_HEADER_SIZE", "BINARY_HEADER_SIZE"]

TEXT_HEADER_SIZE = 3200
BINARY_HEADER_SIZE = 400
_PREAMBLE = TEXT_HEADER_SIZE + BINARY_HEADER_SIZE


@dataclass(frozen=True)
class SegyLayout:
    """Where everything is in one SEG-Y file.

    Attributes
    ----------
    path : Path
    endian : {"big", "little"}
    format : int
        SEG-Y sample format code (1 IBM float, 5 IEEE float, 3 int16, ...).
    n_samples : int
        Samples per trace (from the binary header, as segyio reads it).
    dt_ms : float
        Sample interval in milliseconds.
    delay_ms : float
        Time of the first sample (DelayRecordingTime of the first trace).
    n_ext_headers : int
        Number of 3200-byte extended textual headers (for a variable number,
        the stanzas up to and including ``((SEG: EndText))``).
    n_traces : int
    file_size : int
    n_trace_ext : int
        Number of 240-byte trace header extensions after each trace header
        (SEG-Y rev 2); they travel with the header, untouched.
    """

    path: Path
    endian: str
    format: int
    n_samples: int
    dt_ms: float
    delay_ms: float
    n_ext_headers: int
    n_traces: int
    file_size: int
    n_trace_ext: int = 0

    @property
    def itemsize(self) -> int:
        """Bytes per sample."""
        return SAMPLE_FORMATS[self.format].itemsize

    @property
    def data_offset(self) -> int:
        """Byte offset of the first trace header."""
        return _PREAMBLE + TEXT_HEADER_SIZE * self.n_ext_headers

    @property
    def header_size(self) -> int:
        """Bytes of header per trace: the trace header and its extensions (where the samples start)."""
        return TRACE_HEADER_SIZE * (1 + self.n_trace_ext)

    @property
    def trace_size(self) -> int:
        """Bytes per trace, headers included."""
        return self.header_size + self.n_samples * self.itemsize

    @property
    def time_ms(self) -> np.ndarray:
        """Sample times in ms, shape (n_samples,)."""
        return self.delay_ms + self.dt_ms * np.arange(self.n_samples, dtype=np.float64)


def _detect_endian(binary: bytes, path: Path) -> str:
    """Pick the byte order in which the binary header's format code is valid."""
    for endian in ("big", "little"):
        code = int.from_bytes(binary[BIN_FORMAT_OFFSET : BIN_FORMAT_OFFSET + 2], endian, signed=True)
        if code in SAMPLE_FORMATS:
            return endian
    for endian in ("big", "little"):
        if int.from_bytes(binary[BIN_FORMAT_OFFSET : BIN_FORMAT_OFFSET + 2], endian, signed=True) == 4:
            sample_format(4)  # raises the 'unsupported format' error: fixed point with gain
    big = int.from_bytes(binary[BIN_FORMAT_OFFSET : BIN_FORMAT_OFFSET + 2], "big", signed=True)
    raise SeisfillError(
        f"{path}: not a SEG-Y file (the binary header's sample format code, bytes 3225-3226, "
        f"reads {big}, which is no SEG-Y format in either byte order)"
    )


def open_layout(path: str | os.PathLike) -> SegyLayout:
    """Check that ``path`` is a readable SEG-Y file and describe its layout.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    SegyLayout

    Raises
    ------
    SeisfillError
        For a missing, empty, truncated or non-SEG-Y file, with one line that
        says what is wrong.
    """
    path = Path(path)
    if not path.exists():
        raise SeisfillError(f"{path}: no such file")
    if path.is_dir():
        raise SeisfillError(f"{path}: is a directory, not a SEG-Y file")
    size = path.stat().st_size
    if size == 0:
        raise SeisfillError(f"{path}: empty file (0 bytes), not a SEG-Y file")
    if size < _PREAMBLE:
        raise SeisfillError(
            f"{path}: too short for a SEG-Y file ({size} bytes; the textual and binary "
            f"headers alone take {_PREAMBLE})"
        )
    with open(path, "rb") as fh:
        preamble = fh.read(_PREAMBLE)
    binary = preamble[TEXT_HEADER_SIZE:]
    endian = _detect_endian(binary, path)
    n_ext = int.from_bytes(
        binary[BIN_EXT_HEADERS_OFFSET : BIN_EXT_HEADERS_OFFSET + 2], endian, signed=True
    )
    fmt = int.from_bytes(binary[BIN_FORMAT_OFFSET : BIN_FORMAT_OFFSET + 2], endian, signed=True)
    sample_format(fmt)  # unsupported formats raise here
    trace_ext = _trace_extension_counts(binary, endian)
    if n_ext < 0 or trace_ext[0] or fmt in _NOT_IN_SEGYIO:
        return _rev2_layout(path, binary, endian, fmt, n_ext, trace_ext, size)
    try:
        with segyio.open(path, "r", ignore_geometry=True, endian=endian) as f:
            n_samples = len(f.samples)
            dt_ms = float(segyio.tools.dt(f, fallback_dt=4000.0)) / 1000.0
            delay_ms = float(f.samples[0]) if n_samples else 0.0
            n_ext = int(f.ext_headers)
    except SeisfillError:
        raise
    except Exception as exc:  # segyio raises RuntimeError/OSError/ValueError
        # segyio refuses a file cut mid-trace with a terse message: say so plainly
        # when the binary header's sample count shows that the size does not fit
        ns_binary = int.from_bytes(binary[BIN_SAMPLES_OFFSET : BIN_SAMPLES_OFFSET + 2], endian)
        if ns_binary > 0:
            _count_traces(SegyLayout(path, endian, fmt, ns_binary, 0.0, 0.0, n_ext, 0, size))
        raise SeisfillError(f"{path}: not a readable SEG-Y file ({exc})") from None
    if n_samples <= 0:
        raise SeisfillError(f"{path}: the binary header gives no samples per trace")
    layout = SegyLayout(path, endian, fmt, n_samples, dt_ms, delay_ms, n_ext, 0, size)
    n_traces = _count_traces(layout)
    return SegyLayout(path, endian, fmt, n_samples, dt_ms, delay_ms, n_ext, n_traces, size)


#: sample formats segyio 1.9 does not know (it would read them as 4-byte IBM floats)
_NOT_IN_SEGYIO = (7, 15)
#: most extended textual stanzas looked through for ``((SEG: EndText))``
_MAX_STANZAS = 32767


def _revision(binary: bytes, endian: str) -> int:
    """Major SEG-Y revision: byte 3501, or bytes 3501-3502 read as the 2-byte integer some writers
    put there (0x0200 with rev 1's Q-point, or plain 2), in the file's byte order."""
    word = int.from_bytes(binary[BIN_REVISION_OFFSET : BIN_REVISION_OFFSET + 2], endian)
    return max(binary[BIN_REVISION_OFFSET], word >> 8, 2 if word == 2 else 0)


def _trace_extension_counts(binary: bytes, endian: str) -> tuple[int, ...]:
    """Possible numbers of 240-byte trace header extensions, most likely first; (0,) before rev 2.

    Rev 2 gives the number in bytes 3507-3510 (4 bytes); a writer that put a
    2-byte value in bytes 3507-3508 is read as that value too, and none at all
    as the last resort (garbage in a header that only looks like rev 2): the
    file size decides (:func:`_rev2_layout`).  Earlier revisions leave these
    bytes unassigned: they are not read.
    """
    if _revision(binary, endian) < 2:
        return (0,)
    at = BIN_TRACE_EXT_OFFSET
    four = int.from_bytes(binary[at : at + 4], endian, signed=True)
    two = int.from_bytes(binary[at : at + 2], endian, signed=True)
    return tuple(dict.fromkeys(n for n in (four, two, 0) if n >= 0))


def _is_end_text(stanza: bytes) -> bool:
    """True for the extended textual stanza that ends them: ``((SEG: EndText))``, ASCII or EBCDIC."""
    for codec in ("ascii", "cp037"):
        head = stanza[:64].decode(codec, errors="replace").replace(" ", "").upper()
        if head.startswith("((SEG:ENDTEXT))"):
            return True
    return False


def _count_text_stanzas(path: Path) -> int:
    """Number of extended textual headers when the binary header says -1 (variable)."""
    with open(path, "rb") as fh:
        fh.seek(_PREAMBLE)
        for n in range(1, _MAX_STANZAS + 1):
            stanza = fh.read(TEXT_HEADER_SIZE)
            if len(stanza) < TEXT_HEADER_SIZE:
                break
            if _is_end_text(stanza):
                return n
    raise SeisfillError(
        f"{path}: the binary header announces a variable number of extended textual headers "
        "(bytes 3505-3506 = -1) but no ((SEG: EndText)) stanza ends them; the file may have been cut short"
    )


def _sample_interval_us(binary: bytes, first_header: bytes, endian: str) -> float:
    """Sample interval by segyio's rule: the binary or trace header value where set, 4000 us where
    neither is or they disagree."""
    bin_dt = int.from_bytes(binary[BIN_INTERVAL_OFFSET : BIN_INTERVAL_OFFSET + 2], endian)
    trace_dt = int.from_bytes(first_header[116:118], endian)
    if bin_dt and trace_dt and bin_dt != trace_dt:
        return 4000.0
    return float(bin_dt or trace_dt or 4000)


def _rev2_layout(
    path: Path, binary: bytes, endian: str, fmt: int, n_ext: int, trace_ext: tuple[int, ...], size: int
) -> SegyLayout:
    """The layout of a file segyio 1.9 cannot open (rev 2 headers, 3-byte samples), from its headers.

    Samples per trace from the binary header (rev 2: its 4-byte count at
    3269-3272 where the 2-byte one is 0), the sample interval and delay as
    segyio finds them; the number of trace header extensions is the first
    of ``trace_ext`` for which the traces fill the file exactly.
    """
    if n_ext < 0:
        n_ext = _count_text_stanzas(path)
    ns = int.from_bytes(binary[BIN_SAMPLES_OFFSET : BIN_SAMPLES_OFFSET + 2], endian)
    if ns == 0 and _revision(binary, endian) >= 2:
        ns = int.from_bytes(binary[BIN_SAMPLES_EXT_OFFSET : BIN_SAMPLES_EXT_OFFSET + 4], endian, signed=True)
    if ns <= 0:
        raise SeisfillError(f"{path}: the binary header gives no samples per trace")
    data_offset = _PREAMBLE + TEXT_HEADER_SIZE * n_ext
    with open(path, "rb") as fh:
        fh.seek(data_offset)
        first_header = fh.read(TRACE_HEADER_SIZE)
    if len(first_header) < TRACE_HEADER_SIZE:
        first_header = bytes(TRACE_HEADER_SIZE)  # no trace: _count_traces says so
    dt_ms = _sample_interval_us(binary, first_header, endian) / 1000.0
    delay_ms = float(int.from_bytes(first_header[108:110], endian, signed=True))
    layouts = [SegyLayout(path, endian, fmt, ns, dt_ms, delay_ms, n_ext, 0, size, k) for k in trace_ext]
    for layout in layouts:
        if _fits(layout):
            return replace(layout, n_traces=_count_traces(layout))
    return replace(layouts[0], n_traces=_count_traces(layouts[0]))


def _fits(layout: SegyLayout) -> bool:
    payload = layout.file_size - layout.data_offset
    return payload > 0 and payload % layout.trace_size == 0


def _count_traces(layout: SegyLayout) -> int:
    """Number of whole traces after the headers of a file of ``layout.file_size`` bytes.

    Raises
    ------
    SeisfillError
        If the traces do not fill the file exactly (a file cut short, or a
        wrong sample count or format), or there are none.
    """
    payload = layout.file_size - layout.data_offset
    n_traces, remainder = divmod(payload, layout.trace_size)
    if payload == 0:
        raise SeisfillError(f"{layout.path}: no traces after the SEG-Y headers; the file may have been cut short")
    if remainder or n_traces <= 0:
        extensions = f", {layout.n_trace_ext} trace header extension(s)" if layout.n_trace_ext else ""
        raise SeisfillError(
            f"{layout.path}: truncated or inconsistent SEG-Y file: {payload} bytes of traces is "
            f"not a whole number of {layout.trace_size}-byte traces ({layout.n_samples} samples "
            f"of format {layout.format}{extensions}); the file may have been cut short"
        )
    return n_traces


def _runs(indices: np.ndarray) -> list[tuple[int, int, int]]:
    """Split trace indices into contiguous runs.

    Returns a list of (position in ``indices``, first trace, run length) for
    the indices in the order given.
    """
    if indices.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(indices) != 1) + 1
    starts = np.concatenate(([0], breaks))
    stops = np.concatenate((breaks, [indices.size]))
    return [(int(a), int(indices[a]), int(b - a)) for a, b in zip(starts, stops, strict=True)]


class TraceReader:
    """Read whole traces, or their samples, by index.

    Contiguous indices are read with one system call per run.  The reader
    opens its file lazily and can be pickled (to Dask workers): each process
    opens its own descriptor.

    Parameters
    ----------
    layout : SegyLayout
    """

    def __init__(self, layout: SegyLayout):
        self.layout = layout
        self._fd: int | None = None

    def __getstate__(self) -> dict:
        return {"layout": self.layout, "_fd": None}

    def _descriptor(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.layout.path, os.O_RDONLY)
        return self._fd

    def close(self) -> None:
        """Close the file descriptor (reopened on the next read)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> TraceReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - best effort
        try:
            self.close()
        except Exception:
            pass

    def read_range(self, start: int, stop: int) -> np.ndarray:
        """Raw bytes of traces ``start:stop``, shape (stop - start, trace_size), uint8."""
        lay = self.layout
        if not 0 <= start <= stop <= lay.n_traces:
            raise IndexError(f"trace range {start}:{stop} outside 0:{lay.n_traces}")
        nbytes = (stop - start) * lay.trace_size
        buf = np.empty(nbytes, dtype=np.uint8)  # not bytearray(n), which zeroes it first
        view = memoryview(buf)
        offset = lay.data_offset + start * lay.trace_size
        done = 0
        fd = self._descriptor()
        while done < nbytes:
            got = os.preadv(fd, [view[done:]], offset + done)
            if got == 0:
                raise SeisfillError(f"{lay.path}: unexpected end of file (was it truncated while reading?)")
            done += got
        return buf.reshape(stop - start, lay.trace_size)

    def read_raw(self, indices: np.ndarray) -> np.ndarray:
        """Raw bytes of the given traces, shape (n, trace_size), uint8, in the order given."""
        indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        runs = _runs(indices)
        if len(runs) == 1:  # one contiguous run (a gather, a chunk of a file): no copy
            return self.read_range(runs[0][1], runs[0][1] + runs[0][2])
        out = np.empty((indices.size, self.layout.trace_size), dtype=np.uint8)
        for pos, first, length in runs:
            out[pos : pos + length] = self.read_range(first, first + length)
        return out

    def read_samples(self, indices: np.ndarray) -> np.ndarray:
        """Samples of the given traces as float32, shape (n, n_samples)."""
        raw = self.read_raw(indices)
        return decode_samples(raw[:, self.layout.header_size :], self.layout.format, self.layout.endian)

    def iter_chunks(self, chunk_bytes: int = 32 << 20) -> Iterator[tuple[int, np.ndarray]]:
        """Walk the file in order, yielding (first trace, raw traces (n, trace_size))."""
        lay = self.layout
        per_chunk = max(1, chunk_bytes // lay.trace_size)
        for start in range(0, lay.n_traces, per_chunk):
            yield start, self.read_range(start, min(lay.n_traces, start + per_chunk))
