#!/usr/bin/env bash
# What the access guard adds to a request, measured on one route (GET /, the
# JSON banner, public and rate limited by caller) of one cdpd build:
#   1. no credentials, limits off   (the baseline: route + server)
#   2. a bearer token, limits off   (+ token verification)
#   3. a bearer token, limits on    (+ a limiter actor round trip)
# with wrk over one connection (latency without queueing) and over 16
# (throughput). Prints p50/p99 of each and the differences at p50.
#   tests/bench/edge_overhead.sh [path/to/cdpd]
# Environment: DURATION (5s), PORT (18081), CDPD_ARGS (more cdpd flags, e.g.
# --scheduler.moderate-poll-attempts=500 for CAF's own idle polling).
# Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."

CDPD=${1:-build/release/apps/cdpd/cdpd}
DURATION=${DURATION:-5s}
PORT=${PORT:-18081}
[ -x "$CDPD" ] || { echo "no cdpd binary at $CDPD: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }

STATE=$(mktemp -d /tmp/cdpd-bench-XXXXXX)
chmod 755 "$STATE"
PASSWORD=bench-password-$$-$RANDOM
PID=
stop() { [ -n "$PID" ] && { kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }; PID=; }
trap 'stop; rm -rf "$STATE"' EXIT

start() { # start LIMITS_ENABLED
  "$CDPD" --http.port="$PORT" --state.dir="$STATE" --log.level=warn \
    --auth.bootstrap-password="$PASSWORD" --ratelimit.enabled="$1" \
    --ratelimit.general-per-hour=100000000 \
    --ratelimit.general-per-minute=10000000 ${CDPD_ARGS:-} \
    >>"$STATE/cdpd.log" 2>&1 &
  PID=$!
  for _ in $(seq 600); do
    curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && return
    sleep 0.1
  done
  cat "$STATE/cdpd.log"; exit 1
}

# prints "p50_us p99_us requests_per_s"
measure() { # measure CONNECTIONS [header]
  local args=(-t1 -c"$1" -d"$DURATION" --latency)
  [ $# -gt 1 ] && args+=(-H "$2")
  wrk "${args[@]}" "http://127.0.0.1:$PORT/" | awk '
    function us(v) {
      if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000;
      if (v ~ /s$/) return v * 1000000; return v }
    /Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = us($2) } /^ +99%/ { p99 = us($2) }
    /Non-2xx/ { bad = $NF }
    END { if (bad != "") { print "non-2xx responses: " bad > "/dev/stderr"; exit 1 }
          printf "%.0f %.0f %.0f\n", p50, p99, rps }'
}

start false
TOKEN=$(curl -fs -H 'Content-Type: application/json' \
  -d "{\"email\":\"admin@localhost\",\"password\":\"$PASSWORD\"}" \
  "http://127.0.0.1:$PORT/api/auth/login" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
[ -n "$TOKEN" ] || { echo "login failed" >&2; exit 1; }
AUTH="Authorization: Bearer $TOKEN"

measure 1 >/dev/null # warm-up
read -r base50 base99 _ < <(measure 1)
read -r tok50 tok99 _ < <(measure 1 "$AUTH")
read -r _ _ base_rps < <(measure 16)
read -r _ _ tok_rps < <(measure 16 "$AUTH")
stop
start true
measure 1 "$AUTH" >/dev/null
read -r lim50 lim99 _ < <(measure 1 "$AUTH")
read -r _ _ lim_rps < <(measure 16 "$AUTH")

echo "cdpd GET / over 1 connection, $DURATION each ($(nproc) cores shared with wrk)"
printf '%-34s %8s %8s %12s\n' case p50_us p99_us 'req/s (16c)'
printf '%-34s %8s %8s %12s\n' "no credentials, limits off" "$base50" "$base99" "$base_rps"
printf '%-34s %8s %8s %12s\n' "bearer token, limits off" "$tok50" "$tok99" "$tok_rps"
printf '%-34s %8s %8s %12s\n' "bearer token, limits on" "$lim50" "$lim99" "$lim_rps"
echo "added at p50: token $((tok50 - base50)) us, limiter $((lim50 - tok50)) us, both $((lim50 - base50)) us"
