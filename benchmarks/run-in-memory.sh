#!/usr/bin/env bash
# In memory against on disk: each iQDB system (flat, IVF, IVF int8, HNSW) on Fashion-MNIST, on
# disk and in memory (Iqdb.openInMemory()), each run in its own JVM, in the order disk, memory,
# memory, disk (so that a drift of the machine's load hits both alike). Results:
# benchmarks/results/in-memory/<system>/<a|b>/results.{md,csv} and the summary
# benchmarks/results/in-memory/results.md (each point's best of the runs, and the ratio).
# Extra arguments go to every harness run (e.g. --queries 2000 --runs 3).
. "$(dirname "$0")/run-common.sh"
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  echo "benchmarks: Fashion-MNIST not found; install it with: sudo apt-get install dataset-fashion-mnist" >&2
  exit 1
fi
EXTRA=("$@")
[ "${SKIP_BUILD:-}" = 1 ] || iqdb_build_benchmarks
SYSTEMS=${SYSTEMS:-"iqdb-flat iqdb-ivf iqdb-ivf-int8 iqdb-hnsw"}
run() { # run SYSTEM RUN
  iqdb_harness 3g --dataset fashion-mnist --queries 1000 --runs 2 --ef 10,20,40,80 --probes 4,8,16 \
    --threads 1 --warmup-ms 1000 --no-python --no-plot --systems "$1" \
    --out benchmarks/results/in-memory/"$1"/"$2" ${EXTRA[@]+"${EXTRA[@]}"}
}
# LABELS names the two runs of each system (e.g. LABELS="c d" adds runs beside earlier ones).
read -r A B <<< "${LABELS:-a b}"
for s in $SYSTEMS; do
  run "$s" "$A"; run "$s-mem" "$A"; run "$s-mem" "$B"; run "$s" "$B"
done
"$PYTHON" benchmarks/python/in_memory_summary.py benchmarks/results/in-memory > benchmarks/results/in-memory/results.md
cat benchmarks/results/in-memory/results.md
