# Sourced by the benchmarks that run cdpd on `cdpd seed` data. Reads
# PG_HOST (127.0.0.1), PG_PORT (25432) and PG_USER (postgres); sets `pg`
# (psql connection options), BENCH_DB, `url` and `work` (a folder removed
# at exit, with the database and the daemon whose pid is in `daemon`).
#   seed_bench_db NAME CDPD CUSTOMERS ORDERS
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-25432}
PG_USER=${PG_USER:-postgres}
pg=(-h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER")

cleanup_bench_db() {
  [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null && wait "$daemon" || true
  dropdb "${pg[@]}" --if-exists --force "$BENCH_DB" || true
  rm -rf "$work"
}

seed_bench_db() {
  BENCH_DB=cdpd_$1_bench_$$
  work=$(mktemp -d "/tmp/cdpd_$1_bench.XXXXXX")
  trap cleanup_bench_db EXIT
  createdb "${pg[@]}" "$BENCH_DB"
  url="postgresql://$PG_USER@$PG_HOST:$PG_PORT/$BENCH_DB"
  "$2" seed --postgres.url="$url" --customers "$3" --orders "$4" --force \
    >"$work/seed.log" 2>&1 || { cat "$work/seed.log"; exit 1; }
}
