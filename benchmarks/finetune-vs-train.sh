#!/usr/bin/env bash
# Fine-tuning through the layers vs training the same architecture: seconds per epoch of
# `vgg finetune --no-featurize` and `vgg train`, alternating, on the same data and batch size.
# The base model is a narrow VGG11-BN trained for one epoch here; the fine-tuning freezes block 1
# (so that almost the whole network trains, as in `vgg train`) and replaces the output layer.
# Usage: benchmarks/finetune-vs-train.sh [rounds] [epochs]   (needs Debian's dataset-fashion-mnist)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"; epochs="${2:-3}"
data=/usr/share/datasets/fashion-mnist
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
common=(--data "$data" --limit-train 4000 --batch 64 --seed 1)
arch=(--config A --batch-norm --width 0.25 --no-augment) # finetune does not augment unless asked
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
./vgg train "${common[@]}" "${arch[@]}" --epochs 1 --out "$work/base.zip" --json > /dev/null
per_epoch() { # mean seconds of epochs 2.. (epoch 1 includes the kernels' first calls)
  python3 -c 'import json,sys; e=[x["seconds"] for x in json.load(sys.stdin)["epochs"]]; e=e[1:] or e; print(round(sum(e)/len(e),3))'
}
printf '%-6s %10s %10s %7s\n' round train_s finetune_s ratio
for ((r = 1; r <= rounds; r++)); do
  t=$(./vgg train "${common[@]}" "${arch[@]}" --epochs "$epochs" --out "$work/t.zip" --json | per_epoch)
  f=$(./vgg finetune --base "$work/base.zip" "${common[@]}" --no-featurize --freeze-through block1_pool \
        --epochs "$epochs" --out "$work/f.zip" --json | per_epoch)
  printf '%-6s %10s %10s %7.2f\n' "$r" "$t" "$f" "$(python3 -c "print($f/$t)")"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
