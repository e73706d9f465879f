"""Fill methods: the registry and the built-in methods.

:func:`list_methods` gives the names, the recommended first; :func:`get_method`
one :class:`Method`; :data:`DEFAULT_METHOD` is the one default of every entry
point.  The built-in methods register themselves on import, in this order:
the network methods (:mod:`seisfill.methods.network`: ``hybrid``, ``unet``),
``auto`` (:mod:`seisfill.methods.auto`: the best of them on a self-check),
then the classical ones (:mod:`seisfill.methods.classical`: ``fx``, ``drr``,
``pocs``, ``linear``), then ``refine`` (:mod:`seisfill.methods.refine`: f-x
prediction plus a network's learned correction).  A new built-in method is one module that calls
:func:`register_method`, named in :data:`BUILT_IN`; user code can register
its own at any time.
"""

import importlib

from seisfill.methods.registry import (
    DEFAULT_DENSIFY_METHOD,
    DEFAULT_METHOD,
    Method,
    get_method,
    list_methods,
    register_method,
    sample_rows,
    sidecar_details,
    unregister_method,
    usable_default,
)

#: the modules of the built-in methods, in the order their methods are listed
#: (network: hybrid, unet; auto, the self-check; classical: fx, drr, pocs, linear); each registers its methods
#: on import
BUILT_IN = ("seisfill.methods.network", "seisfill.methods.auto", "seisfill.methods.classical",
            "seisfill.methods.refine")
for _module in BUILT_IN:
    importlib.import_module(_module)

__all__ = [
    "DEFAULT_DENSIFY_METHOD",
    "DEFAULT_METHOD",
    "Method",
    "get_method",
    "list_methods",
    "register_method",
    "sample_rows",
    "sidecar_details",
    "unregister_method",
    "usable_default",
]
