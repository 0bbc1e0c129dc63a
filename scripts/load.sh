#!/usr/bin/env bash
# The load suite: a running service on loopback, searched by 16 closed-loop clients from a second
# process for 60 s with a mix of users and an agent, while an ingest job loads the demo corpus into
# another tenant at the same time. Prints p50/p95/p99, throughput, every non-200, and the service's
# heap (after a full GC) and RSS before and after. Exits non-zero on any error.
#
#   scripts/load.sh                 # search the demo corpus (tenant acme)
#   LOAD_DATA=bench scripts/load.sh # search the 100k-chunk benchmark corpus (see docs/benchmarks.md)
#   LOAD_DATA=real scripts/load.sh  # search the real corpus (tenant real) as 1,024 users (docs/benchmarks.md)
#   LOAD_URL=http://127.0.0.1:18800 scripts/load.sh   # a service that already runs, e.g. the local
#                                   # cluster's load balancer (scripts/cluster.sh, docs/scaling.md)
#
# Settings: LOAD_CLIENTS (16), LOAD_SECONDS (60), LOAD_PORT (18080), LOAD_INGEST (1 = run the ingest
# job alongside, 0 = search only). LOAD_DATA=real reads the corpus that scripts/bench-corpus.sh builds
# (CLEARANCE_BENCH_CACHE, default /var/cache/clearance/bench-corpus) and loads LOAD_PASSAGES (100000)
# of its passages. LOAD_URL: search a service that already runs instead of starting servers and a
# service (demo data only; tokens come from its /demo/token, which the cluster's load balancer
# answers; its memory is not reported).
set -euo pipefail
cd "$(dirname "$0")/.."
QUERY_ARGS=()
source scripts/jdk.sh

CLIENTS="${LOAD_CLIENTS:-16}"
SECONDS_TO_RUN="${LOAD_SECONDS:-60}"
PORT="${LOAD_PORT:-18080}"
DATA="${LOAD_DATA:-demo}"
BENCH_CACHE="${CLEARANCE_BENCH_CACHE:-/var/cache/clearance/bench-corpus}"
INGEST="${LOAD_INGEST:-1}"
GIVEN_URL="${LOAD_URL:-}"
JAR=target/clearance-0.1.0-SNAPSHOT.jar
WORK="$(mktemp -d)"
# The service log and the ingest job's output stay in $WORK for inspection after the run.
trap 'kill "${SERVICE_PID:-}" "${INGEST_PID:-}" 2>/dev/null || true; echo "[load] logs in $WORK"' EXIT INT TERM

# As a production OpenFGA would run: tuples in PostgreSQL, check-query cache on (the service asks
# for HIGHER_CONSISTENCY where access changed recently, ADR 0004). Servers that already run keep
# their settings: scripts/servers.sh stop first to apply these.
export CLEARANCE_FGA_DATASTORE="${CLEARANCE_FGA_DATASTORE:-postgres}"
export CLEARANCE_FGA_CHECK_CACHE="${CLEARANCE_FGA_CHECK_CACHE:-true}"
if [ -n "$GIVEN_URL" ]; then
  [ "$DATA" = demo ] || { echo "[load] LOAD_URL works with LOAD_DATA=demo only" >&2; exit 2; }
else
  bash scripts/servers.sh start
  eval "$(bash scripts/servers.sh env)"
fi

echo "[load] building the service and the load client"
mvn -B -q -ntp -DskipTests -Dspotless.check.skip=true package test-compile \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/classpath.txt"
CLIENT_CP="target/test-classes:target/classes:$(cat "$WORK/classpath.txt")"

if [ "$DATA" = bench ]; then
  # Written straight into the servers, before the service starts and resolves the OpenFGA model.
  echo "[load] loading the 100k-chunk benchmark corpus into tenant bench (docs/benchmarks.md)"
  java -Xmx3g -cp "$CLIENT_CP" dev.clearance.bench.BenchData ingest-jobs/corpus/docs
fi
if [ "$DATA" = real ]; then
  # The same way: rows and tuples of tenants real and real10k; rows are kept when already loaded.
  echo "[load] loading the real corpus into tenants real and real10k (docs/benchmarks.md)"
  CLEARANCE_BENCH_CACHE="$BENCH_CACHE" java -Xmx3g -cp "$CLIENT_CP" dev.clearance.bench.RealBenchData \
    "${LOAD_PASSAGES:-100000}"
fi

PID_ARGS=()
if [ -n "$GIVEN_URL" ]; then
  URL="${GIVEN_URL%/}"
  curl -sf "$URL/health/readiness" >/dev/null || { echo "[load] no ready service at $URL" >&2; exit 1; }
else
  export MICRONAUT_SERVER_PORT="$PORT"
  export CLEARANCE_DEMO_ENABLED=true
  export AUTH_JWKS_URL="http://127.0.0.1:$PORT/demo/jwks.json"
  export AUTH_ISSUER=clearance-demo
  export AUTH_AUDIENCE=clearance
  URL="http://127.0.0.1:$PORT"
  java -jar "$JAR" >"$WORK/service.log" 2>&1 &
  SERVICE_PID=$!
  PID_ARGS=(--pid "$SERVICE_PID")
  for _ in $(seq 1 180); do
    curl -sf "$URL/health/readiness" >/dev/null 2>&1 && break
    kill -0 "$SERVICE_PID" 2>/dev/null || { tail -n 40 "$WORK/service.log"; exit 1; }
    sleep 1
  done
fi

case "$DATA" in
  demo)
    echo "[load] loading the demo corpus into tenant acme (unchanged documents cost nothing)"
    java -cp "$JAR" dev.clearance.jobs.IngestJob run ingest-jobs/demo.yaml --service "$URL" --progress plain
    TENANT=acme
    CALLERS="alice,carol,hana,fred,alice/helpdesk-bot,guest"
    ;;
  bench)
    TENANT=bench
    # Users who may read 100 %, 10 %, 1 % and 0.1 % of the documents.
    CALLERS="bench-all,bench-10,bench-1,bench-01"
    ;;
  real)
    TENANT=real
    # 1,024 users, a quarter each reading 100 %, 10 %, 1 % and 0.1 % of the documents; the queries
    # are the corpus's own section headings.
    CALLERS="u0000..u1023"
    head -n 200 "$BENCH_CACHE/queries.txt" >"$WORK/queries.txt"
    QUERY_ARGS=(--queries "$WORK/queries.txt")
    ;;
  *) echo "LOAD_DATA must be demo, bench or real" >&2; exit 2 ;;
esac

if [ "$INGEST" = 1 ]; then
  # The same corpus into a tenant of its own: real chunking, embedding and tuple writes while the
  # clients search. A fresh state directory makes every document new.
  sed -e "s/^tenant: .*/tenant: load-$(date +%s)/" -e "s|directory: corpus/docs|directory: $PWD/ingest-jobs/corpus/docs|" \
    ingest-jobs/demo.yaml >"$WORK/ingest.yaml"
  java -cp "$JAR" dev.clearance.jobs.IngestJob run "$WORK/ingest.yaml" --service "$URL" --progress plain \
    >"$WORK/ingest.log" 2>&1 &
  INGEST_PID=$!
fi

set +e
java -cp "$CLIENT_CP" dev.clearance.load.LoadTest --url "$URL" --tenant "$TENANT" --callers "$CALLERS" \
  --clients "$CLIENTS" --seconds "$SECONDS_TO_RUN" "${PID_ARGS[@]}" "${QUERY_ARGS[@]}"
LOAD_STATUS=$?
set -e

if [ "$INGEST" = 1 ]; then
  if kill -0 "$INGEST_PID" 2>/dev/null; then
    echo "[load] the ingest job is still running; waiting for it to finish"
  fi
  wait "$INGEST_PID"; INGEST_STATUS=$?
  tail -n 12 "$WORK/ingest.log"
  echo "[load] ingest job exit status: $INGEST_STATUS"
  [ "$INGEST_STATUS" = 0 ] || LOAD_STATUS=1
fi
if [ -z "$GIVEN_URL" ]; then
  grep -c '"level":"ERROR"' "$WORK/service.log" | sed 's/^/[load] service log ERROR lines: /' || true
fi
exit "$LOAD_STATUS"
