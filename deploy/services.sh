#!/usr/bin/env bash
# Local PostgreSQL 15 and Redis 7 for development and tests, on loopback ports
# below 32768, without systemd, as root or as a normal user.
#   deploy/services.sh start|stop|status
# Settings (environment): SVC_DIR (/tmp/cdpd-services), PG_PORT (25432),
# REDIS_PORT (26379). State lives in SVC_DIR; start and stop are idempotent.
set -euo pipefail

SVC_DIR=${SVC_DIR:-/tmp/cdpd-services}
PG_PORT=${PG_PORT:-25432}
REDIS_PORT=${REDIS_PORT:-26379}
PGDATA=$SVC_DIR/pg
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

# PostgreSQL refuses to run as root: run it as the postgres user, from /
# so runuser does not complain about an unreadable working directory.
as_pg() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
pg_running() {
  [ -f "$PGDATA/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
}
redis_running() {
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG
}

print_settings() {
  echo "CDPD_TEST_PG=\"host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres\""
  echo "CDPD_TEST_REDIS_PORT=$REDIS_PORT"
  echo "CDPD_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "CDPD_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
}

start() {
  [ -n "$PGBIN" ] || { echo "PostgreSQL binaries not found: apt-get install postgresql" >&2; exit 1; }
  mkdir -p "$SVC_DIR"
  chmod 755 "$SVC_DIR"
  if ! pg_running; then
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
      rm -rf "$PGDATA"
      mkdir -p "$PGDATA"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
      as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 \
        --locale=C.UTF-8 >"$SVC_DIR/initdb.log"
    fi
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PGDATA -c fsync=off -c max_connections=300" \
      start >/dev/null
  fi
  if ! redis_running; then
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
      --pidfile "$SVC_DIR/redis.pid" --logfile "$SVC_DIR/redis.log" \
      --dir "$SVC_DIR" --save '' --appendonly no
    for _ in $(seq 50); do redis_running && break; sleep 0.1; done
    redis_running || { echo "redis did not start: see $SVC_DIR/redis.log" >&2; exit 1; }
  fi
  print_settings
}

stop() {
  if pg_running; then as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null; fi
  if redis_running; then redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; fi
  echo "stopped"
}

status() {
  local rc=0
  if pg_running; then echo "postgres: running on 127.0.0.1:$PG_PORT"; else echo "postgres: stopped"; rc=3; fi
  if redis_running; then echo "redis: running on 127.0.0.1:$REDIS_PORT"; else echo "redis: stopped"; rc=3; fi
  return $rc
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
