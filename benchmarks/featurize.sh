#!/usr/bin/env bash
# Head training on cached features vs through the frozen layers (VGG16 at 224x224), alternating.
# Usage: benchmarks/featurize.sh [trainImages] [testImages] [epochs] [rounds] [batch]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[[ -f "$root/vgg-examples/target/classpath.txt" ]] || "$root/vgg" --version >/dev/null
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=268435456
exec java -Xmx4g -Dorg.bytedeco.javacpp.maxbytes=12g -Dorg.bytedeco.javacpp.maxphysicalbytes=18g \
  -cp "$root/vgg-examples/target/vgg-cli.jar:$(cat "$root/vgg-examples/target/classpath.txt")" \
  "$root/benchmarks/FeaturizeBench.java" "$@"
