#!/usr/bin/env bash
# Runs a benchmark program against real servers and prints its tables (see docs/benchmarks.md).
#
#   scripts/bench.sh ingest [corpusDir] [documents=all]
#   scripts/bench.sh search [corpusDir] [passages=2000] [documents=10000] [chunksPerDocument=10] [queries=100] [warmup=10]
#   scripts/bench.sh data   [corpusDir] [passages=2000] [documents=10000] [chunksPerDocument=10]
#   scripts/bench.sh throughput [passages=100000] [seconds=30] [clients=16]
#   scripts/bench.sh review [documents=1000,10000,40000] [baseline=list|none]
#
# The servers come from the test support: DB_URL/FGA_API_URL (with DB_USER, DB_PASSWORD) when set,
# otherwise PostgreSQL/pgvector and OpenFGA started by scripts/servers.sh on free ports for the run
# (CLEARANCE_TEST_SERVERS=local skips the Docker probe). `data` only loads the search corpus into
# the servers named by DB_URL/FGA_API_URL, for load tests. `throughput` runs on the real corpus that
# scripts/bench-corpus.sh builds (CLEARANCE_BENCH_CACHE, default /var/cache/clearance/bench-corpus).
# Benchmarks are not part of `mvn verify`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk.sh

what="${1:-}"
shift || true
case "$what" in
  ingest) main=dev.clearance.bench.IngestBenchmark ;;
  search) main=dev.clearance.bench.SearchBenchmark ;;
  data) main=dev.clearance.bench.BenchData ;;
  throughput) main=dev.clearance.bench.ThroughputBenchmark ;;
  review) main=dev.clearance.bench.ReviewBenchmark ;;
  *)
    echo "usage: scripts/bench.sh {ingest|search|data|throughput|review} [arguments]" >&2
    exit 2
    ;;
esac

mkdir -p target/bench
mvn -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench/classpath.txt
echo "load average before: $(uptime | sed 's/.*load average: //')"
export CLEARANCE_TEST_SERVERS="${CLEARANCE_TEST_SERVERS:-local}"
# OpenFGA as in production (and as scripts/load.sh runs it): tuples in PostgreSQL, check-query cache
# on. The in-memory datastore scans its tuples for many queries; with the 10,000 documents of the
# search corpus it saturated a core and checks timed out. Applies to servers this script starts;
# running servers keep their settings (scripts/servers.sh stop first).
export CLEARANCE_FGA_DATASTORE="${CLEARANCE_FGA_DATASTORE:-postgres}"
export CLEARANCE_FGA_CHECK_CACHE="${CLEARANCE_FGA_CHECK_CACHE:-true}"
# BENCH_JAVA_OPTS passes settings to the service under test, e.g. -Dclearance.search.exact-max-chunks=0.
java -Xmx3g ${BENCH_JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/bench/classpath.txt)" "$main" "$@"
echo "load average after: $(uptime | sed 's/.*load average: //')"
