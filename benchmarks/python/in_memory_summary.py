#!/usr/bin/env python3
"""Summarizes run-in-memory.sh: per index and point, the best single-thread QPS and p50 of the
runs on disk and in memory, and memory/disk ratios. Usage: in_memory_summary.py <results/in-memory>."""
import csv
import glob
import os
import platform
import sys
import time

root = sys.argv[1]
best = {}  # (base system, parameter, value, where) -> [qps1, p50, recall, runs]
for path in sorted(glob.glob(os.path.join(root, "*", "*", "results.csv"))):
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["status"] != "ok":
                continue
            system = row["system"]
            where = "memory" if system.endswith("-mem") else "disk"
            base = system[:-4] if where == "memory" else system
            key = (base, row["parameter"], row["value"], where)
            qps, p50, recall = float(row["qps1"]), float(row["p50_us"]), float(row["recall"])
            b = best.setdefault(key, [0.0, float("inf"), recall, 0])
            b[0] = max(b[0], qps)
            b[1] = min(b[1], p50)
            b[3] += 1

print("# In memory against on disk (Fashion-MNIST)\n")
print("Made by `benchmarks/run-in-memory.sh` on " + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
      + " (" + platform.machine() + ", " + str(os.cpu_count()) + " cores, shared).")
print("Each system ran in its own JVM, disk, memory, memory, disk; each point is the best of its runs")
print("(1,000 queries, k = 10, one thread). The machine was shared and loaded: the numbers are indicative.\n")
print("| index | point | recall disk / memory | QPS disk | QPS memory | memory / disk | p50 us disk | p50 us memory | disk / memory p50 |")
print("|---|---|---|---|---|---|---|---|---|")
for (base, param, value, where) in sorted(best, key=lambda k: (k[0], k[1], int(k[2]) if k[2].isdigit() else 0)):
    if where != "disk" or (base, param, value, "memory") not in best:
        continue
    d = best[(base, param, value, "disk")]
    m = best[(base, param, value, "memory")]
    point = "-" if param == "-" else param + "=" + value
    print(f"| {base} | {point} | {d[2]:.3f} / {m[2]:.3f} | {d[0]:,.0f} | {m[0]:,.0f} | {m[0] / d[0]:.2f} | "
          f"{d[1]:.0f} | {m[1]:.0f} | {d[1] / m[1]:.2f} |")
