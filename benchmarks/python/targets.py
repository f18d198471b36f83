#!/usr/bin/env python3
"""Target-recall table from an ANN harness results.csv.

For every iQDB system searched by target recall only (name ending in -target, parameter
"target/1000") and each target, prints the recall reached and its speed beside the hand-tuned
sweep of the same index (the system of the same name without -target): the fastest point of that
sweep whose recall reaches the target. Speeds: single-thread QPS (mean latency) and the median
latency, which a shared machine's load bursts disturb less.

usage: targets.py results.csv [more results.csv ...]
"""
import csv
import sys


def load(paths):
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                if not r["recall"]:
                    continue
                rows.append(r)
    return rows


def main(paths):
    rows = load(paths)
    print("| dataset | index | target | recall reached | met | QPS (1 thread) | p50 us "
          "| hand-tuned point (fastest with recall >= target) | its recall | its QPS | its p50 us "
          "| QPS ratio | p50 ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if not r["system"].endswith("-target"):
            continue
        target = int(r["value"]) / 1000.0
        base = r["system"][: -len("-target")]
        sweep = [s for s in rows if s["system"] == base and s["dataset"] == r["dataset"]
                 and float(s["recall"]) >= target]
        recall = float(r["recall"])
        qps, p50 = float(r["qps1"]), float(r["p50_us"])
        if sweep:
            best = max(sweep, key=lambda s: float(s["qps1"]))
            bq = float(best["qps1"])
            bp = float(best["p50_us"])
            hand = "%s=%s" % (best["parameter"], best["value"])
            cells = [hand, "%.4f" % float(best["recall"]), "%.0f" % bq, "%.0f" % bp,
                     "%.2f" % (qps / bq), "%.2f" % (bp / p50)]
        else:
            cells = ["none reached it", "", "", "", "", ""]
        print("| %s | %s | %.3f | %.4f | %s | %.0f | %.0f | %s |" % (
            r["dataset"], base, target, recall, "yes" if recall >= target else "**no**", qps, p50,
            " | ".join(cells)))


if __name__ == "__main__":
    main(sys.argv[1:])
