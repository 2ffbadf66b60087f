#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks.
#
#   scripts/db.sh start   create (first time) and start the cluster, seed `world`, print DATABASE_URL
#   scripts/db.sh stop    stop it
#   scripts/db.sh seed    recreate the `world` table (10,000 rows, TechEmpower shape)
#   scripts/db.sh url     print DATABASE_URL
#   scripts/db.sh destroy stop and delete the cluster's folder
#
# The cluster lives in $NTNT_DB_DIR (default /tmp/ntnt-pg), listens on 127.0.0.1:$NTNT_DB_PORT
# (default 54329) and trusts local connections: it is for tests, never for data you keep.
# initdb refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail

DIR=${NTNT_DB_DIR:-/tmp/ntnt-pg}
PORT=${NTNT_DB_PORT:-54329}
DB=ntnt
URL="postgres://postgres@127.0.0.1:$PORT/$DB"

bindir() {
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  echo "PostgreSQL server binaries not found: apt-get install postgresql" >&2
  exit 1
}
BIN=$(bindir)

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

psql_cmd() { "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }

is_running() { "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; }

seed() {
  psql_cmd -d "$DB" <<'SQL'
DROP TABLE IF EXISTS world;
CREATE TABLE world (id integer PRIMARY KEY, randomnumber integer NOT NULL);
INSERT INTO world (id, randomnumber)
  SELECT i, 1 + floor(random() * 10000)::int FROM generate_series(1, 10000) AS i;
ANALYZE world;
SQL
}

start() {
  if ! [ -f "$DIR/data/PG_VERSION" ]; then
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
      || as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
  fi
  if ! is_running; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start \
      -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=128MB" >/dev/null \
      || { tail -20 "$DIR/server.log" >&2; exit 1; }
  fi
  if ! psql_cmd -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
    psql_cmd -d postgres -c "CREATE DATABASE $DB"
  fi
  if ! psql_cmd -d "$DB" -tAc "SELECT count(*) FROM world" 2>/dev/null | grep -qx 10000; then
    seed
  fi
  echo "DATABASE_URL=$URL"
}

stop() {
  if [ -f "$DIR/data/PG_VERSION" ] && is_running; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -w -m fast stop >/dev/null
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  seed) seed ;;
  url) echo "DATABASE_URL=$URL" ;;
  destroy) stop; rm -rf "$DIR" ;;
  *) echo "usage: $0 start|stop|seed|url|destroy" >&2; exit 64 ;;
esac
