#!/usr/bin/env bash
# vgg-spark in local mode against the single-process run on this machine, alternating in one script:
#   single process (./vgg train), Spark local[1] with 1 worker (batch 64 per worker, averaging every
#   batch: the same batches as the single process), Spark local[2] with 2 workers (32 each).
# Prints each run's epoch time, examples/s and, for Spark, the mean time of one minibatch's fit on
# the executors, then ratios against the single process. Same data, network and seed everywhere.
#   benchmarks/spark-local.sh [ROUNDS] [LIMIT_TRAIN] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"
limit="${2:-4000}"
epochs="${3:-1}"
data=/usr/share/datasets/fashion-mnist
out="$(mktemp -d /tmp/vgg4j-spark-bench.XXXXXX)"
trap 'rm -rf "$out"' EXIT

mvn -B -q -pl vgg-spark -am package -DskipTests dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$out/cp.txt" >/dev/null
cp="vgg-spark/target/classes:$(cat "$out/cp.txt")"
opens="-XX:+IgnoreUnrecognizedVMOptions -Djdk.reflect.useDirectMethodHandle=false --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED"
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens+=" --add-opens=java.base/$p=ALL-UNNAMED"
done
export OMP_WAIT_POLICY=passive MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184
common=(--data "$data" --config A --batch-norm --width 0.25 --epochs "$epochs" --batch 64 --limit-train "$limit" --seed 42)

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  ./vgg train "${common[@]}" --json --out "$out/single.zip" > "$out/single.json" 2> "$out/single.log"
  python3 - "$out/single.json" "$r" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); e = j["epochs"]
s = sum(x["seconds"] for x in e); n = sum(x["examples"] for x in e)
print(f"round {sys.argv[2]} single process : {s:7.1f} s, {n / s:6.1f} examples/s, {s / (n / 64) * 1e3:6.1f} ms per batch of 64, test {j['testAccuracy']:.4f}")
PY
  for w in 1 2; do
    # shellcheck disable=SC2086
    java -Xmx2g $opens -Dorg.bytedeco.javacpp.maxbytes=6G -Dorg.bytedeco.javacpp.maxphysicalbytes=8G -cp "$cp" \
      io.github.vgg4j.spark.SparkTrainMain --spark "local[$w]" --spark-workers "$w" "${common[@]}" --out "$out/spark$w.zip" \
      > "$out/spark$w.out" 2> "$out/spark$w.log"
    python3 - "$out/spark$w.log" "$out/spark$w.out" "$r" "$w" <<'PY'
import re, sys
log = open(sys.argv[1]).read(); res = open(sys.argv[2]).read()
ep = re.findall(r"epoch \d+/\d+: .*?(\d+) examples in ([\d.]+) s", log)
s = sum(float(x[1]) for x in ep); n = sum(int(x[0]) for x in ep)
ms = re.search(r"workers x batch (\d+), averaging every \d+; ([\d.]+) ms per minibatch", log)
acc = re.search(r"test accuracy ([\d.]+)", res).group(1)
print(f"round {sys.argv[3]} spark local[{sys.argv[4]}]: {s:7.1f} s, {n / s:6.1f} examples/s, executors {ms.group(2)} ms per minibatch of {ms.group(1)}, test {acc}")
PY
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
