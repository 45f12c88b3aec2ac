#!/usr/bin/env bash
# Head training on cached features vs through the frozen layers (VGG16 at 224x224), alternating.
# Usage: benchmarks/featurize.sh [trainImages] [testImages] [epochs] [rounds] [batch] [freezeThrough] [modes] [hidden]
#   (modes: both | featurized | through; hidden: kept | new widths, e.g. 256)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[[ -f "$root/vgg-examples/target/classpath.txt" ]] || "$root/vgg" --version >/dev/null
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=268435456
# OpenMP threads sleep while they wait, as with ./vgg and in the tests: on a machine other jobs share,
# spinning threads wait for descheduled ones and a run goes many times slower.
[[ -n "${OMP_WAIT_POLICY:-}" || -n "${GOMP_SPINCOUNT:-}" ]] || export OMP_WAIT_POLICY=passive
exec java -Xmx4g -Dorg.bytedeco.javacpp.maxbytes=12g -Dorg.bytedeco.javacpp.maxphysicalbytes=18g \
  -cp "$root/vgg-examples/target/vgg-cli.jar:$(cat "$root/vgg-examples/target/classpath.txt")" \
  "$root/benchmarks/FeaturizeBench.java" "$@"
