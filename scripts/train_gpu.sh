#!/usr/bin/env bash
# Train the correction network (`refine`) on one GPU: pack here, train there.
#
#   SEISFILL_DATA=../shared/data scripts/train_gpu.sh [OUT]     (make train-gpu)
#
# 1. Here (needs segyio and the SEG-Y files under $SEISFILL_DATA): writes the guided pack
#    $PACK (default runs/packs/gpu_refine2d.npz, git-ignored) unless it exists, and checks
#    that it fits the 64 MiB the GPU machine's working tree may carry.
# 2. Prints the one command to run on the GPU machine (carry the pack): trains with bf16 within
#    9 minutes (configs/gpu_refine2d.yaml), validates on the pack's held-out patches, and writes
#    OUT/model.pt, OUT/metrics.csv and the card OUT/card/refine2d.{pt,json,md}.
#    With RUN=1 it runs that command here instead (a machine with a GPU, or a CPU check).
#
# Environment: PYTHON (default .venv/bin/python), PACK, N_TRAIN (1000: about 25 MiB), N_VAL (128),
# STEPS (train this many steps on the CPU, fp32, no time budget: an end-to-end check; implies RUN=1).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
python="${PYTHON:-$repo/.venv/bin/python}"
config=configs/gpu_refine2d.yaml
out="${1:-runs/gpu_refine2d}"
pack="${PACK:-runs/packs/gpu_refine2d.npz}"
n_train="${N_TRAIN:-1000}"
n_val="${N_VAL:-128}"
run="${RUN:-0}"

extra=()
if [ -n "${STEPS:-}" ]; then
    run=1
    extra=(--set "train.steps=$STEPS" train.time_budget_s=0 train.device=cpu train.precision=fp32
           train.num_workers=0 train.batch_size=4 train.val_every="$STEPS" train.ckpt_every="$STEPS"
           train.val_batch_size=16 train.progress=false)
fi

if [ ! -f "$pack" ]; then
    echo "== packing $n_train training and $n_val validation patches into $pack (f-x on each, one core)"
    "$python" -m seisfill.train --config "$config" --pack "$pack" --n-train "$n_train" --n-val "$n_val" \
        --set data.npz="$pack"
fi
size=$(( $(stat -c %s "$pack") / 1048576 ))
tree=$(( $(git ls-files -z --cached --others --exclude-standard | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1) / 1048576 ))
echo "== $pack: $size MiB; the working tree that travels with it: $tree MiB (limit 64 MiB)"
if [ $(( size + tree )) -ge 64 ]; then
    echo "warning: pack and working tree exceed 64 MiB: pack fewer patches (N_TRAIN) to carry it" >&2
fi

train_cmd=(python -m seisfill.train --config "$config" --set data.npz="$pack" --out "$out")
card_cmd=(python benchmarks/model_cards.py --ship "refine2d=$out" --to "$out/card" --no-score
          --hardware "refine2d=one NVIDIA H100 (lent device), bf16"
          --command "refine2d=scripts/train_gpu.sh (configs/gpu_refine2d.yaml)")
echo "== on the GPU machine (carry $pack), from the repository root:"
echo "   $(printf '%q ' "${train_cmd[@]}")&& $(printf '%q ' "${card_cmd[@]}")"
if [ "$run" = 1 ]; then
    echo "== running it here"
    "$python" "${train_cmd[@]:1}" "${extra[@]}"
    "$python" "${card_cmd[@]:1}"
    ls -l "$out/card"
fi
