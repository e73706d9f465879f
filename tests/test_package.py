"""Packaging promises: the numpy paths import without torch."""

from __future__ import annotations

import subprocess
import sys

import seisfill


def test_numpy_paths_import_without_torch():
    code = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] == 'torch':\n"
        "            raise ImportError('torch is blocked in this test')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import seisfill, seisfill.cli, seisfill.io.convert, seisfill.io.xarray_backend, seisfill.metrics\n"
        "import seisfill.masks, seisfill.simulate, seisfill.synthetic, seisfill.info\n"
        "assert 'torch' not in sys.modules\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_public_api():
    for name in ("read_segy", "write_segy", "fill", "regularize", "decimate", "read_dataset", "write_dataset"):
        assert callable(getattr(seisfill, name))
    assert seisfill.__version__
