#!/usr/bin/env bash
# vgg4j's kernels vs DL4J's stock path (its own layers, CacheMode.NONE) on VGG16-CIFAR
# (batch 64), alternating in one JVM.
# Usage: benchmarks/fastpath.sh [batch] [rounds]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[[ -f "$root/vgg-examples/target/classpath.txt" ]] || "$root/vgg" --version >/dev/null
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=268435456
exec java -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=8g \
  -cp "$root/vgg-examples/target/vgg-cli.jar:$(cat "$root/vgg-examples/target/classpath.txt")" \
  "$root/benchmarks/FastPathBench.java" "$@"
