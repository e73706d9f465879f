"""Write a seisfill dataset back to SEG-Y, changing only the filled traces.

Every trace that was in the source is copied byte for byte - header and
samples - unless it was filled; a filled trace keeps its header except for
``TraceIdentificationCode`` (set to 1, live) and the flag word (default
``UnassignedInt1``, bytes 233-236: 1 = filled dead trace, 2 = inserted trace),
and gets new samples encoded in the source's own sample format.  Slots that
regularisation inserted and a method filled become new traces, placed after
the trace that precedes them in their gather, with the headers
regularisation interpolated for them.  SEG-Y rev 2 trace header extensions
travel with their trace header; an inserted trace carries those of the trace
it follows.

The output is written to a temporary file beside the target and renamed when
complete, so a failure never leaves a half-written file.  A JSON sidecar
(``<output>.seisfill.json``) lists the filled and inserted traces.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from seisfill.errors import SeisfillError
from seisfill.io import dataset as names
from seisfill.io.densify_grid import densify_record
from seisfill.io.formats import encode_samples, sample_format
from seisfill.io.headers import TRACE_HEADER_SIZE, resolve_field, set_trace_field
from seisfill.io.layout import SegyLayout, TraceReader, open_layout

__all__ = ["write_segy", "WriteSummary", "atomic_output", "default_mode", "mark_new_traces", "output_order", "sidecar_details", "FILLED_FLAG", "INSERTED_FLAG", "DEFAULT_FLAG_WORD"]

DEFAULT_FLAG_WORD = "UnassignedInt1"
FILLED_FLAG = 1
INSERTED_FLAG = 2
_COPY, _FILLED, _INSERTED = 0, 1, 2


@dataclass
class WriteSummary:
    """What :func:`write_segy` wrote."""

    path: str
    n_traces: int
    n_filled: int
    n_inserted: int
    sidecar: str | None


def default_mode(directory: bool = False) -> int:
    """Permissions a plain ``open(path, "w")`` (``mkdir``) gives a new file (folder): 0o666 (0o777) less the umask.

    Temporary files (:func:`tempfile.mkstemp`, ``mkdtemp``) are private (0o600,
    0o700); outputs get this mode before they are renamed into place, so every
    path writes them as any other program would.
    """
    return (0o777 if directory else 0o666) & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where Linux tells it (/proc/self/status)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):  # pragma: no cover - not Linux
        pass
    mask = os.umask(0o077)  # pragma: no cover - briefly stricter, never looser, for other threads
    os.umask(mask)  # pragma: no cover
    return mask  # pragma: no cover


@contextmanager
def atomic_output(path: str | os.PathLike, inputs: tuple = ()) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` on success.

    The file gets the permissions of a normal write (:func:`default_mode`)
    before the rename.

    Parameters
    ----------
    path : path-like
        Final output path.
    inputs : tuple of path-like
        Files that must not be overwritten (the inputs of the job).

    Raises
    ------
    SeisfillError
        If ``path`` is one of ``inputs`` or its folder does not exist.
    """
    path = Path(path)
    for source in inputs:
        if source and Path(source).exists() and path.exists() and os.path.samefile(source, path):
            raise SeisfillError(f"{path}: output path equals the input; choose another output file")
        if source and Path(source).resolve() == path.resolve():
            raise SeisfillError(f"{path}: output path equals the input; choose another output file")
    if not path.parent.exists():
        raise SeisfillError(f"{path}: folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, default_mode())  # mkstemp's file is private
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def output_order(ds: xr.Dataset, filled: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Output order: (source trace or -1, flat slot or -1, kind) per output trace."""
    trace_index = ds[names.TRACE_INDEX].values.reshape(-1)
    pad = ds[names.PAD].values.reshape(-1) if names.PAD in ds else np.zeros_like(trace_index, bool)
    filled = filled.reshape(-1)
    present = trace_index >= 0
    inserted = ~present & ~pad & filled
    if np.any(filled & pad):
        raise SeisfillError("a padding slot is marked filled; padding is not a trace and cannot be written")
    # place each inserted slot right after the present slot that precedes it; where the file holds
    # the gather in the opposite order of its slots (sorted by a word that decreases in the file),
    # right after the present slot that follows it, nearest that one first: between its neighbours
    slot_pos = np.arange(trace_index.size)
    last_present = np.maximum.accumulate(np.where(present, slot_pos, -1))
    next_present = np.minimum.accumulate(np.where(present, slot_pos, slot_pos.size)[::-1])[::-1]
    anchor = np.where(last_present >= 0, trace_index[np.maximum(last_present, 0)], -1)
    n_slot = ds[names.TRACE_INDEX].shape[-1]
    after = trace_index[np.minimum(next_present, slot_pos.size - 1)]
    backwards = ((last_present >= 0) & (next_present < slot_pos.size) & (last_present // n_slot == next_present // n_slot)
                 & (after < anchor))
    anchor = np.where(backwards, after, anchor)
    sort_key = np.where(present, trace_index.astype(np.float64), anchor + 0.5)
    chosen = np.flatnonzero(present | inserted)
    order = chosen[np.lexsort((np.where(backwards, -slot_pos, slot_pos)[chosen], sort_key[chosen]))]
    kind = np.where(inserted[order], _INSERTED, np.where(filled[order], _FILLED, _COPY))
    return trace_index[order], order, kind


def _flag_values(kind: np.ndarray) -> np.ndarray:
    return np.where(kind == _INSERTED, INSERTED_FLAG, FILLED_FLAG)


def _pointwise(var: xr.DataArray, flat: np.ndarray) -> np.ndarray:
    """Values of a (g, t, ...) variable at flat slot indices, for numpy, lazy or dask data."""
    n_t = var.shape[1]
    g, t = np.divmod(flat, n_t)
    d0, d1 = var.dims[:2]
    picked = var.isel({d0: xr.DataArray(g, dims="k"), d1: xr.DataArray(t, dims="k")})
    return np.asarray(picked.values)


def _preamble(ds: xr.Dataset, template: SegyLayout | None) -> bytes:
    if template is not None:
        with open(template.path, "rb") as fh:
            return fh.read(template.data_offset)
    try:
        return b"".join(
            names.decode_bytes(ds.attrs[k])
            for k in ("segy_textual_header", "segy_binary_header", "segy_extended_headers")
        )
    except KeyError as exc:
        raise SeisfillError(
            f"dataset has no SEG-Y headers (attr {exc.args[0]} missing): pass template=<source.sgy>"
        ) from None


def write_segy(
    ds: xr.Dataset,
    path: str | os.PathLike,
    template: str | os.PathLike | None = None,
    *,
    flag_word: str | None = DEFAULT_FLAG_WORD,
    sidecar: bool = True,
    trace_id: int = 1,
    chunk_bytes: int = 8 << 20,
) -> WriteSummary:
    """Write ``ds`` to SEG-Y; only filled traces differ from the source.

    Parameters
    ----------
    ds : xarray.Dataset
        A seisfill dataset (from :func:`seisfill.read_segy`, possibly filled
        or regularised; numpy-, lazily- or dask-backed).  Its optional
        ``filled`` variable marks slots that got new samples.
    path : path-like
        Output file (written atomically; never the template).
    template : path-like, optional
        The source SEG-Y: textual, binary, extended and trace headers and the
        samples of unfilled traces are copied from it byte for byte.  Without
        it they come from the dataset (its ``trace_header`` variable, header
        attrs, and ``amplitude`` encoded in the source sample format).
    flag_word : str or None
        Header word that records filling (1 filled, 2 inserted); None leaves
        it alone.
    sidecar : bool
        Also write ``<path>.seisfill.json`` listing filled/inserted traces.
    trace_id : int
        TraceIdentificationCode given to traces with new samples (1, live;
        ``seisfill decimate`` writes 2, dead).
    chunk_bytes : int
        Output written in pieces of about this size (bounded memory).  8 MB:
        32 MB pieces cost up to twice the CPU time on numpy data (cache misses,
        buffers faulted in anew), while much smaller ones add per-piece
        overhead on dask data (see benchmarks/io.py).

    Returns
    -------
    WriteSummary
    """
    names.check_dataset(ds)
    fmt, endian = int(ds.attrs["segy_format"]), str(ds.attrs["segy_endian"])
    ns = ds[names.AMPLITUDE].shape[-1]
    n_trace_ext = int(ds.attrs.get("segy_trace_extensions", 0))
    layout = open_layout(template) if template is not None else None
    if layout is not None:
        if (layout.format, layout.endian, layout.n_samples, layout.n_trace_ext) != (fmt, endian, ns, n_trace_ext):
            raise SeisfillError(
                f"{template}: template does not match the dataset (format {layout.format}/{fmt}, "
                f"{layout.endian}/{endian} endian, {layout.n_samples}/{ns} samples, "
                f"{layout.n_trace_ext}/{n_trace_ext} trace header extensions)"
            )
        if layout.n_traces != int(ds.attrs.get("segy_n_traces", layout.n_traces)):
            raise SeisfillError(
                f"{template}: template has {layout.n_traces} traces, the dataset was read from a "
                f"file with {ds.attrs['segy_n_traces']}; pass the file the dataset was read from"
            )
    flag = resolve_field(flag_word) if flag_word else None
    filled = ds[names.FILLED].values.astype(bool) if names.FILLED in ds else np.zeros(ds[names.LIVE].shape, bool)
    source_trace, slot, kind = output_order(ds, filled)
    if layout is not None and source_trace.size and source_trace.max() >= layout.n_traces:
        raise SeisfillError(f"{template}: dataset refers to trace {source_trace.max()} beyond the template's end")
    preamble = _preamble(ds, layout)
    header_size = TRACE_HEADER_SIZE * (1 + n_trace_ext)
    trace_size = header_size + ns * sample_format(fmt).itemsize
    per_chunk = max(1, chunk_bytes // trace_size)
    extension_row = extension_rows(kind) if n_trace_ext else None
    if n_trace_ext and layout is None and names.TRACE_HEADER_EXTENSION not in ds:
        raise SeisfillError(
            f"dataset has no {names.TRACE_HEADER_EXTENSION} for its {n_trace_ext} trace header "
            "extension(s) per trace: pass template=<source.sgy>"
        )
    inputs = (template, ds.attrs.get("segy_source"))
    reader = TraceReader(layout) if layout is not None else None

    with atomic_output(path, inputs) as tmp, open(tmp, "wb") as out:
        out.write(preamble)
        for start in range(0, kind.size, per_chunk):
            stop = min(kind.size, start + per_chunk)
            # the array itself, not .tobytes(): no copy of every output chunk
            extensions = None
            if extension_row is not None:  # where each trace's extensions come from: (file trace, slot)
                rows = extension_row[start:stop]
                extensions = (source_trace[rows], slot[rows])
            out.write(_chunk(ds, reader, source_trace[start:stop], slot[start:stop], kind[start:stop], fmt, endian,
                             flag, trace_id, extensions))
        out.flush()
        os.fsync(out.fileno())
    if reader is not None:
        reader.close()

    sidecar_path = None
    if sidecar:
        sidecar_path = f"{path}.seisfill.json"
        record = {
            "source": str(template or ds.attrs.get("segy_source", "")),
            "method": ds.attrs.get("fill_method"),
            "model": ds.attrs.get("fill_model"),
            "flag_word": flag,
            "flag_values": {"filled": FILLED_FLAG, "inserted": INSERTED_FLAG},
            **sidecar_details(ds.attrs),
            "filled_output_traces": np.flatnonzero(kind == _FILLED).tolist(),
            "filled_source_traces": source_trace[kind == _FILLED].tolist(),
            "inserted_output_traces": np.flatnonzero(kind == _INSERTED).tolist(),
        }
        if "densify_factor" in ds.attrs:  # new traces of a denser grid: their neighbours and positions
            record["densify"] = densify_record(ds, slot)
        with atomic_output(sidecar_path, inputs) as tmp:
            Path(tmp).write_text(json.dumps(record, indent=1))
    summary = WriteSummary(str(path), int(kind.size), int(np.sum(kind == _FILLED)), int(np.sum(kind == _INSERTED)), sidecar_path)
    return summary


def sidecar_details(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """``fill_NAME`` attributes holding a JSON object, as sidecar entries ``NAME`` (``fill_auto`` -> ``auto``).

    How a fill records what it decided for the whole file (a method's self-check choice,
    an adaptation): :func:`write_segy` and the streaming writer put these entries in the sidecar.
    """
    out = {}
    for key, value in attrs.items():
        if key.startswith("fill_") and isinstance(value, str) and value.startswith("{"):
            try:
                out[key[len("fill_"):]] = json.loads(value)
            except ValueError:
                continue
    return out


def extension_rows(kind: np.ndarray) -> np.ndarray:
    """Output row whose trace header extensions each output trace carries, shape (n,).

    A trace from the source carries its own; an inserted trace those of the
    source trace it follows (the next one when it comes first).
    """
    n = kind.size
    own = np.where(kind != _INSERTED, np.arange(n), -1)
    if n and own.max() < 0:
        raise SeisfillError("no trace of the source to copy trace header extensions from")
    before = np.maximum.accumulate(own)
    after = np.minimum.accumulate(np.where(own >= 0, own, n)[::-1])[::-1]
    return np.where(before >= 0, before, after)


def _chunk(
    ds: xr.Dataset,
    reader: TraceReader | None,
    source_trace: np.ndarray,
    slot: np.ndarray,
    kind: np.ndarray,
    fmt: int,
    endian: str,
    flag: str | None,
    trace_id: int = 1,
    extensions: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Bytes of a run of output traces, shape (n, trace_size), uint8.

    ``extensions``: for a file with trace header extensions, the source trace
    and slot whose extensions each output trace carries (:func:`extension_rows`).
    """
    ns = ds[names.AMPLITUDE].shape[-1]
    header_size = TRACE_HEADER_SIZE * (1 + int(ds.attrs.get("segy_trace_extensions", 0)))
    shape = (kind.size, header_size + ns * sample_format(fmt).itemsize)
    new = kind != _COPY
    if reader is not None:
        original = kind != _INSERTED
        if original.all():
            out = reader.read_raw(source_trace)  # a fresh array already: no second buffer, no copy
        else:
            out = np.empty(shape, dtype=np.uint8)
            out[original] = reader.read_raw(source_trace[original])
        inserted = kind == _INSERTED
        if inserted.any():
            out[inserted, :TRACE_HEADER_SIZE] = _pointwise(ds[names.TRACE_HEADER], slot[inserted])
            if extensions is not None:
                out[inserted, TRACE_HEADER_SIZE:header_size] = (
                    reader.read_raw(extensions[0][inserted])[:, TRACE_HEADER_SIZE:header_size])
        to_encode = new
    else:
        out = np.empty(shape, dtype=np.uint8)
        out[:, :TRACE_HEADER_SIZE] = _pointwise(ds[names.TRACE_HEADER], slot)
        if extensions is not None:
            out[:, TRACE_HEADER_SIZE:header_size] = _pointwise(ds[names.TRACE_HEADER_EXTENSION], extensions[1])
        to_encode = np.ones(kind.size, dtype=bool)
    if to_encode.any():
        values = _pointwise(ds[names.AMPLITUDE], slot[to_encode])
        if not np.all(np.isfinite(values[new[to_encode]])):
            raise SeisfillError("a filled trace holds NaN or Inf samples; refusing to write it")
        out[to_encode, header_size:] = encode_samples(values, fmt, endian)
    if reader is None:
        _apply_fixups(ds, out, source_trace, kind, endian, header_size)
    if new.any():
        out[new] = mark_new_traces(out[new], _flag_values(kind[new]), endian, flag, trace_id)
    return out


def mark_new_traces(
    raw: np.ndarray, flag_values: np.ndarray | int, endian: str, flag: str | None, trace_id: int = 1
) -> np.ndarray:
    """Set TraceIdentificationCode and the flag word of traces that got new samples.

    Parameters
    ----------
    raw : ndarray of uint8, shape (n, trace_size)
        Whole traces (header + samples), changed in place and returned.
    flag_values : int or ndarray of int, shape (n,)
        :data:`FILLED_FLAG` or :data:`INSERTED_FLAG` per trace.
    endian : str
    flag : str or None
        Header word of the flag (None: leave it).
    trace_id : int
        TraceIdentificationCode to write.
    """
    headers = np.ascontiguousarray(raw[:, :TRACE_HEADER_SIZE])
    set_trace_field(headers, "TraceIdentificationCode", trace_id, endian)
    if flag is not None:
        set_trace_field(headers, flag, np.broadcast_to(flag_values, (raw.shape[0],)), endian)
    raw[:, :TRACE_HEADER_SIZE] = headers
    return raw


def _apply_fixups(
    ds: xr.Dataset, out: np.ndarray, source_trace: np.ndarray, kind: np.ndarray, endian: str,
    header_size: int = TRACE_HEADER_SIZE,
) -> None:
    """Restore sample words that the dataset's dtype cannot hold exactly.

    :func:`seisfill.io.convert.to_netcdf` stores them as ``segy_fixup_trace``
    (source trace), ``segy_fixup_sample`` and ``segy_fixup_word`` (the raw
    32-bit word); they apply to copied (unfilled) traces only.
    """
    if "segy_fixup_trace" not in ds or not np.any(kind == _COPY):
        return
    fix_trace = ds["segy_fixup_trace"].values.astype(np.int64)
    fix_sample = ds["segy_fixup_sample"].values.astype(np.int64)
    fix_word = ds["segy_fixup_word"].values.astype(np.uint32)
    copied = kind == _COPY
    row_of = np.full(int(max(source_trace.max(), fix_trace.max(initial=0))) + 1, -1, dtype=np.int64)
    row_of[source_trace[copied]] = np.flatnonzero(copied)
    rows = row_of[fix_trace]
    hit = rows >= 0
    order = ">" if endian == "big" else "<"
    words = fix_word[hit].astype(f"{order}u4").view(np.uint8).reshape(-1, 4)
    cols = header_size + 4 * fix_sample[hit]
    for byte in range(4):
        out[rows[hit], cols + byte] = words[:, byte]
