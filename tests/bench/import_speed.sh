#!/usr/bin/env bash
# Streams a generated NDJSON customer file into cdpd with `cdpctl import`
# and prints lines per second, megabytes per second and cdpd's peak memory
# (VmHWM), which stays flat whatever the file's size because the body is
# streamed. Runs cdpd on a throwaway database of the PostgreSQL at
# PG_HOST:PG_PORT and on a free port; everything is removed on exit.
#   tests/bench/import_speed.sh BUILD_DIR [LINES]
# Settings (environment): PG_HOST (127.0.0.1), PG_PORT (25432), PG_USER
# (postgres), HTTP_PORT (18123), BENCH_DB (cdpd_import_bench_<pid>),
# CDPD_ARGS (more cdpd flags, e.g. --import.batch-lines=5000).
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR [LINES]}
lines=${2:-200000}
cdpd=$build/apps/cdpd/cdpd
cdpctl=$build/apps/cdpctl/cdpctl
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-25432}
PG_USER=${PG_USER:-postgres}
HTTP_PORT=${HTTP_PORT:-18123}
BENCH_DB=${BENCH_DB:-cdpd_import_bench_$$}
work=$(mktemp -d /tmp/cdpd_import_bench.XXXXXX)
pg=(-h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER")

cleanup() {
  [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null && wait "$daemon" || true
  dropdb "${pg[@]}" --if-exists --force "$BENCH_DB" || true
  rm -rf "$work"
}
trap cleanup EXIT

createdb "${pg[@]}" "$BENCH_DB"
awk -v n="$lines" 'BEGIN {
  for (i = 0; i < n; i++)
    printf "{\"external_id\":\"bench-%d\",\"email\":\"bench%d@example.com\",\"first_name\":\"First%d\",\"last_name\":\"Last\",\"phone\":\"+1-555-010-%04d\",\"shipping_state\":\"CA\",\"shipping_country\":\"US\",\"marketing_opt_in\":true}\n", i, i, i, i % 10000
}' >"$work/customers.ndjson"
bytes=$(stat -c %s "$work/customers.ndjson")

"$cdpd" --http.port="$HTTP_PORT" --log.level=warn \
  --postgres.url="postgresql://$PG_USER@$PG_HOST:$PG_PORT/$BENCH_DB" \
  ${CDPD_ARGS:-} >"$work/cdpd.log" 2>&1 &
daemon=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null && break
  sleep 0.2
done
rss_before=$(awk '/VmRSS/ {print $2}' "/proc/$daemon/status")

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in first again; do
  start=$(date +%s.%N)
  "$cdpctl" --url "http://127.0.0.1:$HTTP_PORT" import customers \
    "$work/customers.ndjson" >"$work/summary.json" 2>/dev/null || true
  end=$(date +%s.%N)
  summary=$(tr -d ' \n' <"$work/summary.json" |
    grep -o '"\(inserted\|updated\|unchanged\|failed\)":[0-9]*' | tr '\n' ' ')
  awk -v s="$start" -v e="$end" -v n="$lines" -v b="$bytes" -v r="$round" \
    -v sum="$summary" 'BEGIN {
      t = e - s
      printf "%-6s %d lines, %.1f MB in %.1f s: %.0f lines/s, %.1f MB/s (%s)\n",
        r, n, b / 1e6, t, n / t, b / 1e6 / t, sum }'
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cdpd memory: $rss_before kB before, peak $(awk '/VmHWM/ {print $2}' "/proc/$daemon/status") kB"
