"""The classical methods (numpy only): f-x prediction, damped rank reduction, f-k POCS, linear interpolation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from seisfill.classical.drr import drr_fill
from seisfill.classical.fx import fx_interp
from seisfill.classical.linear import fill_linear
from seisfill.classical.pocs import pocs_fk
from seisfill.methods.registry import Method, register_method

__all__: list[str] = []


def _ndim_is_3(options: Mapping[str, Any]) -> bool:
    """``ndim=3``: whole blocks of inlines (or of neighbouring gathers), f-kx-ky or block Hankel."""
    return int(options.get("ndim", 2)) == 3


register_method(Method(
    "fx", fx_interp,
    "Spitz f-x prediction: regular decimation (every 2nd-4th trace), aliased dips",
    rows_independent=True,
))
register_method(Method(
    "drr", drr_fill,
    "damped rank reduction (damped MSSA): random and gap decimation; ndim=3 on cubes",
    rows_independent=True, thread_option="workers", is_3d=_ndim_is_3,
))
register_method(Method(
    "pocs", pocs_fk,
    "f-k POCS with threshold schedules: random gaps in unaliased data; ndim=3 on cubes",
    thread_option="workers", is_3d=_ndim_is_3,
))
register_method(Method(
    "linear", fill_linear,
    "linear interpolation between live neighbours, sample by sample: the baseline",
    rows_independent=True,
))
