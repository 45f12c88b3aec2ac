#!/usr/bin/python3
"""Table of a vs-pytorch.sh results file: images/s of each contender (median and range over rounds),
the vgg4j/PyTorch ratio (median and range of the per-round ratios: both measured in the same round,
back to back), peak resident memory (largest over rounds) and the share of the CPUs that other jobs
took during the measurements (0 = the machine was ours; rows above ~0.1 are disturbed).

Usage: benchmarks/compare.py RESULTS.jsonl... [--markdown] [--max-other-load X]
  --max-other-load X: keep only rounds in which other jobs took at most X of the CPUs during both
  contenders' measurements (e.g. 0.1); the "rounds" column says how many were kept.
"""
import json
import statistics
import sys
from collections import defaultdict


def fmt_range(values, spec="{:.1f}"):
    if not values:
        return "-"
    if len(values) == 1:
        return spec.format(values[0])
    return (spec + " ({}-{})").format(statistics.median(values), spec.format(min(values)), spec.format(max(values)))


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    args = sys.argv[1:]
    limit = None
    if "--max-other-load" in args:
        limit = float(args[args.index("--max-other-load") + 1])
        del args[args.index("--max-other-load"):args.index("--max-other-load") + 2]
    files = [a for a in args if not a.startswith("--")]
    rows = []
    for i, f in enumerate(files):  # several files: their rounds are kept apart
        for l in open(f):
            if l.strip():
                r = json.loads(l)
                r["round"] = (i, r["round"])
                rows.append(r)
    # (point, batch, phase, precision) -> round -> contender -> result; files before precisions were fp32
    point_of = lambda r: (r["point"], r["batch"], r["phase"], r.get("precision", "fp32"))
    by = defaultdict(dict)
    load = defaultdict(list)  # point -> other jobs' CPU share of each measurement
    for r in rows:
        by[point_of(r)].setdefault(r["round"], {})[r["contender"]] = r["result"]
        if "otherLoad" in r:
            load[point_of(r)].append(r["otherLoad"])
    loads = defaultdict(dict)  # point -> round -> largest other load of the two
    for r in rows:
        key = point_of(r)
        loads[key][r["round"]] = max(loads[key].get(r["round"], 0.0), r.get("otherLoad", 0.0))
    key = lambda p: ({"cifar": 0, "224": 1}.get(p[0], 2), p[0], p[1], p[2] != "train", p[3])
    head = ["network", "batch", "phase", "precision", "vgg4j img/s", "PyTorch img/s", "ratio", "vgg4j peak MiB",
            "PyTorch peak MiB", "memory ratio", "other jobs' CPU", "rounds"]
    lines = []
    for point in sorted(by, key=key):
        field = point[2] + "ImagesPerSecond"
        v, p, ratio, vm, pm = [], [], [], [], []
        kept = 0
        for rnd, res in sorted(by[point].items()):
            if limit is not None and loads[point].get(rnd, 0.0) > limit:
                continue
            kept += 1
            a, b = res.get("vgg4j", {}), res.get("pytorch", {})
            if a.get(field):
                v.append(a[field]); vm.append(a["peakMemoryBytes"] / 2**20)
            if b.get(field):
                p.append(b[field]); pm.append(b["peakMemoryBytes"] / 2**20)
            if a.get(field) and b.get(field):
                ratio.append(a[field] / b[field])
        name = "VGG16-CIFAR 32x32" if point[0] == "cifar" else "VGG16 224x224"
        mem_ratio = "{:.2f}".format(max(vm) / max(pm)) if vm and pm else "-"
        lines.append([name, str(point[1]), point[2], point[3], fmt_range(v), fmt_range(p), fmt_range(ratio, "{:.2f}"),
                      "{:.0f}".format(max(vm)) if vm else "-", "{:.0f}".format(max(pm)) if pm else "-", mem_ratio,
                      fmt_range(load[point], "{:.2f}"), "{}/{}".format(kept, len(by[point]))])
    if "--markdown" in sys.argv:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for l in lines:
            print("| " + " | ".join(l) + " |")
    else:
        widths = [max(len(x) for x in col) for col in zip(head, *lines)]
        for l in [head] + lines:
            print("  ".join(x.ljust(w) for x, w in zip(l, widths)))
    errors = [r for r in rows if "error" in r["result"]]
    for e in errors:
        print("failed: {} {} b{} {} round {}: {}".format(e["contender"], e["point"], e["batch"], e["phase"], e["round"],
                                                         e["result"]["error"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
