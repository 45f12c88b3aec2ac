#!/usr/bin/env bash
# The image-folder pipeline (decode + resize + augment + batch) of vgg4j vs torchvision's
# ImageFolder + DataLoader, on the same JPEGs, alternating in one run. 2 workers each, batch 64.
# Usage: benchmarks/pipeline.sh [IMAGES_PER_CLASS] [ROUNDS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
per_class="${1:-500}"
rounds="${2:-2}"
data="${TMPDIR:-/tmp}/vgg4j-pipeline-bench-$per_class"
py=/usr/bin/python3
[[ -d "$data" ]] || "$py" "$root/benchmarks/pipeline/make_images.py" "$data" "$per_class" 2
[[ -f "$root/vgg-examples/target/classpath.txt" ]] || "$root/vgg" --version >/dev/null
cp="$root/vgg-examples/target/vgg-cli.jar:$(cat "$root/vgg-examples/target/classpath.txt")"
echo "data: $data ($((per_class * 2)) JPEGs, 500x375)" >&2
for ((r = 1; r <= rounds; r++)); do
  for mode in eval train; do
    java -Xmx2g -cp "$cp" "$root/benchmarks/pipeline/PipelineBench.java" "$data" "$mode" 64 2
    "$py" "$root/benchmarks/pipeline/torch_pipeline.py" "$data" "$mode" 64 2
  done
done
