#!/usr/bin/env bash
# A throwaway PostgreSQL server for the PostgreSQL cache tests (tests/DeepResearcher.Web.Tests/Caching).
#
#   scripts/postgres-test-server.sh start   # prints a connection string on stdout (everything else goes to stderr)
#   scripts/postgres-test-server.sh stop    # stops the server and deletes its data
#   scripts/postgres-test-server.sh status
#
# Typical use:
#   export DEEPRESEARCHER_TEST_POSTGRES="$(scripts/postgres-test-server.sh start)"
#   trap 'scripts/postgres-test-server.sh stop' EXIT
#
# It installs Debian's postgresql package with apt if no initdb is found (needs root), initialises a cluster in a temporary
# directory (as the 'postgres' user when run as root, since initdb refuses to run as root), starts it on a free loopback port with
# durability switched off (it is thrown away), and creates the database deepresearcher_test. Starting again while it runs just
# prints the connection string. State lives in $DEEPRESEARCHER_PG_STATE (default /tmp/deepresearcher-pg-test).
set -euo pipefail

state="${DEEPRESEARCHER_PG_STATE:-/tmp/deepresearcher-pg-test}"
database=deepresearcher_test
superuser=postgres

log() { echo "postgres-test-server: $*" >&2; }
die() { log "error: $*"; exit 1; }

find_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$dir" && -x "$dir/initdb" ]]; then echo "$dir"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return; fi
  echo ""
}

install_postgres() {
  [[ $(id -u) -eq 0 ]] || die "PostgreSQL is not installed and this is not root; install it with: sudo apt-get install -y postgresql"
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is not available; install PostgreSQL 15+ by hand"
  log "installing postgresql with apt (another apt may hold the dpkg lock; waiting up to 10 minutes for it)"
  local attempt
  for attempt in $(seq 1 60); do
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=10 postgresql >&2; then return; fi
    if [[ $attempt -eq 1 ]]; then DEBIAN_FRONTEND=noninteractive apt-get update -o DPkg::Lock::Timeout=60 >&2 || true; fi
    sleep 10
  done
  die "apt-get install -y postgresql kept failing"
}

# Runs a PostgreSQL binary as the cluster's owner.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local port
  for port in $(seq 54329 54999); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  die "no free port between 54329 and 54999"
}

connection_string() { echo "Host=127.0.0.1;Port=$(cat "$state/port");Database=$database;Username=$superuser;Timeout=10"; }

running() {
  local bindir
  bindir=$(find_bindir)
  [[ -n "$bindir" && -f "$state/port" && -d "$state/data" ]] && as_owner "$bindir/pg_ctl" -D "$state/data" status >/dev/null 2>&1
}

start() {
  if running; then
    log "already running"
    connection_string
    return
  fi
  local bindir
  bindir=$(find_bindir)
  if [[ -z "$bindir" ]]; then
    install_postgres
    bindir=$(find_bindir)
    [[ -n "$bindir" ]] || die "postgresql was installed but initdb was not found under /usr/lib/postgresql/*/bin"
  fi
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    die "running as root but there is no 'postgres' user to own the cluster (the postgresql package creates it)"
  fi

  rm -rf "$state"
  mkdir -p "$state/data" "$state/socket"
  chmod 755 "$state"
  chmod 700 "$state/data"
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$state/data" "$state/socket"; fi

  log "initialising a cluster in $state/data with $bindir/initdb"
  as_owner "$bindir/initdb" -D "$state/data" -U "$superuser" --auth=trust -E UTF8 --no-locale --no-sync >"$state/initdb.log" 2>&1 \
    || { cat "$state/initdb.log" >&2; die "initdb failed"; }

  local port
  port=$(free_port)
  echo "$port" >"$state/port"
  touch "$state/server.log"
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$state/server.log"; fi
  log "starting on 127.0.0.1:$port"
  as_owner "$bindir/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $state/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >&2 || { cat "$state/server.log" >&2; die "pg_ctl start failed"; }

  as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$superuser" "$database" >&2 || die "createdb $database failed"
  connection_string
}

stop() {
  local bindir
  bindir=$(find_bindir)
  if [[ -n "$bindir" && -d "$state/data" ]]; then
    as_owner "$bindir/pg_ctl" -D "$state/data" -m fast -w stop >&2 || log "pg_ctl stop failed (was it running?)"
  fi
  rm -rf "$state"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then connection_string; else log "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
