#!/usr/bin/env bash
# The Fashion-MNIST comparison, end to end (60,000 x 784, L2): iQDB flat/IVF/HNSW (float and
# quantized), raw Lucene HNSW, JVector, FAISS Flat/IVF-Flat/HNSW and hnswlib, in one run, against
# one exact ground truth. Results: benchmarks/results/fashion-mnist/{results.md,results.csv,recall-qps.png}.
# Budgeted for < 30 minutes on 2 cores: 2,000 of the 10,000 test images are the queries and the
# sweeps are short; all systems are measured in two interleaved rounds, the faster counting per
# point. Extra arguments go to the harness, e.g. --systems lucene-hnsw,hnswlib or --queries 10000; --help lists them.
. "$(dirname "$0")/run-common.sh"
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  echo "benchmarks: Fashion-MNIST not found; install it with: sudo apt-get install dataset-fashion-mnist" >&2
  exit 1
fi
iqdb_check_python
iqdb_build_benchmarks
iqdb_harness 3g --dataset fashion-mnist --queries 2000 --runs 2 \
  --ef 10,20,40,80,160 --probes 1,2,4,8,16 "$@"
