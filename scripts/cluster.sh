#!/usr/bin/env bash
# A local Clearance cluster on loopback, from the same binaries and caches as scripts/servers.sh:
#
#   primary      PostgreSQL 16 + pgvector (wal_level=replica, a replication role and slot)
#   standby      a streaming hot standby of it, made with pg_basebackup -R
#   openfga-1/2  two OpenFGA servers on one datastore (database "openfga" on the primary)
#   idp          a local identity provider (scripts/cluster-idp.py): one key every replica trusts
#   haproxy      HAProxy (Debian's package): the service's load balancer, checking each replica's
#                /health/readiness, and a second load balancer in front of the two OpenFGA servers
#   replica-N    the service (java -jar), N = 1..CLEARANCE_CLUSTER_REPLICAS (2), all writing to the
#                primary and asking OpenFGA through its load balancer
#
#   scripts/cluster.sh start [PART...]    start everything (or the named parts), wait until healthy
#   scripts/cluster.sh stop [PART...]     stop everything it started (or the named parts)
#   scripts/cluster.sh kill PART...       SIGKILL replica-N or openfga-N (for failure tests)
#   scripts/cluster.sh status [PART...]   pid, port, up/down of each part, the standby's lag
#                                         (exit 0 when every part is up, 3 otherwise)
#   scripts/cluster.sh env                `export` lines: load balancer, replicas, JDBC, OpenFGA
#   scripts/cluster.sh token USER [TENANT [SCOPES]]   a token from the local identity provider;
#                                         USER may be user/agent; SCOPES space-separated
#   scripts/cluster.sh replay pause|resume  pause or resume the standby's WAL replay (tests of lag)
#   scripts/cluster.sh clean              stop, then delete the cluster's data dirs and logs
#   scripts/cluster.sh install            install PostgreSQL, OpenFGA and HAProxy, build the jar
#
# Typical use:   scripts/cluster.sh start && eval "$(scripts/cluster.sh env)"
#                curl -s "$CLEARANCE_CLUSTER_URL/v1/search" -H "Authorization: Bearer $(scripts/cluster.sh token alice acme)" \
#                     -H 'Content-Type: application/json' -d '{"query":"vacation","topK":3}'
#
# The identity provider signs a token for anyone who asks, like the service's demo mode: local use
# only. The load balancer also answers POST /demo/token from it, so demo-mode clients (LoadTest)
# work through it.
#
# Settings (environment), besides those of scripts/servers.sh (cache dir, PostgreSQL major, user,
# OpenFGA options, which apply here too):
#   CLEARANCE_CLUSTER_DIR          data dirs, logs, pid files (default $CACHE/cluster, beside
#                                  servers.sh's $CACHE/run: both can run at once)
#   CLEARANCE_CLUSTER_PG_PORT      primary (default 56432); the standby uses the next port
#   CLEARANCE_CLUSTER_PORT         the service's load balancer (default 18800); the other ports
#                                  follow it: replica N +N, OpenFGA's load balancer +10, openfga-1
#                                  http/grpc +11/+12, openfga-2 +13/+14, identity provider +20,
#                                  HAProxy's stats page +21
#   CLEARANCE_CLUSTER_REPLICAS     number of service replicas, 1..9 (default 2)
#   CLEARANCE_CLUSTER_STANDBY_READS  on (default): replicas read search candidates from the standby
#                                  while it is fresh (ADR 0013); off: every read on the primary
#   CLEARANCE_CLUSTER_FGA_ROUTE    lb (default): every replica asks OpenFGA's load balancer;
#                                  direct: replica N asks openfga-1 or -2 alone (odd/even)
#   CLEARANCE_CLUSTER_JAR          the service jar (default target/clearance-0.1.0-SNAPSHOT.jar,
#                                  built with Maven when missing, or older than the sources at a
#                                  full start). Replicas run a copy of it, so a build never
#                                  changes the code under a running replica.
#   CLEARANCE_CLUSTER_JAVA_OPTS    JVM options of each replica (default -Xmx1g)
#   CLEARANCE_CLUSTER_START_TIMEOUT  seconds to wait for each replica (default 180)
#   Any other variable of the service (README, "Configuration") set when a replica starts is
#   passed to it, e.g. CLEARANCE_RATE_TENANT_PER_MINUTE=60 scripts/cluster.sh start replica-1.
#   The cluster sets DB_*, FGA_*, AUTH_* and MICRONAUT_SERVER_PORT itself.
#
# Requirements: those of scripts/servers.sh, a JDK 21+ and Maven (scripts/jdk.sh), HAProxy
# (installed with apt-get when missing and run as root, or by sudo without a password).
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/servers.sh
source "$REPO_DIR/scripts/servers.sh"
LOG_TAG="cluster"

CLUSTER_DIR="${CLEARANCE_CLUSTER_DIR:-$CACHE_DIR/cluster}"
PRIMARY_PORT="${CLEARANCE_CLUSTER_PG_PORT:-56432}"
STANDBY_PORT=$((PRIMARY_PORT + 1))
LB_PORT="${CLEARANCE_CLUSTER_PORT:-18800}"
FGA_LB_PORT=$((LB_PORT + 10))
IDP_PORT=$((LB_PORT + 20))
STATS_PORT=$((LB_PORT + 21))
REPLICAS="${CLEARANCE_CLUSTER_REPLICAS:-2}"
FGA_ROUTE="${CLEARANCE_CLUSTER_FGA_ROUTE:-lb}"
JAR="${CLEARANCE_CLUSTER_JAR:-$REPO_DIR/target/clearance-0.1.0-SNAPSHOT.jar}"
JAVA_OPTS="${CLEARANCE_CLUSTER_JAVA_OPTS:--Xmx1g}"
REPLICA_TIMEOUT="${CLEARANCE_CLUSTER_START_TIMEOUT:-180}"
REPL_ROLE="replicator"
REPL_SLOT="standby_1"
ISSUER="clearance-cluster"
AUDIENCE="clearance"
# As a production OpenFGA would run (and as scripts/load.sh runs it): check-query cache on.
FGA_CHECK_CACHE="${CLEARANCE_FGA_CHECK_CACHE:-true}"
FGA_DATASTORE="postgres"
PG_CONNECTIONS=200  # 2 x OpenFGA (30 each by default) + replicas x DB_POOL_SIZE (16) + admin

[[ "$REPLICAS" =~ ^[1-9]$ ]] || die "CLEARANCE_CLUSTER_REPLICAS must be 1..9, not '$REPLICAS'"
case "$FGA_ROUTE" in lb|direct) ;; *) die "CLEARANCE_CLUSTER_FGA_ROUTE must be lb or direct, not '$FGA_ROUTE'";; esac
[[ -n "$CLUSTER_DIR" && "$CLUSTER_DIR" != "/" ]] || die "CLEARANCE_CLUSTER_DIR must name a directory"

HAPROXY_DIR="$CLUSTER_DIR/haproxy"
HAPROXY_CFG="$HAPROXY_DIR/haproxy.cfg"
HAPROXY_PID="$HAPROXY_DIR/haproxy.pid"
HAPROXY_LOG="$HAPROXY_DIR/haproxy.log"
IDP_DIR="$CLUSTER_DIR/idp"
IDP_PID="$IDP_DIR/idp.pid"
IDP_LOG="$IDP_DIR/idp.log"
REPL_PW_FILE="$CLUSTER_DIR/replication.pw"

replica_port() { echo $((LB_PORT + $1)); }
fga_http_port() { echo $((LB_PORT + 9 + 2 * $1)); }
fga_grpc_port() { echo $((LB_PORT + 10 + 2 * $1)); }
replica_dir() { echo "$CLUSTER_DIR/replica-$1"; }
all_parts() {
  local i parts=(primary standby openfga-1 openfga-2 idp haproxy)
  for ((i = 1; i <= REPLICAS; i++)); do parts+=("replica-$i"); done
  printf '%s\n' "${parts[@]}"
}

# Selects the primary or the standby for the pg_* functions of servers.sh.
use_primary() { PG_PORT="$PRIMARY_PORT"; pg_use_base "$CLUSTER_DIR/pg-primary"; }
use_standby() { PG_PORT="$STANDBY_PORT"; pg_use_base "$CLUSTER_DIR/pg-standby"; }
use_fga() { # use_fga N
  fga_use_dir "$CLUSTER_DIR/openfga-$1"
  FGA_HTTP_PORT="$(fga_http_port "$1")"
  FGA_GRPC_PORT="$(fga_grpc_port "$1")"
  PG_PORT="$PRIMARY_PORT"
}

http_ok() { curl -sf -o /dev/null --max-time "${2:-2}" "$1"; }

# wait_until SECONDS COMMAND...: polls COMMAND every 0.25 s; fails when it has not succeeded
# within SECONDS.
wait_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.25
  done
}

as_root() {
  if [[ $IS_ROOT -eq 1 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    return 1
  fi
}

# ---------------------------------------------------------------- install

install_haproxy() {
  command -v haproxy >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 \
    || die "haproxy is missing and there is no apt-get here: install HAProxy 2.2 or newer"
  log "haproxy: installing Debian's haproxy package"
  export DEBIAN_FRONTEND=noninteractive
  # The package lists may be stale or absent on a fresh machine; refresh them only when needed.
  if ! as_root apt-get install -y --no-install-recommends haproxy >&2; then
    as_root apt-get update >&2 || die "cannot run apt-get as root; install haproxy by hand"
    as_root apt-get install -y --no-install-recommends haproxy >&2 || die "apt-get install haproxy failed"
  fi
  command -v haproxy >/dev/null 2>&1 || die "haproxy installed, but not on PATH"
}

jar_stale() {
  [[ -f "$JAR" ]] || return 0
  [[ -n "${CLEARANCE_CLUSTER_JAR:-}" ]] && return 1  # a given jar is used as it is
  [[ -n "$(find "$REPO_DIR/src/main" "$REPO_DIR/pom.xml" "$REPO_DIR/fga" -newer "$JAR" -type f -print -quit)" ]]
}

# Builds the jar when it is missing, or (unless only some parts start: a replica restarted in a
# failure test must not wait for a build) when it is older than the sources.
build_jar() {
  if [[ -f "$JAR" && "${1:-}" == "only-if-missing" ]]; then
    if jar_stale; then log "service: $JAR is older than the sources; 'scripts/cluster.sh install' rebuilds it"; fi
    return 0
  fi
  jar_stale || return 0
  [[ -z "${CLEARANCE_CLUSTER_JAR:-}" ]] || die "CLEARANCE_CLUSTER_JAR=$JAR does not exist"
  log "service: building the jar with Maven (first build downloads dependencies)"
  (cd "$REPO_DIR" && mvn -B -q -ntp -DskipTests -Dspotless.check.skip=true package) >&2 \
    || die "the build failed"
}

cluster_install() { # [only-if-missing]
  cmd_install
  install_haproxy
  # shellcheck source=scripts/jdk.sh
  source "$REPO_DIR/scripts/jdk.sh"
  build_jar "${1:-}"
}

# ---------------------------------------------------------------- postgres

repl_password() {
  if [[ ! -s "$REPL_PW_FILE" ]]; then
    (umask 077; head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$REPL_PW_FILE")
  fi
  cat "$REPL_PW_FILE"
}

primary_start() {
  use_primary
  # wal_level, hot_standby and max_wal_senders are PostgreSQL's defaults; set here so that the
  # cluster does not depend on them. The slot keeps WAL for the standby, at most 1 GB of it.
  PG_EXTRA_OPTS="-c wal_level=replica -c max_wal_senders=5 -c max_replication_slots=5"
  PG_EXTRA_OPTS+=" -c max_slot_wal_keep_size=1GB -c hot_standby=on -c max_connections=$PG_CONNECTIONS"
  PG_EXTRA_OPTS+=" -c cluster_name=clearance-primary"
  pg_launch
  pg_provision
  # The role the standby streams with: replication only, password over TCP (SCRAM).
  pg_admin -d postgres -v r="$REPL_ROLE" -v p="$(repl_password)" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I WITH REPLICATION LOGIN', :'r')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'r') \gexec
SELECT format('ALTER ROLE %I WITH REPLICATION LOGIN PASSWORD %L', :'r', :'p') \gexec
SQL
  log "primary: PostgreSQL on $HOST:$PRIMARY_PORT ($PG_DATA)"
}

standby_basebackup() {
  use_standby
  [[ -f "$PG_DATA/PG_VERSION" ]] && return 0
  local pw passfile
  pw="$(repl_password)"
  ensure_pg_os_user
  mkdir -p "$PG_BASE"
  if [[ $IS_ROOT -eq 1 ]]; then chown "$PG_OS_USER:" "$PG_BASE"; fi
  chmod 700 "$PG_BASE"
  passfile="$PG_BASE/replication.pgpass"
  # shellcheck disable=SC2016  # expanded by the inner shell
  as_pg sh -c 'umask 077; printf "%s:%s:replication:%s:%s\n" "$1" "$2" "$3" "$4" >"$5"' \
    sh "$HOST" "$PRIMARY_PORT" "$REPL_ROLE" "$pw" "$passfile"
  # A slot left by an earlier standby (its data dir deleted) would make -C fail.
  use_primary
  pg_admin -d postgres -v s="$REPL_SLOT" >/dev/null <<'SQL'
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = :'s' AND NOT active;
SQL
  use_standby
  log "standby: pg_basebackup from $HOST:$PRIMARY_PORT into $PG_DATA (slot $REPL_SLOT)"
  as_pg rm -rf "$PG_DATA.init"
  if ! as_pg "$PG_BIN/pg_basebackup" \
      -d "host=$HOST port=$PRIMARY_PORT user=$REPL_ROLE passfile=$passfile application_name=standby-1" \
      -D "$PG_DATA.init" -R -X stream -C -S "$REPL_SLOT" -c fast --no-password \
      >"$PG_BASE/basebackup.log" 2>&1; then
    tail -n 20 "$PG_BASE/basebackup.log" >&2 || true
    die "pg_basebackup failed (log: $PG_BASE/basebackup.log)"
  fi
  as_pg mv "$PG_DATA.init" "$PG_DATA"
}

standby_streaming() {
  use_standby
  [[ "$(pg_admin -d postgres -c "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null)" == "streaming" ]]
}

standby_start() {
  [[ -x "$PG_BIN/pg_basebackup" ]] || die "no pg_basebackup in $PG_BIN"
  standby_basebackup
  use_standby
  PG_EXTRA_OPTS="-c hot_standby=on -c max_connections=$PG_CONNECTIONS -c cluster_name=clearance-standby"
  PG_EXTRA_OPTS+=" -c hot_standby_feedback=on"
  pg_launch
  [[ "$(pg_admin -d postgres -c 'SELECT pg_is_in_recovery()')" == "t" ]] \
    || die "the server on $HOST:$STANDBY_PORT is not in recovery: $PG_DATA is not a standby (scripts/cluster.sh clean starts afresh)"
  wait_until "$START_TIMEOUT" standby_streaming \
    || die "the standby does not stream from the primary after ${START_TIMEOUT}s (log: $PG_LOG)"
  log "standby: hot standby on $HOST:$STANDBY_PORT, streaming from $HOST:$PRIMARY_PORT"
}

# ---------------------------------------------------------------- openfga

fga_part_start() { # N
  use_fga "$1"
  FGA_MIGRATE=0  # cluster_start migrates once, before the first instance starts
  fga_start
}

# ---------------------------------------------------------------- identity provider

idp_pid() { live_pid "$IDP_PID" cluster-idp.py; }

idp_start() {
  if idp_pid >/dev/null; then
    log "idp: already running on http://$HOST:$IDP_PORT"
    return 0
  fi
  ! port_busy "$IDP_PORT" || die "port $HOST:$IDP_PORT is already in use (set CLEARANCE_CLUSTER_PORT)"
  mkdir -p "$IDP_DIR"
  chmod 700 "$IDP_DIR"
  spawn "$IDP_PID" "$IDP_LOG" python3 "$REPO_DIR/scripts/cluster-idp.py" --port "$IDP_PORT" \
    --key "$IDP_DIR/key.json" --issuer "$ISSUER" --audience "$AUDIENCE"
  wait_until 30 http_ok "http://$HOST:$IDP_PORT/health" || {
    tail -n 20 "$IDP_LOG" >&2
    die "the identity provider did not answer on $HOST:$IDP_PORT (log: $IDP_LOG)"
  }
  log "idp: http://$HOST:$IDP_PORT (JWKS /jwks.json, POST /token)"
}

# ---------------------------------------------------------------- haproxy

haproxy_pid() { live_pid "$HAPROXY_PID" haproxy; }

# HAProxy's own failures (no replica up, a replica dying mid-answer, a timeout) in the service's
# error format: 503 problem+json with Retry-After. The status is 503 for all three: to a client
# each means "no replica could answer; retry".
haproxy_error_file() { # CODE
  local detail
  case "$1" in
    502) detail="A replica of the service failed while answering, and no other could take the request." ;;
    503) detail="No replica of the service is ready to answer." ;;
    504) detail="No replica of the service answered in time." ;;
  esac
  detail+=" Retry after 1 s; sending a PUT, DELETE or relationship change again is safe."
  local body
  body="$(printf '{"type":"https://clearance.dev/problems/service-unavailable","title":"Service unavailable","status":503,"detail":"%s"}' "$detail")"
  printf 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\nCache-Control: no-store\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "${#body}" "$body" >"$HAPROXY_DIR/$1.http"
}

haproxy_config() {
  local i code
  mkdir -p "$HAPROXY_DIR"
  for code in 502 503 504; do haproxy_error_file "$code"; done
  {
    cat <<EOF
# Written by scripts/cluster.sh; changes are lost at the next start.
global
    maxconn 4096
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    option dontlognull
    timeout connect 1s
    timeout client 65s
    timeout server 65s
    timeout http-request 10s
    timeout http-keep-alive 10s
    timeout check 2s
    # A request that could not reach a server, or got no answer from it (a replica killed with the
    # request in flight), is sent to another server: every route of the service may be repeated
    # (searches read; PUT, DELETE and relationship changes are idempotent).
    retries 2
    option redispatch 1
    retry-on conn-failure empty-response junk-response
    default-server inter 1s fastinter 250ms downinter 1s rise 2 fall 2

http-errors service-problems
    errorfile 502 $HAPROXY_DIR/502.http
    errorfile 503 $HAPROXY_DIR/503.http
    errorfile 504 $HAPROXY_DIR/504.http

frontend clearance
    bind $HOST:$LB_PORT
    option forwardfor
    errorfiles service-problems
    # The local identity provider's demo-compatible token endpoint (see the header of cluster.sh).
    use_backend idp if { path /demo/token /demo/jwks.json }
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk
    http-check send meth GET uri /health/readiness
    http-check expect status 200
    errorfiles service-problems
    # Which replica answered (the failure tests count them).
    http-response set-header X-Clearance-Replica %[srv_name]
    # Every 503 leaving the cluster says when to retry. The service's own 503s all do; should one
    # come without, the load balancer adds one and says so in X-Clearance-Retry-After-By, which the
    # cluster test counts as a failure.
    http-response set-header X-Clearance-Retry-After-By load-balancer if { status 503 } !{ res.hdr(Retry-After) -m found }
    http-response set-header Retry-After 2 if { res.hdr(X-Clearance-Retry-After-By) -m str load-balancer }
EOF
    for ((i = 1; i <= REPLICAS; i++)); do
      echo "    server replica-$i $HOST:$(replica_port "$i") check"
    done
    cat <<EOF

backend idp
    option httpchk
    http-check send meth GET uri /health
    server idp $HOST:$IDP_PORT check

frontend openfga
    bind $HOST:$FGA_LB_PORT
    default_backend openfga

backend openfga
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz
    http-check expect string SERVING
    server openfga-1 $HOST:$(fga_http_port 1) check
    server openfga-2 $HOST:$(fga_http_port 2) check

listen stats
    bind $HOST:$STATS_PORT
    stats enable
    stats uri /
    stats refresh 2s
EOF
  } >"$HAPROXY_CFG"
}

# HAProxy's view of its servers: lines "backend server status" from the stats page's CSV.
haproxy_servers() {
  curl -sf --max-time 2 "http://$HOST:$STATS_PORT/;csv" 2>/dev/null \
    | awk -F, '$1 !~ /^#/ && $2 != "FRONTEND" && $2 != "BACKEND" && NF > 18 { print $1, $2, $18 }'
}

haproxy_server_up() { # BACKEND SERVER
  haproxy_servers | grep -qx "$1 $2 UP"
}

haproxy_start() {
  if haproxy_pid >/dev/null; then
    log "haproxy: already running (service on $HOST:$LB_PORT, OpenFGA on $HOST:$FGA_LB_PORT)"
    return 0
  fi
  local p
  for p in "$LB_PORT" "$FGA_LB_PORT" "$STATS_PORT"; do
    ! port_busy "$p" || die "port $HOST:$p is already in use (set CLEARANCE_CLUSTER_PORT)"
  done
  haproxy_config
  haproxy -c -q -f "$HAPROXY_CFG" >&2 || die "haproxy refuses $HAPROXY_CFG"
  printf '\n==== %s start\n' "$(date -u +%FT%TZ)" >>"$HAPROXY_LOG"
  spawn "$HAPROXY_PID" "$HAPROXY_LOG" haproxy -db -f "$HAPROXY_CFG"
  wait_until 30 http_ok "http://$HOST:$STATS_PORT/;csv" || {
    tail -n 20 "$HAPROXY_LOG" >&2
    die "haproxy did not start (log: $HAPROXY_LOG)"
  }
  log "haproxy: service load balancer http://$HOST:$LB_PORT, OpenFGA load balancer http://$HOST:$FGA_LB_PORT, stats http://$HOST:$STATS_PORT/"
}

# ---------------------------------------------------------------- replicas

replica_pid() { live_pid "$(replica_dir "$1")/service.pid" "$CLUSTER_DIR/jars/"; }

# Replicas run a copy of the jar, named by its size and time: a rebuild (mvn package rewrites the
# jar in place) never changes the file under a running replica, and a replica started afterwards
# runs the new build (a rolling upgrade, one replica at a time).
replica_jar() {
  local copy
  copy="$CLUSTER_DIR/jars/clearance-$(stat -c '%s-%Y' "$JAR").jar"
  if [[ ! -f "$copy" ]]; then
    mkdir -p "$CLUSTER_DIR/jars"
    cp "$JAR" "$copy.tmp.$$" && mv -f "$copy.tmp.$$" "$copy"
  fi
  printf '%s' "$copy"
}

# Deletes the copies no running replica uses.
prune_jars() {
  local jar n used pid
  for jar in "$CLUSTER_DIR"/jars/clearance-*.jar; do
    [[ -f "$jar" ]] || continue
    used=0
    for ((n = 1; n <= 9; n++)); do
      if pid="$(live_pid "$(replica_dir "$n")/service.pid" "$jar")"; then used=1; fi
    done
    if [[ $used -eq 0 ]]; then rm -f "$jar"; fi
  done
}

replica_fga_url() { # N
  if [[ "$FGA_ROUTE" == "direct" ]]; then
    echo "http://$HOST:$(fga_http_port $((($1 - 1) % 2 + 1)))"
  else
    echo "http://$HOST:$FGA_LB_PORT"
  fi
}

# Launches replica N without waiting for it.
# The standby's JDBC URL for the replicas' candidate reads (ADR 0013), or empty (every read on the
# primary) when CLEARANCE_CLUSTER_STANDBY_READS=off.
replica_standby_url() {
  if [[ "${CLEARANCE_CLUSTER_STANDBY_READS:-on}" == "off" ]]; then
    echo ""
  else
    echo "jdbc:postgresql://$HOST:$STANDBY_PORT/$PG_DB"
  fi
}

replica_launch() {
  local n="$1" dir port
  dir="$(replica_dir "$n")"
  port="$(replica_port "$n")"
  if replica_pid "$n" >/dev/null; then
    log "replica-$n: already running on $HOST:$port"
    return 0
  fi
  [[ -f "$JAR" ]] || die "no service jar at $JAR (scripts/cluster.sh start builds it)"
  ! port_busy "$port" || die "port $HOST:$port is already in use (set CLEARANCE_CLUSTER_PORT)"
  mkdir -p "$dir"
  # The settings that differ from the defaults, for status and for whoever reads the log.
  printf '\n==== %s start: fga %s%s\n' "$(date -u +%FT%TZ)" "$(replica_fga_url "$n")" \
    "$( (env | grep -E '^(CLEARANCE_(RATE|SEARCH|AUTHZ|ACCESS)_|DB_POOL_SIZE=)' || true) | sort | sed 's/^/, /' | tr -d '\n')" \
    >>"$dir/service.log"
  # shellcheck disable=SC2086  # JAVA_OPTS is a list of options
  spawn "$dir/service.pid" "$dir/service.log" \
    MICRONAUT_SERVER_PORT="$port" \
    DB_URL="jdbc:postgresql://$HOST:$PRIMARY_PORT/$PG_DB" DB_USER="$PG_USER" DB_PASSWORD="$PG_PASSWORD" \
    CLEARANCE_STANDBY_DB_URL="$(replica_standby_url)" \
    FGA_API_URL="$(replica_fga_url "$n")" \
    AUTH_JWKS_URL="http://$HOST:$IDP_PORT/jwks.json" AUTH_ISSUER="$ISSUER" AUTH_AUDIENCE="$AUDIENCE" \
    "$JAVA_HOME/bin/java" $JAVA_OPTS -jar "$(replica_jar)"
  log "replica-$n: starting (pid $(cat "$dir/service.pid"), log $dir/service.log)"
}

replica_ready() { http_ok "http://$HOST:$(replica_port "$1")/health/readiness"; }

# Waits until replica N is ready and, when HAProxy runs, until HAProxy sends it requests again.
replica_wait() {
  local n="$1" dir pid deadline=$((SECONDS + REPLICA_TIMEOUT))
  dir="$(replica_dir "$n")"
  until replica_ready "$n"; do
    if ! pid="$(replica_pid "$n")"; then
      tail -n 30 "$dir/service.log" >&2 || true
      die "replica-$n exited during startup (log: $dir/service.log)"
    fi
    ((SECONDS < deadline)) || {
      tail -n 30 "$dir/service.log" >&2 || true
      die "replica-$n not ready on $HOST:$(replica_port "$n") after ${REPLICA_TIMEOUT}s (log: $dir/service.log)"
    }
    sleep 0.5
  done
  if haproxy_pid >/dev/null; then
    wait_until 30 haproxy_server_up replicas "replica-$n" \
      || die "replica-$n is ready, but HAProxy does not mark it UP (stats http://$HOST:$STATS_PORT/)"
  fi
  log "replica-$n: ready on http://$HOST:$(replica_port "$n") (pid $(replica_pid "$n"))"
}

# ---------------------------------------------------------------- parts

check_part() {
  local p
  for p in $(all_parts); do [[ "$1" == "$p" ]] && return 0; done
  die "unknown part '$1' (parts: $(all_parts | tr '\n' ' '))"
}

# The named parts in start order (all of them when none is named).
ordered_parts() {
  local p q
  if [[ $# -eq 0 ]]; then all_parts; return; fi
  for q in "$@"; do check_part "$q"; done
  for p in $(all_parts); do
    for q in "$@"; do
      if [[ "$p" == "$q" ]]; then echo "$p"; break; fi
    done
  done
}

cluster_start() {
  local t0 part n
  t0="$(now)"
  local -a parts replicas=()
  mapfile -t parts < <(ordered_parts "$@")
  mkdir -p "$CLUSTER_DIR"
  if [[ $# -eq 0 ]]; then
    timed "install" cluster_install
  else
    # Only what the named parts need: the database parts alone (as the standby test starts them)
    # neither build the jar nor install HAProxy.
    cmd_install
    if [[ " ${parts[*]} " == *" haproxy "* ]]; then install_haproxy; fi
    if [[ " ${parts[*]} " == *" replica-"* ]]; then
      # shellcheck source=scripts/jdk.sh
      source "$REPO_DIR/scripts/jdk.sh"
      build_jar only-if-missing
    fi
  fi
  resolve_pg_bin
  for part in "${parts[@]}"; do
    case "$part" in
      primary)   timed "start primary" primary_start ;;
      standby)   timed "start standby" standby_start ;;
      openfga-1|openfga-2)
        if [[ "$part" == "openfga-1" || ! " ${parts[*]} " =~ " openfga-1 " ]]; then
          use_primary
          pg_running || die "the primary is not running: start it first (scripts/cluster.sh start primary)"
          timed "openfga migrate" fga_migrate "$CLUSTER_DIR/openfga-migrate.log"
        fi
        timed "start $part" fga_part_start "${part#openfga-}" ;;
      idp)       timed "start idp" idp_start ;;
      haproxy)   timed "start haproxy" haproxy_start ;;
      replica-*) n="${part#replica-}"; replica_launch "$n"; replicas+=("$n") ;;
    esac
  done
  # Replicas start together (the store is resolved under a lock in PostgreSQL) and are awaited here.
  for n in "${replicas[@]}"; do timed "start replica-$n" replica_wait "$n"; done
  print_cluster_env >"$CLUSTER_DIR/cluster.env"
  log "started in $(elapsed "$t0"); environment: eval \"\$(scripts/cluster.sh env)\" (or $CLUSTER_DIR/cluster.env)"
}

stop_part() {
  local part="$1" pid
  case "$part" in
    primary) use_primary; pg_halt ;;
    standby) use_standby; pg_halt ;;
    openfga-*) use_fga "${part#openfga-}"; fga_stop ;;
    idp)
      if pid="$(idp_pid)"; then terminate "$pid" idp 10; log "idp: stopped"; else log "idp: not running"; fi
      rm -f "$IDP_PID" ;;
    haproxy)
      if pid="$(haproxy_pid)"; then terminate "$pid" haproxy 10; log "haproxy: stopped"; else log "haproxy: not running"; fi
      rm -f "$HAPROXY_PID" ;;
    replica-*)
      local n="${part#replica-}"
      if pid="$(replica_pid "$n")"; then
        terminate "$pid" "$part" 30
        log "$part: stopped"
      else
        log "$part: not running"
      fi
      rm -f "$(replica_dir "$n")/service.pid" ;;
  esac
}

cluster_stop() {
  local -a parts
  local i
  mapfile -t parts < <(ordered_parts "$@")
  resolve_pg_bin 2>/dev/null || true
  for ((i = ${#parts[@]} - 1; i >= 0; i--)); do stop_part "${parts[i]}"; done
  prune_jars
}

cluster_kill() {
  [[ $# -gt 0 ]] || die "kill needs a part: replica-N or openfga-N"
  local part pid
  for part in "$@"; do
    check_part "$part"
    case "$part" in
      replica-*) pid="$(replica_pid "${part#replica-}")" || { log "$part: not running"; continue; } ;;
      openfga-*) use_fga "${part#openfga-}"; pid="$(fga_pid)" || { log "$part: not running"; continue; } ;;
      *) die "kill takes replica-N or openfga-N, not $part (use stop)" ;;
    esac
    kill -KILL "$pid"
    while pid_running "$pid"; do sleep 0.02; done
    log "$part: killed (pid $pid)"
  done
}

# ---------------------------------------------------------------- status and env

pg_status_line() { # NAME
  local name="$1" pid role
  if ! pg_running; then
    printf '%-10s down    %-7s %s:%s  (%s)\n' "$name" "-" "$HOST" "$PG_PORT" "$PG_DATA"
    return 1
  fi
  pid="$(head -n1 "$PG_DATA/postmaster.pid")"
  role="primary"
  if [[ "$(pg_admin -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" == "t" ]]; then role="hot standby"; fi
  printf '%-10s up      %-7s %s:%s  %s, %s\n' "$name" "$pid" "$HOST" "$(pg_running_port)" \
    "$role" "$("$PG_BIN/postgres" --version | awk '{print $NF}')"
}

replication_lines() {
  use_primary
  if pg_running; then
    pg_admin -d postgres -F ' ' -c "SELECT 'replication (primary): ' || application_name || ' ' || state
        || ', replay lag ' || pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) || ' bytes'
        || ', ' || COALESCE(round(extract(epoch FROM replay_lag)::numeric, 3) || ' s', '0 s (idle)')
        FROM pg_stat_replication" 2>/dev/null | sed 's/^/  /'
  fi
  use_standby
  if pg_running; then
    pg_admin -d postgres -c "SELECT 'replication (standby): receiver ' || COALESCE((SELECT status FROM pg_stat_wal_receiver), 'stopped')
        || ', received ' || COALESCE(pg_last_wal_receive_lsn()::text, '-')
        || ', replayed ' || COALESCE(pg_last_wal_replay_lsn()::text, '-')
        || ' (' || COALESCE(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0) || ' bytes behind)'
        || ', last replayed commit ' || COALESCE(round(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::numeric, 1) || ' s ago', 'none')" \
      2>/dev/null | sed 's/^/  /'
  fi
}

part_status() { # PART: prints one line; returns 1 when the part is not up
  local part="$1" pid n
  case "$part" in
    primary) use_primary; pg_status_line primary ;;
    standby) use_standby; pg_status_line standby ;;
    openfga-*)
      use_fga "${part#openfga-}"
      if pid="$(fga_pid)" && fga_healthy; then
        printf '%-10s up      %-7s %s:%s  grpc %s, SERVING\n' "$part" "$pid" "$HOST" "$FGA_HTTP_PORT" "$FGA_GRPC_PORT"
      else
        printf '%-10s down    %-7s %s:%s\n' "$part" "${pid:--}" "$HOST" "$FGA_HTTP_PORT"; return 1
      fi ;;
    idp)
      if pid="$(idp_pid)" && http_ok "http://$HOST:$IDP_PORT/health"; then
        printf '%-10s up      %-7s %s:%s  JWKS /jwks.json, POST /token\n' "$part" "$pid" "$HOST" "$IDP_PORT"
      else
        printf '%-10s down    %-7s %s:%s\n' "$part" "${pid:--}" "$HOST" "$IDP_PORT"; return 1
      fi ;;
    haproxy)
      if pid="$(haproxy_pid)"; then
        local servers up
        servers="$(haproxy_servers)"
        up="$(awk '$3 == "UP" { printf "%s%s", sep, $2; sep = " " }' <<<"$servers")"
        printf '%-10s up      %-7s %s:%s  OpenFGA LB :%s, stats :%s; UP: %s\n' "$part" "$pid" "$HOST" "$LB_PORT" \
          "$FGA_LB_PORT" "$STATS_PORT" "${up:-none}"
      else
        printf '%-10s down    %-7s %s:%s\n' "$part" "-" "$HOST" "$LB_PORT"; return 1
      fi ;;
    replica-*)
      n="${part#replica-}"
      if pid="$(replica_pid "$n")" && replica_ready "$n"; then
        printf '%-10s up      %-7s %s:%s  ready, OpenFGA %s\n' "$part" "$pid" "$HOST" "$(replica_port "$n")" "$(replica_fga_url "$n")"
      elif [[ -n "${pid:-}" ]]; then
        printf '%-10s down    %-7s %s:%s  running, not ready\n' "$part" "$pid" "$HOST" "$(replica_port "$n")"; return 1
      else
        printf '%-10s down    %-7s %s:%s\n' "$part" "-" "$HOST" "$(replica_port "$n")"; return 1
      fi ;;
  esac
}

cluster_status() {
  local -a parts
  local part ok=0
  mapfile -t parts < <(ordered_parts "$@")
  resolve_pg_bin 2>/dev/null || die "PostgreSQL is not installed (scripts/cluster.sh start installs it)"
  printf '%-10s %-7s %-7s %s\n' part state pid address
  for part in "${parts[@]}"; do part_status "$part" || ok=3; done
  if [[ " ${parts[*]} " =~ " standby " || " ${parts[*]} " =~ " primary " ]]; then replication_lines; fi
  return "$ok"
}

print_cluster_env() {
  local i urls=""
  for ((i = 1; i <= REPLICAS; i++)); do urls+="${urls:+ }http://$HOST:$(replica_port "$i")"; done
  local -a vars=(
    CLEARANCE_CLUSTER_URL="http://$HOST:$LB_PORT"
    CLEARANCE_CLUSTER_REPLICA_URLS="$urls"
    CLEARANCE_CLUSTER_TOKEN_URL="http://$HOST:$IDP_PORT/token"
    CLEARANCE_CLUSTER_PRIMARY_JDBC_URL="jdbc:postgresql://$HOST:$PRIMARY_PORT/$PG_DB"
    CLEARANCE_CLUSTER_STANDBY_JDBC_URL="jdbc:postgresql://$HOST:$STANDBY_PORT/$PG_DB"
    CLEARANCE_CLUSTER_FGA_URLS="http://$HOST:$(fga_http_port 1) http://$HOST:$(fga_http_port 2)"
    CLEARANCE_CLUSTER_STATS_URL="http://$HOST:$STATS_PORT/"
    # What a further replica (or a test) needs to join: the primary, OpenFGA's load balancer and
    # the identity provider.
    DB_URL="jdbc:postgresql://$HOST:$PRIMARY_PORT/$PG_DB"
    DB_USER="$PG_USER"
    DB_PASSWORD="$PG_PASSWORD"
    FGA_API_URL="http://$HOST:$FGA_LB_PORT"
    AUTH_JWKS_URL="http://$HOST:$IDP_PORT/jwks.json"
    AUTH_ISSUER="$ISSUER"
    AUTH_AUDIENCE="$AUDIENCE"
  )
  # psql and friends, to read the primary or the standby (DB_USER/DB_PASSWORD over TCP).
  if [[ -n "$PG_BIN" ]]; then vars+=(CLEARANCE_PG_BIN="$PG_BIN"); fi
  print_exports "${vars[@]}"
}

cluster_token() {
  [[ $# -ge 1 && $# -le 3 ]] || die "usage: scripts/cluster.sh token USER[/AGENT] [TENANT [SCOPES]]"
  local user="${1%%/*}" agent="" body
  [[ "$1" == */* ]] && agent="${1#*/}"
  body="$(python3 -c 'import json, sys
u, a, t, s = sys.argv[1:5]
print(json.dumps({"user": u, "agent": a or None, "tenant": t or None, "scopes": s.split()}))' \
    "$user" "$agent" "${2:-}" "${3:-}")"
  curl -sf --max-time 10 -X POST "http://$HOST:$IDP_PORT/token" -H 'Content-Type: application/json' -d "$body" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["accessToken"])' \
    || die "no token from the identity provider on $HOST:$IDP_PORT (is the cluster running?)"
}

# Pauses or resumes the standby's WAL replay (superuser functions; for tests of a lagging standby).
cluster_replay() {
  [[ $# -eq 1 && ( "$1" == pause || "$1" == resume ) ]] || usage
  resolve_pg_bin
  use_standby
  pg_running || die "the standby is not running"
  pg_admin -d postgres -c "SELECT pg_wal_replay_$1()" >/dev/null
  log "standby: replay ${1}d (paused now: $(pg_admin -d postgres -c 'SELECT pg_is_wal_replay_paused()'))"
}

cluster_clean() {
  cluster_stop
  if [[ -d "$CLUSTER_DIR" ]]; then
    rm -rf -- "$CLUSTER_DIR"
    log "deleted $CLUSTER_DIR"
  fi
}

usage() {
  echo "usage: $0 start|stop|status [PART...] | kill PART... | env | token USER [TENANT [SCOPES]] | replay pause|resume | clean | install" >&2
  echo "parts: $(all_parts | tr '\n' ' ')" >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
command="$1"; shift
case "$command" in
  start)  cluster_start "$@" ;;
  stop)   cluster_stop "$@" ;;
  kill)   cluster_kill "$@" ;;
  status) cluster_status "$@" ;;
  env)    [[ $# -eq 0 ]] || usage; resolve_pg_bin 2>/dev/null || PG_BIN=""; print_cluster_env ;;
  token)  cluster_token "$@" ;;
  replay) cluster_replay "$@" ;;
  clean)  [[ $# -eq 0 ]] || usage; cluster_clean ;;
  install) [[ $# -eq 0 ]] || usage; cluster_install ;;
  -h|--help|help) sed -n '2,/^REPO_DIR=/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' ;;
  *) usage ;;
esac
