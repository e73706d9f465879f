"""Simulated missing traces on a whole dataset (tests, benchmarks, training).

Wraps the seeded patterns of :mod:`seisfill.masks` so that a dataset read
from SEG-Y can be decimated gather by gather, keeping the original as the
reference for SNR measurements.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from seisfill.io import dataset as names
from seisfill.masks import Decimation, decimate, parse_pattern

__all__ = ["decimate_dataset", "DECIMATED"]

#: boolean variable marking the traces a simulation removed
DECIMATED = "decimated"


def decimate_dataset(ds: xr.Dataset, pattern: str | Decimation, seed: int = 0) -> xr.Dataset:
    """Remove live traces from every gather with a seeded decimation pattern.

    Parameters
    ----------
    ds : xarray.Dataset
        A seisfill dataset.
    pattern : str or Decimation
        ``random50``, ``regular2``, ``gap8``, ... (see :func:`seisfill.masks.parse_pattern`).
    seed : int
        Gather ``g`` uses seed ``seed + g`` (a cube is decimated as one grid).

    Returns
    -------
    xarray.Dataset
        A copy where the removed traces have ``live`` False, zero amplitudes,
        and ``decimated`` True.  Traces already dead stay dead; the pattern
        is drawn over the live traces of each gather.
    """
    names.check_dataset(ds)
    spec = parse_pattern(pattern)
    live = ds[names.LIVE].values
    killed = np.zeros_like(live)
    if ds.attrs.get("layout") == "cube":
        killed = live & ~decimate(live.shape, spec, seed=seed)
    else:
        for g in range(live.shape[0]):
            idx = np.flatnonzero(live[g])
            if idx.size >= 3:
                killed[g, idx[~decimate(idx.size, spec, seed=seed + g)]] = True
    dims = ds[names.LIVE].dims
    mask = xr.DataArray(killed, dims=dims)
    out = ds.copy()
    out[names.AMPLITUDE] = ds[names.AMPLITUDE].where(~mask, 0).astype(ds[names.AMPLITUDE].dtype)
    out[names.LIVE] = (dims, live & ~killed, ds[names.LIVE].attrs)
    out[DECIMATED] = (dims, killed, {"long_name": f"removed by decimation {spec.name} (seed {seed})"})
    out.attrs["decimation"] = spec.name
    out.attrs["decimation_seed"] = seed
    return out
