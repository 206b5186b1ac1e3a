#!/usr/bin/env bash
# Times `cdpd seed` on a throwaway database and prints the seconds spent in
# each phase, taken from the timestamps of its JSON progress log.
#   tests/bench/seed_speed.sh CDPD_BINARY [CUSTOMERS] [ORDERS]
# Settings (environment): PG_HOST (127.0.0.1), PG_PORT (25432), PG_USER
# (postgres), BENCH_DB (cdpd_seed_bench_<pid>). The database is dropped on
# exit; the full log is kept in $BENCH_LOG (a temporary file by default).
set -euo pipefail

cdpd=${1:?usage: $0 CDPD_BINARY [CUSTOMERS] [ORDERS]}
customers=${2:-1000000}
orders=${3:-5000000}
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-25432}
PG_USER=${PG_USER:-postgres}
BENCH_DB=${BENCH_DB:-cdpd_seed_bench_$$}
BENCH_LOG=${BENCH_LOG:-$(mktemp /tmp/cdpd_seed_bench.XXXXXX.log)}

pg=(-h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER")
createdb "${pg[@]}" "$BENCH_DB"
trap 'dropdb "${pg[@]}" --if-exists --force "$BENCH_DB"' EXIT

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
"$cdpd" seed \
  --postgres.url="postgresql://$PG_USER@$PG_HOST:$PG_PORT/$BENCH_DB" \
  --customers "$customers" --orders "$orders" --force >"$BENCH_LOG" 2>&1
end=$(date +%s.%N)
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "log: $BENCH_LOG"

# Log lines are JSON: {"ts":"YYYY-MM-DDTHH:MM:SS.mmmZ",...,"msg":"seed
# <phase>: <done>/<total>"}. A phase runs from its first line to the first
# line of the next phase; the last phase ends at its last line.
awk '
  match($0, /"msg":"seed [a-z]+: [0-9]+\/[0-9]+"/) {
    msg = substr($0, RSTART + 12, RLENGTH - 13)
    match($0, /"ts":"[^"]*"/)
    split(substr($0, RSTART + 17, 12), t, ":")
    now = t[1] * 3600 + t[2] * 60 + t[3]
    phase = msg; sub(/:.*/, "", phase)
    if (phase != current) {
      if (current != "") printf "%-11s %8.1f s\n", current, now - began
      current = phase; began = now
    }
    last = now
  }
  END { if (current != "") printf "%-11s %8.1f s\n", current, last - began }
' "$BENCH_LOG"
awk -v s="$start" -v e="$end" 'BEGIN { printf "%-11s %8.1f s\n", "total", e - s }'
