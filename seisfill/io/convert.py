"""SEG-Y <-> netCDF / Zarr, exactly.

A netCDF or Zarr file made by :func:`convert` holds the seisfill dataset:
amplitudes, live mask, raw trace headers, and the textual/binary headers in
attrs.  Converting it back gives the original SEG-Y byte for byte:

* amplitudes are stored in a dtype that holds the source samples exactly:
  float32 for the formats whose every sample it holds (IEEE float32, 8-,
  16- and 24-bit integers; IBM floats, whose normalised values within the float32
  range it holds), the file's own dtype for the others (32- and 64-bit
  integers, IEEE float64);
* the rare IBM words that float32 cannot hold (unnormalised words,
  magnitudes beyond float32) are kept raw in ``segy_fixup_*`` variables and
  restored on the way back.

Files are written to a temporary name and renamed when complete.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from seisfill._deps import require
from seisfill.errors import SeisfillError
from seisfill.io import dataset as names
from seisfill.io.formats import ibm_to_ieee, ieee_to_ibm, storage_dtype
from seisfill.io.layout import TraceReader, open_layout
from seisfill.io.segy import read_segy
from seisfill.io.write import atomic_output, write_segy

__all__ = ["convert", "read_dataset", "write_dataset", "exact_dataset", "kind_of"]

_SEGY_SUFFIXES = {".sgy", ".segy", ".seg-y", ".seg"}
#: formats whose samples float32 holds exactly (besides IBM, handled by fixups)
_FLOAT32_EXACT = {3, 5, 7, 8, 11, 15, 16}


def kind_of(path: str | os.PathLike) -> str:
    """``"segy"``, ``"netcdf"`` or ``"zarr"`` from a file name."""
    suffix = Path(path).suffix.lower()
    if suffix in _SEGY_SUFFIXES:
        return "segy"
    if suffix in (".nc", ".nc4", ".netcdf", ".h5"):
        return "netcdf"
    if suffix == ".zarr":
        return "zarr"
    raise SeisfillError(
        f"{path}: cannot tell the format from the extension '{suffix}' "
        "(use .sgy/.segy, .nc or .zarr)"
    )


def _native_amplitude(layout, slot_trace: np.ndarray) -> np.ndarray:
    """Samples in their storage dtype (native byte order), shape (g, t, ns)."""
    dtype = storage_dtype(layout.format, layout.endian)
    out = np.zeros((slot_trace.size, layout.n_samples), dtype=dtype.newbyteorder("="))
    flat = slot_trace.reshape(-1)
    present = flat >= 0
    with TraceReader(layout) as reader:
        raw = reader.read_raw(flat[present])[:, layout.header_size :]
    out[present] = np.ascontiguousarray(raw).view(dtype)
    return out.reshape(*slot_trace.shape, layout.n_samples)


def _ibm_fixups(layout, slot_trace: np.ndarray, chunk_traces: int = 4096) -> dict[str, np.ndarray]:
    """Raw IBM words that do not survive IBM -> float32 -> IBM."""
    traces, samples, words = [], [], []
    dtype = storage_dtype(1, layout.endian)
    with TraceReader(layout) as reader:
        for start, raw in reader.iter_chunks():
            w = np.ascontiguousarray(raw[:, layout.header_size :]).view(dtype).astype(np.uint32)
            bad_t, bad_s = np.nonzero(ieee_to_ibm(ibm_to_ieee(w)) != w)
            traces.append(bad_t + start)
            samples.append(bad_s)
            words.append(w[bad_t, bad_s])
    return {
        "segy_fixup_trace": np.concatenate(traces).astype(np.int64),
        "segy_fixup_sample": np.concatenate(samples).astype(np.int32),
        "segy_fixup_word": np.concatenate(words).astype(np.uint32),
    }


def exact_dataset(path: str | os.PathLike, key: str | None = None, sort: str | None = None,
                  cube: bool | None = None) -> xr.Dataset:
    """Read a SEG-Y file into a dataset that writes back to the same bytes.

    Like :func:`seisfill.read_segy`, but amplitudes keep a dtype that holds
    every sample exactly (see module notes) and IBM fixups are attached.
    """
    layout = open_layout(path)
    ds = read_segy(path, key=key, sort=sort, cube=cube, lazy=True)
    slot = ds[names.TRACE_INDEX].values
    if layout.format in _FLOAT32_EXACT or layout.format == 1:
        ds = ds.load()
    else:
        ds[names.AMPLITUDE] = (ds[names.AMPLITUDE].dims, _native_amplitude(layout, slot), ds[names.AMPLITUDE].attrs)
    if layout.format == 1:
        fixups = _ibm_fixups(layout, slot)
        for name, values in fixups.items():
            ds[name] = ("fixup", values)
    return ds


def write_dataset(ds: xr.Dataset, path: str | os.PathLike, inputs: tuple = ()) -> Path:
    """Write a seisfill dataset to netCDF (``.nc``) or Zarr (``.zarr``), atomically."""
    path = Path(path)
    kind = kind_of(path)
    if kind == "segy":
        raise SeisfillError(f"{path}: use write_segy for SEG-Y output")
    ds = ds.copy()
    for var in (names.LIVE, names.PAD, names.FILLED):
        if var in ds:
            ds[var] = ds[var].astype(np.int8).assign_attrs({**ds[var].attrs, "seisfill_bool": 1})
    if kind == "netcdf":
        engine = _netcdf_engine()
        with atomic_output(path, inputs) as tmp:
            ds.to_netcdf(tmp, engine=engine)
    else:
        require("zarr", "writing Zarr")
        for source in inputs:
            if source and Path(source).resolve() == path.resolve():
                raise SeisfillError(f"{path}: output path equals the input; choose another output")
        tmp = path.with_name(f".{path.name}.part")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            ds = _chunk_by_gather(ds)
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*[Cc]onsolidated metadata.*")
                ds.to_zarr(tmp, mode="w")
            if path.exists():
                shutil.rmtree(path)
            os.replace(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return path


def _chunk_by_gather(ds: xr.Dataset, target_bytes: int = 32 << 20) -> xr.Dataset:
    """Zarr chunks of whole gathers (inlines), about ``target_bytes`` of amplitudes each.

    A dataset that is already dask-backed keeps its chunks (whole traces along
    the other axes are enforced): a job filling gather by gather then reads
    and writes each chunk once.
    """
    g_dim, t_dim = names.slot_dims(ds)
    amp = ds[names.AMPLITUDE]
    per_gather = max(1, int(np.prod(amp.shape[1:])) * amp.dtype.itemsize)
    if amp.chunks is None:
        k = int(min(ds.sizes[g_dim], max(1, target_bytes // per_gather)))
        ds = ds.chunk({g_dim: k})
    ds = ds.chunk({t_dim: -1, "time": -1})
    for var in ds.variables.values():  # drop encodings that would contradict the new chunks
        var.encoding.pop("chunks", None)
        var.encoding.pop("preferred_chunks", None)
    return ds


def _netcdf_engine() -> str:
    for module, engine in (("netCDF4", "netcdf4"), ("h5netcdf", "h5netcdf")):
        try:
            __import__(module)
            return engine
        except ImportError:
            continue
    raise SeisfillError("writing netCDF needs netCDF4 or h5netcdf: pip install netCDF4")


def read_dataset(path: str | os.PathLike, chunks: dict | None = None) -> xr.Dataset:
    """Open a seisfill netCDF or Zarr file (booleans restored)."""
    path = Path(path)
    if not path.exists():
        raise SeisfillError(f"{path}: no such file")
    kind = kind_of(path)
    try:
        if kind == "netcdf":
            ds = xr.open_dataset(path, engine=_netcdf_engine(), chunks=chunks)
        elif kind == "zarr":
            require("zarr", "reading Zarr")
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*[Cc]onsolidated metadata.*")
                ds = xr.open_zarr(path, chunks=chunks)
        else:
            raise SeisfillError(f"{path}: use read_segy for SEG-Y input")
    except SeisfillError:
        raise
    except Exception as exc:
        raise SeisfillError(f"{path}: cannot open as {kind} ({exc})") from None
    for var in list(ds.data_vars):
        if ds[var].attrs.get("seisfill_bool"):
            # replace the attrs: the storage marker must not come back (writing
            # the dataset again, e.g. .nc -> .zarr, would mark it twice)
            restored = ds[var].astype(bool)
            restored.attrs = {k: v for k, v in ds[var].attrs.items() if k != "seisfill_bool"}
            ds[var] = restored
    names.check_dataset(ds)
    return ds


def convert(source: str | os.PathLike, target: str | os.PathLike, *, key: str | None = None,
            sort: str | None = None, cube: bool | None = None) -> Path:
    """Convert between SEG-Y, netCDF and Zarr; SEG-Y -> X -> SEG-Y is byte-exact.

    Parameters
    ----------
    source, target : path-like
        Formats from the extensions (.sgy/.segy, .nc, .zarr).
    key, sort, cube
        How to organise SEG-Y traces (see :func:`seisfill.read_segy`).

    Returns
    -------
    Path
        The target path.
    """
    source, target = Path(source), Path(target)
    src_kind, dst_kind = kind_of(source), kind_of(target)
    if source.resolve() == target.resolve():
        raise SeisfillError(f"{target}: output path equals the input; choose another output file")
    if src_kind == "segy":
        ds = exact_dataset(source, key=key, sort=sort, cube=cube)
    else:
        ds = read_dataset(source)
    if dst_kind == "segy":
        if src_kind == "segy":
            raise SeisfillError("SEG-Y to SEG-Y: nothing to convert (use 'seisfill fill' to process)")
        write_segy(ds, target, flag_word=None, sidecar=False)
    else:
        write_dataset(ds, target, inputs=(source,))
    return target

