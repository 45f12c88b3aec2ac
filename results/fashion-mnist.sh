#!/usr/bin/env bash
# The Fashion-MNIST headline run of docs/results.md: VGG11-BN (configuration A) at half width on
# 32x32 (28x28 padded), trained from scratch on this 2-core CPU. Resumable: rerun the same command
# after an interruption and it continues from results/fashion-mnist/run/checkpoint.zip.
# Usage: results/fashion-mnist.sh [extra vgg train options]
# (VGG_RUN_DIR=DIR: run a frozen copy of the jars, see ./vgg)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/results/fashion-mnist"
mkdir -p "$out/run"
resume=()
[[ -f "$out/run/checkpoint.zip" ]] && resume=(--resume)
exec "$root/vgg" train --data /usr/share/datasets/fashion-mnist \
  --config A --batch-norm --width 0.5 --input 1x32x32 --head cifar --dropout 0 \
  --epochs 40 --batch 128 --lr 0.05 --lr-schedule cosine --momentum 0.9 --weight-decay 5e-4 \
  --val-fraction 0.05 --seed 42 \
  --checkpoint-dir "$out/run" --plots "$out/plots" --loss-log "$out/loss.csv" --out "$out/model.zip" --json \
  "${resume[@]}" "$@"
