#!/usr/bin/env bash
# Campaign delivery throughput, end to end: N customers (100,000 by default)
# get a one-step campaign from cdpd's `http` provider to the email API sink
# of the fault tests (tests/integration/delivery_faults/flaky_sink.py, with
# no faults) on loopback, with no throttle. Prints messages per second from
# activation to the last delivery, and the sink's own capacity measured in
# the same run with wrk (same body size, unique Idempotency-Keys), so the
# ratio says how much of the sink cdpd can use.
#   tests/bench/delivery_throughput.sh BUILD_DIR [MESSAGES]
# Settings (environment): PG_HOST (127.0.0.1), PG_PORT (25432), PG_USER
# (postgres), HTTP_PORT (18124), SINK_PORT (18125), DISPATCHERS (4),
# CDPD_ARGS (more cdpd flags). Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${1:?usage: $0 BUILD_DIR [MESSAGES]}
n=${2:-100000}
cdpd=$build/apps/cdpd/cdpd
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-25432}
PG_USER=${PG_USER:-postgres}
HTTP_PORT=${HTTP_PORT:-18124}
SINK_PORT=${SINK_PORT:-18125}
DISPATCHERS=${DISPATCHERS:-4}
BENCH_DB=cdpd_delivery_bench_$$
work=$(mktemp -d /tmp/cdpd_delivery_bench.XXXXXX)
pg=(-h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER")
sink_script=tests/integration/delivery_faults/flaky_sink.py
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }

cleanup() {
  [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null && wait "$daemon" || true
  [ -n "${sink:-}" ] && kill "$sink" 2>/dev/null && wait "$sink" || true
  dropdb "${pg[@]}" --if-exists --force "$BENCH_DB" || true
  rm -rf "$work"
}
trap cleanup EXIT

start_sink() { # start_sink JOURNAL
  python3 "$sink_script" --port="$SINK_PORT" --journal="$1" &
  sink=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$SINK_PORT") 2>/dev/null && return
    sleep 0.1
  done
  echo "the sink did not start" >&2
  exit 1
}
stop_sink() { kill "$sink"; wait "$sink" || true; sink=; }

createdb "${pg[@]}" "$BENCH_DB"
"$cdpd" --http.port="$HTTP_PORT" --log.level=warn --state.dir="$work/state" \
  --postgres.url="postgresql://$PG_USER@$PG_HOST:$PG_PORT/$BENCH_DB" \
  --auth.anonymous-role=admin --ratelimit.enabled=false \
  --email.provider=http \
  --email.http-url="http://127.0.0.1:$SINK_PORT/v3/mail/send" \
  --email.rate-per-second=0 --delivery.dispatchers="$DISPATCHERS" \
  --delivery.batch-size=500 --delivery.poll-interval=100ms \
  ${CDPD_ARGS:-} >"$work/cdpd.log" 2>&1 &
daemon=$!
for _ in $(seq 300); do
  curl -fs "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null ||
  { cat "$work/cdpd.log"; exit 1; }

campaign=$(psql "${pg[@]}" -d "$BENCH_DB" -qtA -v ON_ERROR_STOP=1 <<SQL
INSERT INTO customers (email, first_name, last_name, marketing_opt_in,
                       shipping_state)
  SELECT 'bench' || i || '@example.com', 'First' || i, 'Last', true, 'CA'
  FROM generate_series(1, $n) AS i;
WITH s AS (
  INSERT INTO segments (name, definition) VALUES ('bench',
    '{"criteria":[{"field":"shipping_state","operator":"eq","value":"CA"}]}')
  RETURNING id),
f AS (INSERT INTO flows (segment_id, name) SELECT id, 'bench' FROM s
      RETURNING id, segment_id),
st AS (INSERT INTO flow_steps (flow_id, step_type, config, step_order)
       SELECT id, 'SEND_EMAIL',
              '{"subject":"Hello {{first_name}}","body_text":"Our news."}', 1
       FROM f)
INSERT INTO campaigns (segment_id, flow_id, name, status)
  SELECT segment_id, id, 'bench', 'draft' FROM f RETURNING id;
SQL
)

# 1. The sink alone: wrk posts send requests of the same shape, each with a
#    new key, over as many connections as cdpd has dispatchers.
cat >"$work/post.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  local key = "wrk-" .. counter .. "-" .. math.random(1000000000)
  local body = '{"personalizations":[{"to":[{"email":"b' .. counter ..
    '@example.com"}]}],"from":{"email":"news@example.com"},' ..
    '"subject":"Hello First' .. counter .. '","content":[{"type":' ..
    '"text/plain","value":"Our news."}],"headers":{"Message-ID":"<' ..
    key .. '@bench>","List-Unsubscribe":"<http://127.0.0.1/u/x>"}}'
  return wrk.format("POST", "/v3/mail/send",
    {["Content-Type"] = "application/json", ["Idempotency-Key"] = key}, body)
end
LUA
start_sink "$work/wrk-journal"
sink_rps=$(wrk -t1 -c"$DISPATCHERS" -d10s -s "$work/post.lua" \
  "http://127.0.0.1:$SINK_PORT/" | awk '/Requests\/sec/ {print $2}')
stop_sink

# 2. cdpd: activate, then wait for the last delivery at the sink.
start_sink "$work/journal"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
curl -fs -X PUT \
  "http://127.0.0.1:$HTTP_PORT/api/campaigns/$campaign/status?status=active" \
  >/dev/null
last=0
stalled=0
while :; do
  got=$(grep -c '^deliver ' "$work/journal" || true)
  [ "$got" -ge "$n" ] && break
  if [ "$got" -eq "$last" ]; then
    stalled=$((stalled + 1))
    [ "$stalled" -ge 300 ] && { echo "stalled at $got of $n" >&2; tail "$work/cdpd.log" >&2; exit 1; }
  else
    stalled=0
  fi
  last=$got
  sleep 0.2
done
end=$(date +%s.%N)
status=$(psql "${pg[@]}" -d "$BENCH_DB" -qtA -c \
  "SELECT string_agg(status || ' ' || n, ', ') FROM (SELECT status, count(*) n
   FROM deliveries GROUP BY status) s")
awk -v s="$start" -v e="$end" -v n="$n" -v cap="$sink_rps" -v st="$status" \
  -v d="$DISPATCHERS" 'BEGIN {
    t = e - s; rate = n / t
    printf "%d messages in %.1f s: %.0f messages/s end to end (%d dispatchers; rows: %s)\n", n, t, rate, d, st
    printf "sink alone (wrk, %d connections): %.0f requests/s; cdpd reaches %.0f%% of it\n", d, cap, 100 * rate / cap
  }'
