"""``xr.open_dataset("survey.sgy", engine="seisfill")``.

A thin xarray backend over :func:`seisfill.read_segy`: amplitudes stay on
disk and are read lazily (or through dask with ``chunks=``), exactly as
``read_segy(..., lazy=True)`` gives them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import xarray as xr
from xarray.backends import BackendEntrypoint

from seisfill.io.segy import read_segy

__all__ = ["SeisfillBackendEntrypoint"]

_SUFFIXES = (".sgy", ".segy", ".seg-y", ".seg")


class SeisfillBackendEntrypoint(BackendEntrypoint):
    """xarray engine ``seisfill``: SEG-Y files as seisfill datasets.

    Keyword arguments (``backend_kwargs`` or directly): ``key``, ``sort``,
    ``cube``, ``rms_outlier`` as in :func:`seisfill.read_segy`.
    """

    description = "SEG-Y gathers and cubes with a live-trace mask (seisfill)"
    url = "https://github.com/seisfill/seisfill"
    open_dataset_parameters = ("filename_or_obj", "drop_variables", "key", "sort", "cube", "rms_outlier")

    def open_dataset(
        self,
        filename_or_obj,
        *,
        drop_variables: str | Iterable[str] | None = None,
        key: str | None = None,
        sort: str | None = None,
        cube: bool | None = None,
        rms_outlier: float | None = None,
    ) -> xr.Dataset:
        ds = read_segy(filename_or_obj, key=key, sort=sort, cube=cube, lazy=True, rms_outlier=rms_outlier)
        if drop_variables:
            ds = ds.drop_vars(drop_variables)
        return ds

    def guess_can_open(self, filename_or_obj) -> bool:
        try:
            return str(os.fspath(filename_or_obj)).lower().endswith(_SUFFIXES)
        except TypeError:
            return False
