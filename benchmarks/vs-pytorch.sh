#!/usr/bin/env bash
# vgg4j (`./vgg benchmark`) vs the same network in PyTorch 1.13 (benchmarks/pytorch_vgg.py), one
# process per measurement, the two contenders alternating (vgg4j first in odd rounds, PyTorch first
# in even rounds) so both see the same machine load. Prints a table of images/s, ratios and peak RSS.
#
# Usage: benchmarks/vs-pytorch.sh [--rounds R] [--points LIST] [--phases train,inference]
#                                  [--precisions fp32,bf16] [--out FILE]
#   LIST: comma-separated NAME:BATCH, NAME one of
#     cifar  VGG16, 3x32x32, head 512-512-10 (dropout 0.5)
#     224    VGG16, 3x224x224, ImageNet head 4096-4096-1000 (dropout 0.5)
#   default: cifar:32,cifar:64,cifar:128,224:32,224:64,224:128
#   --precisions: fp32 (default) and/or bf16: vgg4j's `--precision bf16` against PyTorch's
#     torch.autocast("cpu", dtype=torch.bfloat16) (pytorch_vgg.py --autocast bf16), alternating in each round
# Environment: ITER_CIFAR (timed steps, default 8), ITER_224 (default 2), WARMUP_CIFAR (PyTorch's untimed
#   steps, 3), WARMUP_224 (2); vgg4j runs with `vgg benchmark`'s default warm-up (until its kernels have
#   chosen their algorithms, then 2 more) unless VGG_WARMUP=N is set (then --warmup N after the choice),
#   PYTHON (default /usr/bin/python3: Debian's python3-torch, not a pyenv python on PATH),
#   QUIET_WAIT=S: before each measurement wait up to S seconds for the machine to be idle (busy.sh),
#   PEER_OMP=default: leave PyTorch's OpenMP wait policy at its default (spinning) instead of the
#   launcher's (OMP_WAIT_POLICY=passive unless set): by default both contenders wait the same way.
# Results go to --out (JSON lines, default benchmarks/results/vs-pytorch-<time>.jsonl); the table is
# printed by benchmarks/compare.py, which can be re-run on the file.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds=2
points="cifar:32,cifar:64,cifar:128,224:32,224:64,224:128"
phases="train,inference"
precisions="fp32"
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --points) points="$2"; shift 2 ;;
    --phases) phases="$2"; shift 2 ;;
    --precisions) precisions="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "vs-pytorch.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
python="${PYTHON:-/usr/bin/python3}"
# shellcheck source=busy.sh
source "$root/benchmarks/busy.sh"
"$python" -c 'import torch, torchvision' 2>/dev/null || {
  echo "vs-pytorch.sh: $python cannot import torch and torchvision (Debian: apt-get install python3-torch python3-torchvision)" >&2; exit 1; }
if [[ -z "$out" ]]; then
  mkdir -p "$root/benchmarks/results"
  out="$root/benchmarks/results/vs-pytorch-$(date +%Y%m%d-%H%M%S).jsonl"
fi
"$root/vgg" --version >/dev/null   # builds the command line first, outside the measurements

args_for() {  # NAME -> the architecture options both sides take
  case "$1" in
    cifar) echo "--config D --input 3x32x32 --classes 10 --head cifar" ;;
    224)   echo "--config D --input 3x224x224 --classes 1000 --head imagenet" ;;
    *) echo "vs-pytorch.sh: unknown point name '$1' (cifar or 224)" >&2; exit 2 ;;
  esac
}

run_one() {  # CONTENDER NAME BATCH PHASE ROUND PRECISION
  local who="$1" name="$2" batch="$3" phase="$4" round="$5" precision="$6" iters warm json
  if [[ "$name" == cifar ]]; then iters="${ITER_CIFAR:-8}"; warm="${WARMUP_CIFAR:-3}"; else iters="${ITER_224:-2}"; warm="${WARMUP_224:-2}"; fi
  local b0 t0 others
  wait_quiet
  b0="$(busy_jiffies)"; t0="$(date +%s.%N)"
  # shellcheck disable=SC2046
  if [[ "$who" == vgg4j ]]; then
    json="$("$root/vgg" benchmark $(args_for "$name") --batch "$batch" --iterations "$iters" ${VGG_WARMUP:+--warmup "$VGG_WARMUP"} \
            --precision "$precision" --phase "$phase" --json 2>/dev/null)" || json='{"error":"vgg benchmark failed"}'
  else
    if [[ "${PEER_OMP:-same}" == same && -z "${OMP_WAIT_POLICY:-}" && -z "${GOMP_SPINCOUNT:-}" ]]; then
      local peer_env="OMP_WAIT_POLICY=passive"
    else
      local peer_env="X_PEER_OMP=default"
    fi
    local autocast=off
    [[ "$precision" == bf16 ]] && autocast=bf16
    json="$(env "$peer_env" "$python" "$root/benchmarks/pytorch_vgg.py" $(args_for "$name") --batch "$batch" --iterations "$iters" \
            --warmup "$warm" --phase "$phase" --threads 2 --autocast "$autocast" --json)" || json='{"error":"pytorch_vgg.py failed"}'
  fi
  others="$(other_load "$b0" "$(busy_jiffies)" "$(echo "$(date +%s.%N) - $t0" | bc)" "$json")"
  printf '{"contender":"%s","point":"%s","batch":%s,"phase":"%s","precision":"%s","round":%s,"otherLoad":%s,"result":%s}\n' \
    "$who" "$name" "$batch" "$phase" "$precision" "$round" "$others" "$json" >>"$out"
  echo "  round $round $name b$batch $phase $precision $who done (other jobs used $others of the CPUs)" >&2
}

for precision in ${precisions//,/ }; do
  case "$precision" in fp32|bf16) ;; *) echo "vs-pytorch.sh: unknown precision '$precision' (fp32 or bf16)" >&2; exit 2 ;; esac
done
echo "vs-pytorch.sh: $rounds round(s) of $points ($phases; $precisions) -> $out" >&2
for ((r = 1; r <= rounds; r++)); do
  for point in ${points//,/ }; do
    name="${point%%:*}"; batch="${point##*:}"
    for phase in ${phases//,/ }; do
      for precision in ${precisions//,/ }; do
        if (( r % 2 == 1 )); then order="vgg4j pytorch"; else order="pytorch vgg4j"; fi
        for who in $order; do run_one "$who" "$name" "$batch" "$phase" "$r" "$precision"; done
      done
    done
  done
done
"$python" "$root/benchmarks/compare.py" "$out"
