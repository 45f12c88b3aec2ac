#!/usr/bin/env bash
# A/B(/C...) of `./vgg benchmark` under different settings, alternating the variants round by round
# (rotating which goes first) so that all see the same machine load. Prints, per variant, train and
# inference images/s and peak RSS: median and range over the rounds, and the ratio to the first
# variant (median of the per-round ratios).
#
# Usage: benchmarks/ab.sh [--rounds R] [--args "BENCHMARK ARGS"] LABEL:ENV... LABEL:ENV...
#   each variant is a label, a colon, and environment assignments (may be empty), e.g.
#   benchmarks/ab.sh --rounds 3 "glibc:VGG_MALLOC=glibc" "jemalloc:"
#   benchmarks/ab.sh "auto:" "direct:VGG_JAVA_OPTS=-Dvgg4j.onednn.algorithm=direct"
# Default args: VGG16-CIFAR (3x32x32, cifar head, 10 classes), batch 64, 7 warm-up + 8 timed steps.
# QUIET_WAIT=S: before each run wait up to S seconds for the machine to be idle (busy.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds=3
args="--config D --input 3x32x32 --classes 10 --head cifar --batch 64 --warmup 7 --iterations 8"
while [[ $# -gt 0 && "$1" == --* ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --args) args="$2"; shift 2 ;;
    *) echo "ab.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[[ $# -ge 2 ]] || { sed -n '2,12p' "$0" >&2; exit 2; }
variants=("$@")
# shellcheck source=busy.sh
source "$root/benchmarks/busy.sh"
"$root/vgg" --version >/dev/null
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
n=${#variants[@]}
for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < n; k++)); do
    v="${variants[$(( (k + r) % n ))]}"
    label="${v%%:*}"; envs="${v#*:}"
    wait_quiet
    b0="$(busy_jiffies)"; t0="$(date +%s.%N)"
    # shellcheck disable=SC2086
    json="$(env $envs "$root/vgg" benchmark $args --json 2>/dev/null)" || json='{}'
    others="$(other_load "$b0" "$(busy_jiffies)" "$(echo "$(date +%s.%N) - $t0" | bc)" "$json")"
    printf '%s\t%s\t%s\t%s\n' "$r" "$label" "$others" "$json" >>"$results"
    echo "  round $((r + 1)) $label done (other jobs used ${others} of the CPUs)" >&2
  done
done
/usr/bin/python3 - "$results" "${variants[@]}" <<'PY'
import json, statistics, sys
rows = [l.rstrip("\n").split("\t", 3) for l in open(sys.argv[1])]
labels = [v.split(":", 1)[0] for v in sys.argv[2:]]
data, others = {}, {}
for rnd, label, load, js in rows:
    data.setdefault(label, {})[rnd] = json.loads(js) if js.strip() else {}
    others.setdefault(label, []).append(float(load))
def rng(xs, f="{:.1f}"):
    xs = [x for x in xs if x is not None]
    if not xs: return "-"
    return (f + " ({}-{})").format(statistics.median(xs), f.format(min(xs)), f.format(max(xs))) if len(xs) > 1 else f.format(xs[0])
base = labels[0]
print("{:<14} {:<26} {:<26} {:<22} {:<16} {:<16} {}".format("variant", "train img/s", "inference img/s", "peak MiB",
      "train ratio", "infer ratio", "other jobs' CPU share"))
for label in labels:
    d = data.get(label, {})
    tr = [d[r].get("trainImagesPerSecond") for r in sorted(d)]
    inf = [d[r].get("inferenceImagesPerSecond") for r in sorted(d)]
    mem = [d[r].get("peakMemoryBytes", 0) / 2**20 if d[r] else None for r in sorted(d)]
    def ratio(key):
        out = []
        for r in d:
            a, b = d[r].get(key), data[base].get(r, {}).get(key)
            if a and b: out.append(a / b)
        return rng(out, "{:.2f}")
    print("{:<14} {:<26} {:<26} {:<22} {:<16} {:<16} {}".format(label, rng(tr), rng(inf), rng(mem, "{:.0f}"),
          ratio("trainImagesPerSecond"), ratio("inferenceImagesPerSecond"), rng(others.get(label, []), "{:.2f}")))
PY
