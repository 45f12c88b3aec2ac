#!/usr/bin/env bash
# Fashion-MNIST transfer: pretrain on classes 0-4, fine-tune on 5-9 from 100 images per class with
# frozen features, against the same network from scratch on those 500 images (same budget).
# Usage: benchmarks/transfer.sh [pretrainImages] [pretrainEpochs] [epochs] [freezeThrough] [seeds]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[[ -f "$root/vgg-examples/target/classpath.txt" ]] || "$root/vgg" --version >/dev/null
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=268435456
exec java -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=8g \
  -cp "$root/vgg-examples/target/vgg-cli.jar:$(cat "$root/vgg-examples/target/classpath.txt")" \
  "$root/benchmarks/FashionTransferBench.java" "$@"
