"""The package's layers: every import points down (or sideways), and no import cycle exists.

Layers from the ground up (docs/architecture.md); a module may import modules
of its own layer or of lower ones, and imports inside functions count too (a
cycle hidden in a function is still a cycle)::

    0  errors, _deps, metrics, windows
    1  masks, synthetic
    2  io, classical, nn, simulate
    3  models
    4  methods, core                      (the registry and the fill core)
    5  bricks, parallel, train, fill_dataset, densify_dataset, adapt
    6  evaluate, qc, demo, info
    7  cli, __main__, and the package itself (``import seisfill``)

A new top-level module or subpackage must be given a layer here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import seisfill

PACKAGE = Path(seisfill.__file__).resolve().parent

LAYERS = {
    "errors": 0, "_deps": 0, "metrics": 0, "windows": 0,
    "masks": 1, "synthetic": 1,
    "io": 2, "classical": 2, "nn": 2, "simulate": 2,
    "models": 3,
    "methods": 4, "core": 4,
    "bricks": 5, "parallel": 5, "train": 5, "fill_dataset": 5, "densify_dataset": 5,
    "adapt": 5,
    "evaluate": 6, "qc": 6, "demo": 6, "info": 6,
    "cli": 7, "__main__": 7, "": 7,  # "": seisfill/__init__.py, the package's facade
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _exists(name: str) -> bool:
    rel = Path(*name.split("."))
    return (PACKAGE.parent / rel).with_suffix(".py").exists() or (PACKAGE.parent / rel / "__init__.py").exists()


def _imports(path: Path, module: str) -> set[str]:
    """The seisfill modules ``path`` imports, anywhere in the file (``from seisfill import io`` -> seisfill.io)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "seisfill"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] != "seisfill":
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if _exists(sub) else base)
    found.discard(module)
    return found


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p, _module_name(p)) for p in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    assert top in LAYERS, f"{module}: give seisfill.{top} a layer in tests/test_layers.py (and docs/architecture.md)"
    return LAYERS[top]


def test_every_import_points_down_or_sideways():
    upward = sorted(
        f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
        for module, targets in _graph().items() for target in targets
        if _layer(target) > _layer(module)
    )
    assert upward == []


def test_no_import_cycle():
    graph = _graph()
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_checker_sees_imports_inside_functions(tmp_path):
    code = "def f():\n    from seisfill.train import loop\n    import seisfill.cli\n"
    path = PACKAGE / "masks" / "__init__.py"  # any real path: only its package is used
    tree_path = tmp_path / "m.py"
    tree_path.write_text(code)
    assert _imports(tree_path, "seisfill.masks.m") == {"seisfill.train.loop", "seisfill.cli"}
    assert path.exists()


@pytest.mark.parametrize("method", ["unet", "hybrid"])
def test_filling_with_a_network_does_not_import_training(method):
    pytest.importorskip("torch")
    code = (
        "import sys, numpy as np\n"
        "from seisfill.core import fill_array\n"
        "data = np.random.default_rng(0).standard_normal((24, 64)).astype(np.float32)\n"
        "live = np.ones(24, bool); live[5] = False\n"
        f"fill_array(data, live, {method!r}, device='cpu')\n"
        "import seisfill.cli, seisfill.parallel\n"
        "print(sorted(m for m in sys.modules if m.startswith('seisfill.train')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
