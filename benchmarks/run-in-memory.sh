#!/usr/bin/env bash
# In memory against on disk: each iQDB system (flat, IVF, IVF int8, HNSW) on Fashion-MNIST, once
# on disk and once in memory (Iqdb.openInMemory()), each in its own JVM, alternating, so the two
# see the same machine. Results: benchmarks/results/in-memory/<system>/results.{md,csv}.
# Extra arguments go to every harness run (e.g. --queries 2000 --runs 3).
. "$(dirname "$0")/run-common.sh"
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  echo "benchmarks: Fashion-MNIST not found; install it with: sudo apt-get install dataset-fashion-mnist" >&2
  exit 1
fi
[ "${SKIP_BUILD:-}" = 1 ] || iqdb_build_benchmarks
for s in iqdb-flat iqdb-ivf iqdb-ivf-int8 iqdb-hnsw; do
  for variant in "$s" "$s-mem"; do
    iqdb_harness 3g --dataset fashion-mnist --queries 1000 --runs 2 --ef 10,20,40,80 --probes 4,8,16 \
      --threads 1 --warmup-ms 1000 --no-python --no-plot --systems "$variant" \
      --out benchmarks/results/in-memory/"$variant" "$@"
  done
done
