"""The registry of fill methods: one entry per method, read by every entry point.

A method is a function ``fn(data, live, **options) -> estimate`` on trace-major
numpy arrays (``data`` of shape ``(..., n_trace, n_time)``, ``live`` of shape
``data.shape[:-1]``; the samples of non-live traces are zero) plus what the
rest of seisfill needs to know about it: whether it needs torch, whether it
works on whole 3-D blocks for the given options, how it uses threads, which
options it takes, and one line of help.  :func:`seisfill.fill`, the streaming
``--workers`` path, the 3-D bricks, the command line, ``seisfill evaluate``,
the demo, the notebooks and the benchmarks all read this registry; none of
them names a method.

Adding a method is one call (usually in one new file of this package,
imported by ``seisfill/methods/__init__.py``)::

    from seisfill.methods import Method, register_method

    def fill_nearest(data, live, *, max_distance=4):
        ...

    register_method(Method("nearest", fill_nearest, "copy the nearest live trace"))

and it shows up in ``seisfill.fill``, ``seisfill fill --method``, ``seisfill
evaluate`` and ``seisfill.list_methods()`` (see docs/architecture.md, "How to
add a method").
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seisfill._deps import require, torch_available
from seisfill.errors import SeisfillError
from seisfill.io.write import sidecar_details

__all__ = [
    "Method",
    "register_method",
    "unregister_method",
    "get_method",
    "list_methods",
    "DEFAULT_METHOD",
    "DEFAULT_DENSIFY_METHOD",
    "usable_default",
    "sample_rows",
    "sidecar_details",
]

#: What ``seisfill.fill`` and ``seisfill fill`` use without a method: the mean of the shipped
#: network's estimate and f-x prediction's; on held-out real windows and synthetic shot gathers
#: it beats the network alone on every decimation pattern but one (docs/benchmarks.md).
DEFAULT_METHOD = "hybrid"

#: What ``seisfill.densify`` and ``seisfill densify`` use without a method: for now the fill
#: default; benchmarks/densify.py (decimate by N, densify back, score the new traces) decides.
DEFAULT_DENSIFY_METHOD = DEFAULT_METHOD

#: parameters of a method function that are not options
_ARRAY_PARAMETERS = ("data", "live", "target")


def _never_3d(options: Mapping[str, Any]) -> bool:
    return False


def _as_is(options: Mapping[str, Any], ndim: int) -> dict[str, Any]:
    return dict(options)


def _no_attrs(options: Mapping[str, Any]) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class Method:
    """One fill method and what its callers need to know about it.

    Attributes
    ----------
    name : str
        What users type (``--method NAME``).
    function : callable
        ``function(data, live, **options) -> estimate``: ``data`` (..., n_trace,
        n_time) with zeros at non-live traces, ``live`` (..., n_trace) bool;
        returns an array of ``data``'s shape whose non-live traces hold the
        estimate (live traces are restored by the caller).
    summary : str
        One line of help (``seisfill fill --help``, ``seisfill evaluate``).
    needs_torch : bool
        Whether it runs a network (checked with a clear message before any work).
    takes_target : bool
        Whether ``function`` takes ``target`` (bool, like ``live``): the slots
        to fill; a method that can skip work elsewhere (a network runs only
        the windows holding a target).
    rows_independent : bool
        Whether each gather (row) is filled from its own traces alone, so that
        filling a block's rows in several calls gives every bit one call gives
        (``seisfill.fill`` then fills in groups of rows to move its progress
        bar).  Not so for a network (its batches mix the rows' windows) or a
        method that adapts to the whole call (f-k POCS picks its window per call).
    thread_option : str, optional
        Option that caps the method's own thread pool (``workers`` for f-k
        POCS's FFTs); streaming tasks set it to their thread count.  Methods
        with ``needs_torch`` run with torch's intra-op threads set instead.
    prepare : callable, optional
        ``prepare(options, ndim) -> options``: load what every block needs once
        (a network's weights) before blocks are filled; ``ndim`` is 3 for a
        post-stack cube, else 2.  Default: the options as given.
    is_3d : callable, optional
        ``is_3d(prepared_options) -> bool``: whether the method takes whole 3-D
        blocks ``(n_inline, n_crossline, n_time)`` (filled as bricks) rather
        than one gather or inline at a time.  Default: never.
    portable : callable, optional
        ``portable(prepared_options) -> options`` for another process (a Dask
        worker): what ``prepare`` loaded, named again.  Default: the options.
    describe : callable, optional
        ``describe(prepared_options) -> dict``: extra ``fill_*`` attributes of
        the filled dataset (``fill_model``).  Default: none.  A value that is
        a JSON object also goes into the sidecar (:func:`sidecar_details`).
    calibrate : callable, optional
        ``calibrate(prepared_options, data, live, target) -> options``: a
        choice made once per file (or :func:`seisfill.fill` call) from a
        deterministic sample of its rows -- the rows holding a target at
        :func:`sample_rows` positions, ``data`` (k, n_trace, n_time) with the
        non-live traces zeroed -- before any block is filled; the options it
        returns (the choice made concrete) go to every block and worker, so
        in-memory and streaming fills make the same choice.  Default: none.
    sample_size : int
        Rows ``calibrate`` sees at most.
    """

    name: str
    function: Callable[..., np.ndarray]
    summary: str
    needs_torch: bool = False
    takes_target: bool = False
    rows_independent: bool = False
    thread_option: str | None = None
    prepare: Callable[[Mapping[str, Any], int], dict[str, Any]] = field(default=_as_is, repr=False)
    is_3d: Callable[[Mapping[str, Any]], bool] = field(default=_never_3d, repr=False)
    portable: Callable[[Mapping[str, Any]], dict[str, Any]] = field(default=dict, repr=False)
    describe: Callable[[Mapping[str, Any]], dict[str, str]] = field(default=_no_attrs, repr=False)
    calibrate: Callable[..., dict[str, Any]] | None = field(default=None, repr=False)
    sample_size: int = 8

    @property
    def options(self) -> dict[str, Any]:
        """Option names and their defaults, from the function's keyword parameters."""
        out = {}
        for p in inspect.signature(self.function).parameters.values():
            if p.name in _ARRAY_PARAMETERS or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            if p.default is not p.empty:
                out[p.name] = p.default
        return out

    @property
    def available(self) -> bool:
        """Whether it can run here (torch installed, where needed)."""
        return torch_available or not self.needs_torch

    def require(self, how: str = "--method") -> None:
        """Raise a one-line :class:`SeisfillError` if it cannot run here, naming the methods that can."""
        if self.available:
            return
        others = [m for m in list_methods() if not _REGISTRY[m].needs_torch]
        notes = ["the default"] if self.name == DEFAULT_METHOD else []
        if others:
            listed = ", ".join(others[:-1]) + " or " + others[-1] if len(others) > 1 else others[0]
            notes.append(f"{how} {listed} need no torch")
        require("torch", f"{how} {self.name}" + (f" ({'; '.join(notes)})" if notes else ""))


_REGISTRY: dict[str, Method] = {}


def register_method(method: Method, *, replace: bool = False) -> Method:
    """Add a method to the registry (last in :func:`list_methods` order).

    Parameters
    ----------
    method : Method
    replace : bool
        Allow replacing a method of the same name (keeps its place in the order).

    Returns
    -------
    Method
        ``method``, so a module can keep it under a name.
    """
    if not method.name or not method.name.replace("_", "").isalnum():
        raise SeisfillError(f"method name {method.name!r}: letters, digits and '_' only")
    if method.name in _REGISTRY and not replace:
        raise SeisfillError(f"a method named '{method.name}' is registered already")
    _REGISTRY[method.name] = method
    return method


def unregister_method(name: str) -> None:
    """Remove a method (tests and plug-ins that register temporary methods)."""
    if name == DEFAULT_METHOD:
        raise SeisfillError(f"'{name}' is the default method and cannot be removed")
    _REGISTRY.pop(name, None)


def get_method(name: str | Method) -> Method:
    """The registered method called ``name`` (a :class:`Method` is returned as is).

    Raises
    ------
    SeisfillError
        If no method has that name (the message lists them).
    """
    if isinstance(name, Method):
        return name
    try:
        return _REGISTRY[str(name)]
    except KeyError:
        raise SeisfillError(f"unknown method '{name}'; choose one of: {', '.join(_REGISTRY)}") from None


def list_methods(available: bool = False) -> list[str]:
    """Names of the registered methods, the recommended first (the order of ``seisfill fill --help``).

    Parameters
    ----------
    available : bool
        Only those that can run here (without torch: the numpy methods).
    """
    return [name for name, m in _REGISTRY.items() if m.available or not available]


def usable_default() -> str:
    """:data:`DEFAULT_METHOD` if it can run here, else the first method in order that can."""
    if get_method(DEFAULT_METHOD).available:
        return DEFAULT_METHOD
    return list_methods(available=True)[0]


def sample_rows(n: int, k: int) -> np.ndarray:
    """Positions of ``k`` rows spread evenly over ``n`` (all of them when ``n <= k``), increasing.

    The sample a method's ``calibrate`` sees, and what ``--adapt`` learns
    from: positions among the rows holding a target, in the grid's row order,
    so every path (in memory, streaming) picks the same gathers.
    """
    if n <= k:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, k)).astype(np.int64))
