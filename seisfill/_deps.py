"""Optional dependencies, probed once.

The numpy paths (IO, masks, classical methods, metrics, plots) never import
torch; the networks do.  Use these flags instead of try/except at call sites.
"""

from __future__ import annotations

import importlib.util

__all__ = ["torch_available", "dask_available", "zarr_available", "netcdf_available", "require"]


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken or blocked installation counts as absent
        return False


torch_available: bool = _has("torch")
dask_available: bool = _has("dask")
zarr_available: bool = _has("zarr")
netcdf_available: bool = _has("netCDF4") or _has("h5netcdf") or _has("scipy")


def require(module: str, purpose: str) -> None:
    """Raise a clear error if ``module`` is not importable.

    Parameters
    ----------
    module : str
        Importable module name, e.g. ``"zarr"``.
    purpose : str
        What the caller needs it for, shown to the user.
    """
    from seisfill.errors import SeisfillError

    if not _has(module):
        raise SeisfillError(f"{purpose} needs the '{module}' package: pip install {module}")
