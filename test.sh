#!/usr/bin/env bash
# Runs the whole test suite: finds a JDK >= 21, then `mvn verify` over every module.
# Extra arguments go to Maven, e.g. ./test.sh -pl src -Dtest=SearchTest
set -euo pipefail
cd "$(dirname "$0")"
. scripts/find-jdk.sh
iqdb_find_jdk
command -v mvn >/dev/null || { echo "test.sh: Maven is missing: apt-get install maven" >&2; exit 1; }
exec mvn -B -ntp verify "$@"
