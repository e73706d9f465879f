"""The notebooks run top to bottom (nbclient) and are committed without outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seisfill._deps import torch_available

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
F3 = NOTEBOOKS.parents[1] / "shared" / "data" / "f3.sgy"

#: notebook -> (marks, why it may be skipped)
CASES = {
    "01_quickstart.ipynb": [],
    "02_compare_methods.ipynb": [],  # ~20 s: every notebook runs in make test, as the QC issue asks
    "03_train_your_own.ipynb": [pytest.mark.skipif(not torch_available, reason="needs torch")],
    "04_3d_cube.ipynb": [pytest.mark.skipif(not F3.exists(), reason=f"{F3} not present (F3 is not bundled)")],
}


def test_every_notebook_is_listed_and_clean():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(CASES)
    for name in CASES:
        book = json.loads((NOTEBOOKS / name).read_text())
        for cell in book["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, f"{name}: saved with outputs"


@pytest.mark.parametrize("name", [pytest.param(n, marks=m) for n, m in CASES.items()])
def test_notebook_runs(name, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    # generous: a cell takes < 30 s alone, but a busy machine (oversubscribed torch threads) can be 10x slower
    client = nbclient.NotebookClient(book, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
