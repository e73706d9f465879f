"""Two-process DistributedDataParallel (gloo, CPU) through torchrun: both ranks end identical."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("seisfill.nn.registry")


@pytest.mark.skipif(not torch.distributed.is_available(), reason="torch.distributed not available")
def test_two_rank_gloo_training_gives_identical_weights(tmp_path):
    out = tmp_path / "ddp"
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")}
    env["OMP_NUM_THREADS"] = "1"
    env["CUDA_VISIBLE_DEVICES"] = ""  # gloo on CPU even where a GPU is present
    env["TMPDIR"] = str(tmp_path)  # torchrun's torchelastic_* log folder stays in tmp_path, not in /tmp
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2",
        "-m", "seisfill.train", "--config", "tiny", "--out", str(out),
        "--set", "train.steps=2", "train.val_every=0", "train.log_every=1", "train.threads=1",
        "train.device=cpu",
    ]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    hashes = [(out / "rank_hashes" / f"rank{r}.txt").read_text().strip() for r in (0, 1)]
    assert len(hashes[0]) == 64
    assert hashes[0] == hashes[1]
    # rank 0 alone wrote the run folder; the global batch of 8 was split 4 + 4
    with (out / "metrics.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["step"] for r in rows] == ["1", "2"]
    text = (out / "config.yaml").read_text()
    assert "world_size: 2" in text and "local_batch: 4" in text
    # and the weights moved away from the initial ones
    from seisfill.nn.registry import make_model
    from seisfill.train.loop import state_hash

    saved = torch.load(out / "model.pt", weights_only=False)
    model = make_model(saved["config"])
    model.load_state_dict(saved["state_dict"])
    assert state_hash(model) == hashes[0]
