"""The wheel installs and runs outside the checkout (scripts/check_wheel.sh: a minute or more, needs pip's index)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_wheel.sh"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None, reason="needs git and bash")
def test_wheel_runs_models_fill_and_train_from_an_empty_folder():
    env = {**os.environ, "PYTHON": sys.executable}  # the script builds with this Python
    proc = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "the wheel works outside the checkout" in proc.stdout
