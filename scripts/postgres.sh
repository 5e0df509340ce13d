#!/usr/bin/env bash
# A throwaway PostgreSQL on loopback, from Debian's packages, for integration tests and
# benchmarks. No Docker. Installs the packages when they are missing.
#
#   scripts/postgres.sh start   # prints the connection URL on stdout
#   scripts/postgres.sh stop
#
# PGPORT (default 55432) and LEDGER_PG_DIR (default /tmp/ledger-postgres-$PGPORT) choose
# where it listens and lives. Runs the server as the postgres user when started as root.
set -euo pipefail
PGPORT="${PGPORT:-55432}"
DIR="${LEDGER_PG_DIR:-${TMPDIR:-/tmp}/ledger-postgres-$PGPORT}"

bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local bin
  bin="$(bin_dir)"
  if [ -z "$bin" ]; then
    echo "installing PostgreSQL from Debian's packages" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin="$(bin_dir)"
  fi
  if [ -f "$DIR/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    echo "postgres://ledger@127.0.0.1:$PGPORT/ledger"
    return
  fi
  rm -rf "$DIR" && mkdir -p "$DIR"
  [ "$(id -u)" = "0" ] && chown postgres "$DIR"
  as_owner "$bin/initdb" -D "$DIR/data" -A trust -U ledger -E UTF8 --no-instructions >"$DIR/initdb.log" 2>&1
  as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-p $PGPORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=50" start >&2
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$PGPORT" -U ledger ledger
  echo "postgres://ledger@127.0.0.1:$PGPORT/ledger"
}

stop() {
  local bin
  bin="$(bin_dir)"
  [ -n "$bin" ] && [ -d "$DIR/data" ] && as_owner "$bin/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
