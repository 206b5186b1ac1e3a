#!/usr/bin/env bash
# The Customers, Orders and Products pages (GET /api/users/?limit=20 and
# the same for orders and products) on `cdpd seed` data, through a running
# cdpd node with wrk at 1 and 64 connections, beside the statements an
# unfiltered page ran before its total was kept by triggers (the page plus
# count(*)), timed with pgbench on the same database in the same run.
#   tests/bench/list_pages.sh BUILD_DIR [CUSTOMERS] [ORDERS]
# Settings (environment): PG_HOST (127.0.0.1), PG_PORT (25432), PG_USER
# (postgres), HTTP_PORT (18128), SECONDS_EACH (10). Traffic goes to
# 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${1:?usage: $0 BUILD_DIR [CUSTOMERS] [ORDERS]}
customers=${2:-1000000}
orders=${3:-$((customers * 5))}
cdpd=$build/apps/cdpd/cdpd
HTTP_PORT=${HTTP_PORT:-18128}
SECONDS_EACH=${SECONDS_EACH:-10}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }
. tests/bench/seeded_db.sh
seed_bench_db list_pages "$cdpd" "$customers" "$orders"
psql "${pg[@]}" -d "$BENCH_DB" -qc "VACUUM ANALYZE"

"$cdpd" --http.port="$HTTP_PORT" --log.level=warn --state.dir="$work/state" \
  --postgres.url="$url" --auth.anonymous-role=viewer \
  --ratelimit.enabled=false >"$work/cdpd.log" 2>&1 &
daemon=$!
for _ in $(seq 600); do
  curl -fs "http://127.0.0.1:$HTTP_PORT/api/users/?limit=1" >/dev/null && break
  sleep 0.5
done

# wrk's latency percentiles and requests per second, one line.
load() {
  wrk -t"$1" -c"$2" -d"${SECONDS_EACH}s" --latency "$3" |
    awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Requests\/sec/ {rps=$2}
         /Non-2xx/ {bad=$NF} END {printf "p50 %s, p99 %s, %s req/s, non-2xx %s",
                                  p50, p99, rps, bad ? bad : 0}'
}

# pgbench's average latency of one page and the count it used to need.
before() {
  printf '%s\n' "$1" >"$work/before.sql"
  pgbench "${pg[@]}" -n -c 1 -T "$SECONDS_EACH" -f "$work/before.sql" \
    "$BENCH_DB" 2>/dev/null | awk '/latency average/ {print $4 " ms"}'
}

echo "customers: $customers, orders: $orders, $(nproc) cores"
for page in users orders products; do
  table=$page
  [ "$page" = users ] && table=customers
  target="http://127.0.0.1:$HTTP_PORT/api/$page/?limit=20"
  echo "GET /api/$page/?limit=20"
  echo "  cdpd, 1 connection:   $(load 1 1 "$target")"
  echo "  cdpd, 64 connections: $(load 2 64 "$target")"
  echo "  before (page + count(*), pgbench, 1 client): $(before \
    "SELECT * FROM $table ORDER BY created_at, id LIMIT 21; SELECT count(*) FROM $table;")"
done
