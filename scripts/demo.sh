#!/usr/bin/env bash
# Runs Clearance on this machine's real servers (PostgreSQL/pgvector and OpenFGA from
# scripts/servers.sh) in demo mode, loads the demo corpus with its access rules, prints how to query
# it as different users, and keeps serving until Ctrl-C.
#
# Demo mode makes the service its own identity provider (POST /demo/token). Never use it in
# production: anyone who reaches the service can mint any token.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk.sh

PORT="${MICRONAUT_SERVER_PORT:-8080}"
JAR=target/clearance-0.1.0-SNAPSHOT.jar

# OpenFGA keeps its tuples in PostgreSQL for the demo, so a restart does not lose the access rules.
export CLEARANCE_FGA_DATASTORE="${CLEARANCE_FGA_DATASTORE:-postgres}"
bash scripts/servers.sh start
eval "$(bash scripts/servers.sh env)"

echo "[demo] building the service (first build downloads dependencies)"
mvn -B -q -ntp -DskipTests -Dspotless.check.skip=true package

export MICRONAUT_SERVER_PORT="$PORT"
export CLEARANCE_DEMO_ENABLED=true
export AUTH_JWKS_URL="http://127.0.0.1:$PORT/demo/jwks.json"
export AUTH_ISSUER=clearance-demo
export AUTH_AUDIENCE=clearance
LOG="${TMPDIR:-/tmp}/clearance-demo.log"
java -jar "$JAR" >"$LOG" 2>&1 &
SERVICE_PID=$!
trap 'kill "$SERVICE_PID" 2>/dev/null || true' EXIT INT TERM

echo "[demo] waiting for the service on port $PORT (log: $LOG)"
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$PORT/health/readiness" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVICE_PID" 2>/dev/null; then tail -n 40 "$LOG"; echo "[demo] the service stopped" >&2; exit 1; fi
  sleep 1
done
curl -sf "http://127.0.0.1:$PORT/health/readiness" >/dev/null || { tail -n 40 "$LOG"; exit 1; }

echo "[demo] loading the demo corpus (ingest-jobs/demo.yaml)"
java -cp "$JAR" dev.clearance.jobs.IngestJob run ingest-jobs/demo.yaml --service "http://127.0.0.1:$PORT"

cat <<EOT

Clearance is running at http://localhost:$PORT  (OpenAPI: http://localhost:$PORT/openapi/, health: /health)

Open http://localhost:$PORT/ in a browser and pick a demo user to search as that person.

Get a token for a demo user, then search as that user:

  token() { curl -s -X POST localhost:$PORT/demo/token -H 'Content-Type: application/json' \\
              -d "{\"user\":\"\$1\",\"tenant\":\"acme\"\${2:+,\"agent\":\"\$2\"}}" | sed 's/.*"accessToken":"\([^"]*\)".*/\1/'; }

  # alice (engineering) and hana (HR) ask the same question and get different answers:
  curl -s localhost:$PORT/v1/search -H "Authorization: Bearer \$(token alice)" \\
       -H 'Content-Type: application/json' -d '{"query":"salary bands","topK":3}'
  curl -s localhost:$PORT/v1/search -H "Authorization: Bearer \$(token hana)" \\
       -H 'Content-Type: application/json' -d '{"query":"salary bands","topK":3}'

  # the helpdesk agent acting for alice sees only what both may read:
  curl -s localhost:$PORT/v1/search -H "Authorization: Bearer \$(token alice helpdesk-bot)" \\
       -H 'Content-Type: application/json' -d '{"query":"how do I use decorators","topK":3}'

Press Ctrl-C to stop the service (the servers keep running; scripts/servers.sh stop stops them).
EOT
wait "$SERVICE_PID"
