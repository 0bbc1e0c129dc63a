#!/usr/bin/env bash
# The local cluster under faults (scripts/cluster.sh): through its load balancer, documents are
# ingested for several users with distinct grants, then searched as those users in a loop while
# a replica is SIGKILLed and started again, an OpenFGA server is stopped and started again, the
# other is SIGKILLed and started again, and the other replica is SIGKILLed and started again.
# Then the replicas are restarted with a low tenant search limit, and each is asked directly.
#
# Asserts:
#   - nothing ingested is lost or duplicated (the writer's listing, and a GET of each document)
#   - no search returns a chunk of a document its caller may not read (checked against the grants
#     the test wrote), and no GET shows a document to a caller who may not read it
#   - every failed search is a 503 application/problem+json with Retry-After; failures last at
#     most CLUSTER_TEST_FAILURE_BOUND seconds in a row (10) and stop within
#     CLUSTER_TEST_RECOVERY_BOUND seconds (10) after the last part is back
#   - with CLEARANCE_RATE_TENANT_PER_MINUTE low, a tenant over it gets 429 with Retry-After from
#     every replica (one limit shared through PostgreSQL, not one per replica) while another
#     tenant is served
# Prints a summary; exits non-zero on any failed assertion (124: the hard timeout).
#
#   scripts/cluster-test.sh
#
# A cluster that is up (scripts/cluster.sh status) is used and left running (its replicas are
# restarted without the limit at the end); otherwise the test starts one and stops it afterwards.
# Installation and the jar's build happen first and are not timed.
#
# Settings: CLUSTER_TEST_TIMEOUT (hard timeout of the test after installation, default 300 s),
# CLUSTER_TEST_LIMIT (the tenant searches per minute of the limits check, default 12),
# CLUSTER_TEST_WORK (raw results, default a new temporary directory), and the settings of
# scripts/cluster.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

HARD_TIMEOUT="${CLUSTER_TEST_TIMEOUT:-300}"
LIMIT="${CLUSTER_TEST_LIMIT:-12}"
# The failure part runs without search limits; the limits check sets its own.
unset CLEARANCE_RATE_TENANT_PER_MINUTE CLEARANCE_RATE_CALLER_PER_MINUTE

replicas() {
  local i out=()
  for ((i = 1; i <= ${CLEARANCE_CLUSTER_REPLICAS:-2}; i++)); do out+=("replica-$i"); done
  echo "${out[@]}"
}

# ---------------------------------------------------------------- the bounded part

if [[ "${1:-}" == "--bounded" ]]; then
  WORK="$2"
  started=$(date +%s)
  if [[ ! -f "$WORK/use-running" ]]; then
    echo "[test] starting the cluster"
    t=$(date +%s)
    scripts/cluster.sh start >"$WORK/cluster-start.log" 2>&1 || { tail -n 30 "$WORK/cluster-start.log"; exit 1; }
    echo "[test] cluster started in $(($(date +%s) - t))s"
  fi
  eval "$(scripts/cluster.sh env)"
  [[ $(echo "$CLEARANCE_CLUSTER_REPLICA_URLS" | wc -w) -ge 2 ]] || { echo "[test] needs two replicas or more" >&2; exit 2; }
  status=0
  python3 scripts/cluster-test.py chaos --work "$WORK" || status=1

  # The replicas read search candidates from the standby (ADR 0013) during the faults: counted by
  # each replica since its last start; a cluster whose standby is never used would not test that path.
  standby_reads=0
  for url in $CLEARANCE_CLUSTER_REPLICA_URLS; do
    n=$(curl -sf --max-time 5 "$url/prometheus" \
      | awk '/^clearance_standby_reads_total\{.*source="standby"/ { sum += $2 } END { printf "%d", sum }')
    standby_reads=$((standby_reads + ${n:-0}))
  done
  if [[ "${CLEARANCE_CLUSTER_STANDBY_READS:-on}" != "off" ]]; then
    if ((standby_reads > 0)); then
      echo "[test] standby: $standby_reads candidate reads went to the hot standby"
    else
      echo "[test] FAILED: no candidate read went to the hot standby" >&2
      status=1
    fi
  fi

  echo "[test] restarting the replicas with CLEARANCE_RATE_TENANT_PER_MINUTE=$LIMIT"
  touch "$WORK/limits-applied"
  t=$(date +%s)
  # shellcheck disable=SC2046  # one word per replica
  scripts/cluster.sh stop $(replicas) >>"$WORK/cluster-start.log" 2>&1
  # shellcheck disable=SC2046
  CLEARANCE_RATE_TENANT_PER_MINUTE="$LIMIT" scripts/cluster.sh start $(replicas) >>"$WORK/cluster-start.log" 2>&1 \
    || { tail -n 30 "$WORK/cluster-start.log"; exit 1; }
  echo "[test] replicas restarted in $(($(date +%s) - t))s"
  python3 scripts/cluster-test.py limits --work "$WORK" --limit "$LIMIT" || status=1
  echo "[test] test part took $(($(date +%s) - started))s"
  exit "$status"
fi

# ---------------------------------------------------------------- setup and cleanup

t_all=$(date +%s)
WORK="${CLUSTER_TEST_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/clearance-cluster-test.XXXXXX")}"
mkdir -p "$WORK"
echo "[test] raw results in $WORK"
echo "[test] installing (not timed)"
scripts/cluster.sh install >"$WORK/install.log" 2>&1 || { tail -n 30 "$WORK/install.log"; exit 1; }

if scripts/cluster.sh status >/dev/null 2>&1; then
  echo "[test] using the running cluster"
  touch "$WORK/use-running"
fi

cleanup() {
  trap - EXIT INT TERM
  if [[ -f "$WORK/use-running" ]]; then
    if [[ -f "$WORK/limits-applied" ]]; then
      echo "[test] restarting the replicas without the search limit"
      # shellcheck disable=SC2046
      scripts/cluster.sh stop $(replicas) >>"$WORK/cluster-stop.log" 2>&1 || true
      # shellcheck disable=SC2046
      scripts/cluster.sh start $(replicas) >>"$WORK/cluster-stop.log" 2>&1 || echo "[test] the replicas did not start again: see $WORK/cluster-stop.log"
    fi
  else
    echo "[test] stopping the cluster"
    scripts/cluster.sh stop >"$WORK/cluster-stop.log" 2>&1 || echo "[test] stop failed: see $WORK/cluster-stop.log"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

set +e
timeout -k 10 "$HARD_TIMEOUT" "$0" --bounded "$WORK"
status=$?
set -e
if [[ $status -eq 124 || $status -eq 137 ]]; then
  echo "[test] FAILED: hard timeout of ${HARD_TIMEOUT}s"
  status=124
fi
cleanup
echo "[test] $([[ $status -eq 0 ]] && echo PASSED || echo FAILED) in $(($(date +%s) - t_all))s (raw results: $WORK)"
exit "$status"
