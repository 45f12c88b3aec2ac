#!/usr/bin/env bash
# The VGG write-ups' initialisation experiment on Fashion-MNIST: a deep VGG (configuration D, 16
# weight layers, quarter width) without batch norm and with the paper's naive N(0, 0.01)
# initialisation does not learn; with He initialisation it does; with batch norm it learns fastest.
# Same data, seed, optimizer (SGD, Nesterov 0.9, lr 0.01) and budget (12,800 images, batch 64).
# The divergence guard (on by default) must stop the naive run: its exit status is 1 and its
# message names the likely causes. Per-batch losses go to results/init/*.csv for the plot.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/results/init"
mkdir -p "$out"
common=(--data /usr/share/datasets/fashion-mnist --config D --width 0.25 --input 1x32x32 --head cifar --dropout 0
        --limit-train 12800 --val-fraction 0 --epochs 1 --batch 64 --lr 0.01 --seed 42 --guard-batches 150 --json)
"$root/vgg" train "${common[@]}" --init paper --out "$out/naive.zip" --loss-log "$out/naive.csv" >"$out/naive.json" 2>"$out/naive.log"
echo "naive N(0, 0.01): exit $? ($(tail -1 "$out/naive.log"))"
"$root/vgg" train "${common[@]}" --init he --out "$out/he.zip" --loss-log "$out/he.csv" >"$out/he.json" 2>"$out/he.log"
echo "He: exit $?"
"$root/vgg" train "${common[@]}" --batch-norm --out "$out/bn.zip" --loss-log "$out/bn.csv" >"$out/bn.json" 2>"$out/bn.log"
echo "batch norm: exit $?"
