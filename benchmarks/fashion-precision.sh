#!/usr/bin/env bash
# The Fashion-MNIST recipe of docs/results.md in float32 and in bfloat16 (or the precisions given),
# one after the other from the same seed: validation accuracy per epoch, test accuracy at the end.
# Usage: benchmarks/fashion-precision.sh [EPOCHS (default 40, the recipe)] [PRECISIONS (default fp32,bf16)]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/vgg" --version >/dev/null   # builds the jars when the sources changed
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=268435456
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
exec java -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=8g \
  -cp "$root/vgg-cli/target/vgg-cli.jar:$(cat "$root/vgg-cli/target/classpath.txt")" \
  "$root/benchmarks/FashionPrecision.java" "$@"
