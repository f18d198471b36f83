#!/usr/bin/env bash
# The scale run: 1,000,000 x 128 seeded synthetic clustered vectors (L2), 10,000 queries, every
# system. Needs about 12 GB of RAM and takes hours on 2 cores (mostly graph builds). Results:
# benchmarks/results/synthetic/. Extra arguments go to the harness, e.g. --systems iqdb-hnsw,hnswlib,
# --dataset synthetic-cosine for the normalized variant, or --queries 1000 for a quicker run.
. "$(dirname "$0")/run-common.sh"
iqdb_check_python
iqdb_build_benchmarks
iqdb_harness "${HEAP:-8g}" --dataset synthetic --n 1000000 --dim 128 \
  --ef 10,20,40,80,160,320 --probes 1,2,4,8,16,32,64 "$@"
