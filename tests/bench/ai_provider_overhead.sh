#!/usr/bin/env bash
# What cdpd's provider path adds to an AI answer, beside the provider's
# own latency: POST /api/ai/segments/build through cdpd (access guard,
# connector actor and its proxy, a worker thread, libcurl, reading and
# checking the reply, the audit row) against the same request sent
# straight to the provider, a fake OpenAI-compatible server on loopback
# (tests/integration/ai/fake_openai.py) that answers after DELAY_MS.
# Sequential requests, one at a time; prints p50/p90 of both and the
# difference at p50.
#   tests/bench/ai_provider_overhead.sh [path/to/cdpd]
# Environment: N (200 requests per case), DELAY_MS (0; also try 50),
# PORT (18091), FAKE_PORT (18092). Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."

CDPD=${1:-build/release/apps/cdpd/cdpd}
N=${N:-200}
DELAY_MS=${DELAY_MS:-0}
PORT=${PORT:-18091}
FAKE_PORT=${FAKE_PORT:-18092}
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$CDPD" ] || { echo "no cdpd binary at $CDPD" >&2; exit 1; }

STATE=$(mktemp -d /tmp/cdpd-bench-XXXXXX)
chmod 755 "$STATE"
PASSWORD=bench-password-$$-$RANDOM
PID=
FAKE=
stop() {
  [ -n "$PID" ] && { kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
  [ -n "$FAKE" ] && { kill -TERM "$FAKE" 2>/dev/null; wait "$FAKE" 2>/dev/null || true; }
  PID=; FAKE=
}
trap 'stop; rm -rf "$STATE"' EXIT

"$PYTHON" tests/integration/ai/fake_openai.py --port="$FAKE_PORT" >"$STATE/fake.log" 2>&1 &
FAKE=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$FAKE_PORT/requests" >/dev/null 2>&1 && break
  sleep 0.1
done
ANSWER='{"logical_operator":"AND","criteria":[{"field":"shipping_state","operator":"eq","value":"TX"},{"field":"total_order_value","operator":"gt","value":500}],"explanation":"Texans over $500."}'
"$PYTHON" - "$FAKE_PORT" "$ANSWER" "$DELAY_MS" <<'PY'
import json, sys, urllib.request
port, answer, delay = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = json.dumps({"replies": [], "default": {"content": answer, "delay_ms": delay}}).encode()
urllib.request.urlopen(urllib.request.Request(
    f"http://127.0.0.1:{port}/control", data=body,
    headers={"Content-Type": "application/json"}))
PY

"$CDPD" --http.port="$PORT" --state.dir="$STATE" --log.level=warn \
  --auth.bootstrap-password="$PASSWORD" \
  --ratelimit.ai-generate-per-minute=10000000 \
  --ratelimit.general-per-minute=10000000 \
  --ratelimit.general-per-hour=100000000 \
  --ai.base-url="http://127.0.0.1:$FAKE_PORT/v1" --ai.api-key=bench-key \
  --ai.model=bench-model >>"$STATE/cdpd.log" 2>&1 &
PID=$!
for _ in $(seq 600); do
  curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
TOKEN=$(curl -fs -H 'Content-Type: application/json' \
  -d "{\"email\":\"admin@localhost\",\"password\":\"$PASSWORD\"}" \
  "http://127.0.0.1:$PORT/api/auth/login" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
[ -n "$TOKEN" ] || { cat "$STATE/cdpd.log"; echo "login failed" >&2; exit 1; }

DIRECT_BODY='{"model":"bench-model","messages":[{"role":"system","content":"s"},{"role":"user","content":"Texas customers who spent over $500"}],"max_tokens":1024,"temperature":0.7}'
CDPD_BODY='{"prompt":"Texas customers who spent over $500"}'

# prints one time_total in microseconds per request
times() { # times URL BODY [header]
  local extra=()
  [ $# -gt 2 ] && extra=(-H "$3")
  for _ in $(seq "$N"); do
    curl -s -o "$STATE/last" -w '%{time_total}\n' -H 'Content-Type: application/json' \
      "${extra[@]}" -d "$2" "$1"
  done | awk '{ printf "%.0f\n", $1 * 1000000 }'
}
pct() { sort -n | awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100); if (i < 1) i = 1; print v[i] }'; }

times "http://127.0.0.1:$FAKE_PORT/v1/chat/completions" "$DIRECT_BODY" >/dev/null
times "http://127.0.0.1:$PORT/api/ai/segments/build" "$CDPD_BODY" "Authorization: Bearer $TOKEN" >/dev/null
grep -q '"engine":"bench-model"' "$STATE/last" || grep -q '"engine":"fake-model"' "$STATE/last" \
  || { echo "cdpd did not answer through the provider:" >&2; cat "$STATE/last" >&2; exit 1; }
times "http://127.0.0.1:$FAKE_PORT/v1/chat/completions" "$DIRECT_BODY" >"$STATE/direct"
times "http://127.0.0.1:$PORT/api/ai/segments/build" "$CDPD_BODY" "Authorization: Bearer $TOKEN" >"$STATE/cdpd"

d50=$(pct 50 <"$STATE/direct"); d90=$(pct 90 <"$STATE/direct")
c50=$(pct 50 <"$STATE/cdpd"); c90=$(pct 90 <"$STATE/cdpd")
echo "POST /api/ai/segments/build, $N sequential requests, provider delay ${DELAY_MS} ms ($(nproc) cores, shared)"
printf '%-40s %8s %8s\n' case p50_us p90_us
printf '%-40s %8s %8s\n' "straight to the fake provider" "$d50" "$d90"
printf '%-40s %8s %8s\n' "through cdpd (provider path)" "$c50" "$c90"
echo "added by cdpd at p50: $((c50 - d50)) us"
