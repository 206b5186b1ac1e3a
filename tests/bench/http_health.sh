#!/usr/bin/env bash
# Load on GET /health with wrk: prints requests/s and latency percentiles.
#   tests/bench/http_health.sh [path/to/cdpd]
# Environment: DURATION (10s), CONNECTIONS (64), THREADS (2), PORT (18080),
# IO_THREADS (2). Traffic goes to 127.0.0.1 only and stops after DURATION.
set -euo pipefail
cd "$(dirname "$0")/../.."

CDPD=${1:-build/release/apps/cdpd/cdpd}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
IO_THREADS=${IO_THREADS:-2}
[ -x "$CDPD" ] || { echo "no cdpd binary at $CDPD: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }

STATE=$(mktemp -d /tmp/cdpd-bench-XXXXXX)
chmod 755 "$STATE"
"$CDPD" --http.port="$PORT" --http.io-threads="$IO_THREADS" --state.dir="$STATE" \
  --log.level=warn >"$STATE/cdpd.log" 2>&1 &
PID=$!
cleanup() { kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; rm -rf "$STATE"; }
trap cleanup EXIT

for _ in $(seq 300); do
  curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null || { cat "$STATE/cdpd.log"; exit 1; }

echo "cdpd GET /health: wrk -t$THREADS -c$CONNECTIONS -d$DURATION (io-threads $IO_THREADS, $(nproc) cores shared with wrk)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT/health" \
  | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +75%/ { p75 = $2 } /^ +90%/ { p90 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx/ { errors = $NF }
    END {
      printf "requests/s: %s\nlatency p50: %s  p75: %s  p90: %s  p99: %s\n", rps, p50, p75, p90, p99
      if (errors != "") printf "non-2xx responses: %s\n", errors
    }'
