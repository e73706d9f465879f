"""seisfill: fill missing and dead traces in seismic surveys.

The numpy paths (SEG-Y IO, masks, classical methods, metrics, plots) import
without torch; the networks need it.

Quick start::

    import seisfill
    ds = seisfill.read_segy("survey.sgy")          # (gather, trace, time) + live mask
    filled = seisfill.fill(ds)                     # the default method; only dead/missing traces change
    seisfill.write_segy(filled, "filled.sgy", template="survey.sgy")

``seisfill.list_methods()`` names the fill methods (the registry,
:mod:`seisfill.methods`); ``seisfill.DEFAULT_METHOD`` is the default.
"""

from seisfill.core import fill_array
from seisfill.densify_dataset import densify
from seisfill.errors import SeisfillError
from seisfill.fill_dataset import fill
from seisfill.io.convert import read_dataset, write_dataset
from seisfill.io.regularize import regularize
from seisfill.io.segy import read_segy
from seisfill.io.write import write_segy
from seisfill.masks import DeadReason, decimate
from seisfill.methods import DEFAULT_METHOD, Method, get_method, list_methods, register_method

__version__ = "0.1.0"

__all__ = [
    "SeisfillError",
    "read_segy",
    "write_segy",
    "regularize",
    "fill",
    "densify",
    "fill_array",
    "list_methods",
    "get_method",
    "register_method",
    "Method",
    "DEFAULT_METHOD",
    "decimate",
    "DeadReason",
    "read_dataset",
    "write_dataset",
    "__version__",
]
