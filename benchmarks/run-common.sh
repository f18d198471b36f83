# Sourced by run-fashion-mnist.sh and run-scale.sh: finds a JDK >= 21, checks the Python peers,
# builds benchmarks/target/benchmarks.jar and defines iqdb_harness to run the ANN harness.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/find-jdk.sh
iqdb_find_jdk
command -v mvn >/dev/null || { echo "benchmarks: Maven is missing: sudo apt-get install maven" >&2; exit 1; }

PYTHON=${PYTHON:-/usr/bin/python3}
HARNESS_PYTHON_ARGS=()
# Which Debian package provides each Python module the peers and the plot import.
iqdb_check_python() {
  local missing=() module package
  if [ ! -x "$PYTHON" ]; then
    missing+=(python3)
  else
    for pair in numpy:python3-numpy faiss:python3-faiss hnswlib:python3-hnswlib matplotlib:python3-matplotlib; do
      module=${pair%%:*}; package=${pair#*:}
      "$PYTHON" -c "import $module" 2>/dev/null || missing+=("$package")
    done
  fi
  # Without an optimized BLAS, FAISS falls back to reference BLAS and its flat and IVF numbers
  # would say nothing about FAISS.
  if command -v dpkg-query >/dev/null && ! dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null | grep -q 'ok installed'; then
    missing+=(libopenblas0-pthread)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "benchmarks: the FAISS/hnswlib peers or the plot need: sudo apt-get install ${missing[*]}" >&2
    if ! "$PYTHON" -c 'import numpy, faiss, hnswlib' 2>/dev/null; then
      echo "benchmarks: running without the Python peers (recorded as unsupported in the results)" >&2
      HARNESS_PYTHON_ARGS=(--no-python)
    fi
  fi
}

iqdb_build_benchmarks() {
  echo "benchmarks: building benchmarks/target/benchmarks.jar with $JAVA_HOME"
  mvn -B -ntp -q -pl benchmarks -am package -DskipTests
}

# iqdb_harness HEAP ARGS...: runs io.iqdb.bench.AnnHarness from the shaded jar.
iqdb_harness() {
  local heap=$1; shift
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -Xms"$heap" -Xmx"$heap" -XX:+UseParallelGC \
    -cp benchmarks/target/benchmarks.jar io.iqdb.bench.AnnHarness --python "$PYTHON" \
    ${HARNESS_PYTHON_ARGS[@]+"${HARNESS_PYTHON_ARGS[@]}"} "$@"
}
