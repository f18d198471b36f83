#!/usr/bin/python3
"""Draws recall versus QPS from the ANN harness's results.csv, ann-benchmarks style: one Pareto
frontier per system (the points no other point of the same system beats on both recall and QPS),
QPS on a log scale; left panel one thread, right panel all cores.

usage: plot.py results.csv out.png [title]
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def pareto(points):
    """Points sorted by recall, keeping each one that is faster than every point of higher recall."""
    best, out = -1.0, []
    for recall, qps in sorted(points, key=lambda p: (-p[0], -p[1])):
        if qps > best:
            out.append((recall, qps))
            best = qps
    return sorted(out)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["status"] == "ok"]
    systems = list(dict.fromkeys(r["system"] for r in rows))
    fig, axes = plt.subplots(1, 2, figsize=(14, 6), sharex=True)
    markers = "os^vD<>phX*P"
    for ax, column, label in ((axes[0], "qps1", "one thread"), (axes[1], "qps_all", "all cores")):
        for i, s in enumerate(systems):
            pts = pareto([(float(r["recall"]), float(r[column])) for r in rows if r["system"] == s and r[column]])
            if not pts:
                continue
            style = "-" if s.startswith("iqdb") else "--"
            ax.plot([p[0] for p in pts], [p[1] for p in pts], style, marker=markers[i % len(markers)], label=s,
                    linewidth=2 if s.startswith("iqdb") else 1.2)
        ax.set_yscale("log")
        ax.set_xlabel("recall@10")
        ax.set_ylabel(f"queries per second ({label})")
        ax.grid(True, which="both", alpha=0.3)
        ax.set_title(label)
    lo = min((float(r["recall"]) for r in rows), default=0.0)
    axes[0].set_xlim(max(0.0, min(lo, 0.9) - 0.02), 1.005)
    axes[1].legend(loc="lower left", fontsize=8)
    if len(sys.argv) > 3:
        fig.suptitle(sys.argv[3])
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
