"""The method registry (seisfill.methods), and adding a method without touching any other file.

``TestAddAMethod`` is the walk-through of docs/architecture.md ("How to add a
method"): a method registered here, in a test module, shows up in
``seisfill.fill``, the streaming path, the command line's choices and help,
and ``seisfill evaluate``.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import seisfill
from seisfill import SeisfillError
from seisfill.cli import EXIT_USAGE, main
from seisfill.methods import (
    DEFAULT_METHOD,
    Method,
    get_method,
    list_methods,
    register_method,
    unregister_method,
)

PACKAGE = Path(seisfill.__file__).resolve().parent
SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


class TestRegistry:
    def test_built_in_methods_in_order_with_one_default(self):
        assert list_methods()[:7] == ["hybrid", "unet", "auto", "fx", "drr", "pocs", "linear"]
        assert DEFAULT_METHOD == seisfill.DEFAULT_METHOD == list_methods()[0]
        assert [m for m in list_methods() if not get_method(m).needs_torch][:4] == ["fx", "drr", "pocs", "linear"]

    def test_options_come_from_the_function_signature(self):
        unet = get_method("unet").options
        assert unet["model"] is None and unet["device"] == "auto" and unet["batch_size"] == 16
        assert "target" not in unet and "data" not in unet
        assert get_method("pocs").options["ndim"] == 2 and get_method("pocs").thread_option == "workers"
        assert get_method("pocs").is_3d({"ndim": 3}) and not get_method("fx").is_3d({})

    def test_unknown_method_lists_the_registered_ones(self):
        with pytest.raises(SeisfillError, match="unknown method 'kriging'; choose one of: hybrid, unet, auto, fx"):
            get_method("kriging")

    def test_names_are_unique_and_the_default_stays(self):
        with pytest.raises(SeisfillError, match="registered already"):
            register_method(Method("fx", lambda data, live: data, "again"))
        with pytest.raises(SeisfillError, match="default method"):
            unregister_method(DEFAULT_METHOD)
        with pytest.raises(SeisfillError, match="letters, digits"):
            register_method(Method("no-dash", lambda data, live: data, "bad name"))

    def test_without_torch_the_message_names_the_numpy_methods(self, monkeypatch):
        import seisfill._deps as deps
        import seisfill.methods.registry as registry

        monkeypatch.setattr(registry, "torch_available", False)
        monkeypatch.setattr(deps, "_has", lambda module: module != "torch")
        assert list_methods(available=True)[:4] == ["fx", "drr", "pocs", "linear"]
        assert seisfill.methods.usable_default() == "fx"
        with pytest.raises(SeisfillError, match=r"--method hybrid \(the default; --method fx, drr, pocs or linear need no torch\)"):
            get_method("hybrid").require("--method")


def fill_nearest(data: np.ndarray, live: np.ndarray, *, max_distance: int = 1000) -> np.ndarray:
    """Copy the nearest live trace of the gather (ties: the earlier one); a tiny but real method."""
    out = np.array(data, copy=True)
    for row in np.ndindex(live.shape[:-1]):
        have = np.flatnonzero(live[row])
        for j in np.flatnonzero(~live[row]):
            k = have[np.argmin(np.abs(have - j))]
            if abs(k - j) <= max_distance:
                out[row + (j,)] = data[row + (k,)]
    return out


@pytest.fixture
def nearest():
    method = register_method(Method("nearest", fill_nearest, "copy the nearest live trace"))
    yield method
    unregister_method("nearest")


@pytest.fixture
def dead_gather(tmp_path):
    source = SAMPLES / "cdp700_land_dead.sgy"
    path = tmp_path / "dead.sgy"
    shutil.copy(source, path)
    return path


class TestAddAMethod:
    def test_listed_and_filled_by_seisfill_fill(self, nearest, dead_gather):
        assert list_methods()[-1] == "nearest"
        ds = seisfill.read_segy(dead_gather)
        out = seisfill.fill(ds, "nearest")
        live = ds["live"].values
        assert out.attrs["fill_method"] == "nearest"
        assert out["filled"].values.sum() == (~live).sum() == 4
        filled = out["amplitude"].values[0]
        g = np.flatnonzero(~live[0])[0]
        donor = np.flatnonzero(live[0])[np.argmin(np.abs(np.flatnonzero(live[0]) - g))]
        assert np.array_equal(filled[g], filled[donor])

    def test_command_line_choices_help_and_fill(self, nearest, dead_gather, tmp_path, capsys):
        with pytest.raises(SystemExit):
            main(["fill", "--help"])
        assert "nearest: copy the nearest live trace" in " ".join(capsys.readouterr().out.split())
        out = tmp_path / "filled.sgy"
        assert main(["fill", str(dead_gather), str(out), "--method", "nearest"]) == 0
        assert "with 'nearest'" in capsys.readouterr().out
        streamed = tmp_path / "streamed.sgy"
        assert main(["fill", str(dead_gather), str(streamed), "--method", "nearest", "--workers", "0"]) == 0
        assert streamed.read_bytes() == out.read_bytes()
        capsys.readouterr()
        assert main(["fill", str(dead_gather), str(tmp_path / "x.sgy"), "--method", "nearest", "--model", "m"]) == 1
        assert "--model is for --method hybrid or unet or auto" in capsys.readouterr().err

    def test_scored_by_evaluate(self, nearest):
        from seisfill.evaluate import evaluate

        rows = evaluate(SAMPLES / "cdp700_land.sgy", ["regular2"], ["nearest", "linear"], seed=0)
        snr = {r["method"]: r["snr_db"] for r in rows}
        assert np.isfinite(snr["nearest"]) and snr["linear"] > snr["nearest"]

    def test_gone_after_unregistering(self, dead_gather, tmp_path, capsys):
        assert "nearest" not in list_methods()
        with pytest.raises(SystemExit) as stop:
            main(["fill", str(dead_gather), str(tmp_path / "x.sgy"), "--method", "nearest"])
        assert stop.value.code == EXIT_USAGE and "invalid choice: 'nearest'" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# no module outside the registry spells a method name
# ---------------------------------------------------------------------------

_METHOD_WORDS = re.compile(r"--methods? (\w+)|\bmethod '(\w+)'")
_CALLS_TAKING_A_METHOD = {"fill", "fill_array", "fill_block", "fill_file", "get_method", "evaluate"}


def _method_strings(tree: ast.AST, names: set[str]) -> list[tuple[int, str]]:
    """(line, text) of string constants naming a method as a method: compared with or assigned to a
    ``method`` name, passed as ``method=`` or to a call that takes a method, listed beside another
    method name, or written into a message as ``--method NAME`` / ``method 'NAME'``."""
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    hits: list[tuple[int, str]] = []

    def is_name(node: ast.AST) -> bool:
        return isinstance(node, ast.Constant) and node.value in names

    def mentions_method(node: ast.AST) -> bool:
        return any("method" in (getattr(n, "id", "") or getattr(n, "attr", "") or "").lower() for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            for match in _METHOD_WORDS.finditer(node.value):
                if (match.group(1) or match.group(2)) in names:
                    hits.append((node.lineno, node.value))
        elif isinstance(node, ast.Compare) and mentions_method(node):
            hits += [(c.lineno, c.value) for c in [node.left, *node.comparators] if is_name(c)]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and is_name(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(mentions_method(t) for t in targets):
                hits.append((node.lineno, node.value.value))
        elif isinstance(node, ast.keyword) and node.arg in ("method", "methods") and is_name(node.value):
            hits.append((node.value.lineno, node.value.value))
        elif isinstance(node, ast.Call):
            func = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if func in _CALLS_TAKING_A_METHOD:
                hits += [(a.lineno, a.value) for a in node.args if is_name(a)]
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            listed = [e for e in node.elts if is_name(e)]
            if len(listed) >= 2:
                hits += [(e.lineno, e.value) for e in listed]
        elif isinstance(node, ast.Dict):
            listed = [k for k in node.keys if k is not None and is_name(k)]
            if len(listed) >= 2:
                hits += [(k.lineno, k.value) for k in listed]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args.args + node.args.kwonlyargs
            defaults = [None] * (len(node.args.args) - len(node.args.defaults)) + node.args.defaults
            defaults += node.args.kw_defaults
            hits += [(d.lineno, d.value) for a, d in zip(args, defaults, strict=True)
                     if d is not None and "method" in a.arg and is_name(d)]
    return hits


def test_the_checker_finds_method_names():
    code = 'm = "pocs"\nif method == "fx": pass\nf(method="unet")\nx = ("fx", "linear")\nfill(ds, "pocs")\n' \
           'e = "use --method pocs"\ndef g(method="hybrid"): """Docs may say --method fx."""\n' \
           's = ("exponential", "linear", "data")\n'
    found = sorted(line for line, _ in _method_strings(ast.parse(code), set(list_methods())))
    assert found == [2, 3, 4, 4, 5, 6, 7]


def test_no_module_outside_the_registry_names_a_method():
    names = set(list_methods())
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.is_relative_to(PACKAGE / "methods"):
            continue
        hits = _method_strings(ast.parse(path.read_text()), names)
        if hits:
            offenders[str(path.relative_to(PACKAGE.parent))] = hits
    assert offenders == {}


def test_hybrid_f_x_half_under_a_progress_bar_gives_the_same_bytes(capsys):
    from seisfill.masks import decimate
    from seisfill.methods.network import _fx_rows
    from seisfill.synthetic import random_gather

    data = np.stack([random_gather(s, n_traces=48, nt=200, dt=0.004).data for s in range(3)]).astype(np.float32)
    live = np.stack([decimate(48, "random50", seed=s) for s in range(3)])
    data = np.where(live[..., None], data, 0)
    quiet = _fx_rows(data, live, False)
    shown = _fx_rows(data, live, True)
    assert np.array_equal(quiet.view(np.uint32), shown.view(np.uint32))
    assert "fill (f-x)" in capsys.readouterr().err
