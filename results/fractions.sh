#!/usr/bin/env bash
# The CIFAR-10 write-up's training-fraction experiment (1%, 10%, 50%, 80% of the training set),
# reproduced on Fashion-MNIST with a small VGG11-BN (quarter width, no dropout), the same budget of
# epochs for every fraction, seeded stratified subsets. Test accuracy, seconds per epoch and the
# process's peak resident memory per fraction go to results/fractions/*.json and summary.csv.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/results/fractions"
epochs="${EPOCHS:-2}"
mkdir -p "$out"
echo "fraction,trainImages,testAccuracy,secondsPerEpoch,peakRssMB" > "$out/summary.csv.tmp"
for f in 0.01 0.1 0.5 0.8; do
  /usr/bin/time -v "$root/vgg" train --data /usr/share/datasets/fashion-mnist --config A --batch-norm --width 0.25 \
    --input 1x32x32 --head cifar --dropout 0 --train-fraction "$f" --val-fraction 0 --epochs "$epochs" --batch 64 \
    --lr 0.05 --lr-schedule cosine --seed 42 --out "$out/model-$f.zip" --json >"$out/$f.json" 2>"$out/$f.log"
  python3 - "$f" "$out" >>"$out/summary.csv.tmp" <<'PY'
import json, re, sys
f, out = sys.argv[1], sys.argv[2]
d = json.load(open(f"{out}/{f}.json"))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{out}/{f}.log").read()).group(1)) // 1024
eps = d["epochs"]
print(f"{f},{d['trainExamples']},{d['testAccuracy']:.4f},{sum(e['seconds'] for e in eps) / len(eps):.1f},{rss}")
PY
done
mv "$out/summary.csv.tmp" "$out/summary.csv"
cat "$out/summary.csv"
