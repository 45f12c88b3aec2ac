#!/usr/bin/env bash
# Fashion-MNIST transfer: pretrain on classes 0-4, fine-tune on 5-9 from 100 images per class with
# frozen features (several freeze points, kept or new fc layers), against the same network from
# scratch on those 500 images (same budget), per seed; linear probes of the source's layers.
# Usage: benchmarks/transfer.sh [pretrainImages] [pretrainEpochs] [epochs] [seeds] [freeze:head,...]
# The defaults (30000 4 12 3 block5_pool:kept,block5_pool:new,fc2:kept,block4_pool:kept,block4_pool:new,
# block3_pool:new) give docs/transfer.md's table, in about 8 minutes on 2 cores.
# VGG_BENCH_JAVA_OPTS=-Dvgg4j.bench.dropout=0.5: the paper's dropout in every classifier (default 0).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[[ -f "$root/vgg-examples/target/classpath.txt" ]] || "$root/vgg" --version >/dev/null
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=268435456
# OpenMP threads sleep while they wait, as with ./vgg and in the tests: on a machine other jobs share,
# spinning threads wait for descheduled ones and a run goes many times slower.
[[ -n "${OMP_WAIT_POLICY:-}" || -n "${GOMP_SPINCOUNT:-}" ]] || export OMP_WAIT_POLICY=passive
exec java ${VGG_BENCH_JAVA_OPTS:-} -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=8g \
  -cp "$root/vgg-examples/target/vgg-cli.jar:$(cat "$root/vgg-examples/target/classpath.txt")" \
  "$root/benchmarks/FashionTransferBench.java" "$@"
