#!/bin/bash
# one-shot GPU check: env, benchmark, ~5-minute training from the npz pack
set -o pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site || exit 1
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
python3 -c "import torch, seisfill; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())" || exit 1
timeout 90 python3 benchmarks/train_speed.py --devices cuda --npz packs/gpu_2d.npz --workers 14 2>&1 | tee $OUT/bench.md
timeout 330 python3 -m seisfill.train --config configs/gpu_2d.yaml --out /tmp/gpu_2d --set train.time_budget_s=180 2>&1 | tail -40 | tee $OUT/train.log
cp /tmp/gpu_2d/metrics.csv /tmp/gpu_2d/config.yaml $OUT/ 2>/dev/null
cp /tmp/gpu_2d/model.pt $OUT/model.pt 2>/dev/null
ls -la /tmp/gpu_2d
nvidia-smi --query-gpu=memory.used --format=csv
