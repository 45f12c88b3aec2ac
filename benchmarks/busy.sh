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
