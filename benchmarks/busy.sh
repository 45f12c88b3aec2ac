# Sourced by the benchmark scripts: how much of the machine other jobs used during a measurement.
# busy_jiffies: busy CPU time of the whole machine so far (all CPUs), in clock ticks.
busy_jiffies() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
# other_load BUSY_BEFORE BUSY_AFTER WALL_SECONDS JSON: the CPUs' share (0..1) taken by other processes,
# i.e. machine busy time minus the measured process's own CPU time ("processCpuSeconds" in its JSON).
other_load() {
  /usr/bin/python3 - "$@" <<'PY'
import json, os, sys
before, after, wall, js = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
hz, ncpu = os.sysconf("SC_CLK_TCK"), os.cpu_count()
try:
    own = json.loads(js).get("processCpuSeconds", 0.0)
except ValueError:
    own = 0.0
print("%.3f" % max(0.0, ((after - before) / hz - own) / (wall * ncpu)))
PY
}
# wait_quiet: with QUIET_WAIT=S (seconds, default 0 = do not wait), wait up to S seconds until other
# jobs use less than QUIET_LEVEL (default 0.1) of the CPUs over 10 s, so that a measurement starts on
# an idle machine. The measurement still records what other jobs took while it ran.
wait_quiet() {
  local limit="${QUIET_WAIT:-0}" level="${QUIET_LEVEL:-0.1}" waited=0 b0 b1 share
  [[ "$limit" -gt 0 ]] || return 0
  while (( waited < limit )); do
    b0="$(busy_jiffies)"; sleep 10; b1="$(busy_jiffies)"; waited=$((waited + 10))
    share="$(echo "($b1 - $b0) / ($(getconf CLK_TCK) * 10 * $(nproc))" | bc -l)"
    if (( $(echo "$share < $level" | bc -l) )); then return 0; fi
  done
  echo "  (the machine stayed busy for ${limit}s: measuring anyway)" >&2
}
