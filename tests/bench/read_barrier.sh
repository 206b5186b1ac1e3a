#!/usr/bin/env bash
# What the segment read barrier costs and what it buys, on `cdpd seed` data
# through a running cdpd node, once with segments.read-barrier-timeout at
# its default and once at 0 (no barrier), in the same run:
#   - POST /api/segments/preview alone (no writes): p50/p99;
#   - a customer moved by PUT /api/users/{id}, then a preview at once,
#     WRITES times: previews that missed the acknowledged write, p50/p99.
#   tests/bench/read_barrier.sh BUILD_DIR [CUSTOMERS] [WRITES]
# Settings (environment): PG_HOST (127.0.0.1), PG_PORT (25432), PG_USER
# (postgres), HTTP_PORT (18127), QUESTIONS (2000). Traffic goes to
# 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${1:?usage: $0 BUILD_DIR [CUSTOMERS] [WRITES]}
customers=${2:-100000}
writes=${3:-1000}
cdpd=$build/apps/cdpd/cdpd
HTTP_PORT=${HTTP_PORT:-18127}
QUESTIONS=${QUESTIONS:-2000}
. tests/bench/seeded_db.sh
seed_bench_db barrier "$cdpd" "$customers" "$((customers * 5))"

# Runs the driver against a node started with the given barrier timeout.
measure() {
  "$cdpd" --http.port="$HTTP_PORT" --log.level=warn --state.dir="$work/state" \
    --postgres.url="$url" --auth.anonymous-role=manager \
    --ratelimit.enabled=false --segments.read-barrier-timeout="$1" \
    >"$work/cdpd.log" 2>&1 &
  daemon=$!
  python3 - "$HTTP_PORT" "$url" "$1" "$writes" "$QUESTIONS" <<'PY' ||
import http.client, json, subprocess, sys, time

port, url, barrier, writes, questions = sys.argv[1:6]
writes, questions = int(writes), int(questions)
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
moved = {"criteria": [{"field": "shipping_state", "operator": "eq",
                       "value": "ZZ"}]}

def call(method, path, body=None):
    data = None if body is None else json.dumps(body)
    conn.request(method, path, data, {"Content-Type": "application/json"})
    reply = conn.getresponse()
    return reply.status, reply.read()

def preview(definition):
    start = time.perf_counter()
    status, body = call("POST", "/api/segments/preview", definition)
    ms = (time.perf_counter() - start) * 1000
    return (json.loads(body)["count"] if status == 200 else None), ms

def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, len(values) * p // 100)]

deadline = time.time() + 600
while time.time() < deadline:
    try:
        if preview(moved)[0] is not None:
            break
    except OSError:
        conn.close()
    time.sleep(0.2)
else:
    sys.exit("cdpd did not answer previews within 600 s")

ids = subprocess.run(
    ["psql", url, "-Atc",
     f"SELECT id FROM customers ORDER BY id LIMIT {writes}"],
    check=True, capture_output=True, text=True).stdout.split()
alone = [preview(moved)[1] for _ in range(questions)]
stale, unavailable, after_write = 0, 0, []
for i, customer in enumerate(ids):
    status, body = call("PUT", f"/api/users/{customer}",
                        {"shipping_state": "ZZ"})
    if status != 200:
        sys.exit(f"PUT answered {status}: {body[:200]}")
    count, ms = preview(moved)
    after_write.append(ms)
    if count is None:
        unavailable += 1
    elif count != i + 1:
        stale += 1
print(f"barrier {barrier}: preview alone p50 {pct(alone, 50):.2f} ms, "
      f"p99 {pct(alone, 99):.2f} ms ({questions}); right after a write "
      f"p50 {pct(after_write, 50):.2f} ms, p99 {pct(after_write, 99):.2f} ms, "
      f"{stale} of {len(ids)} missed the write, {unavailable} answered 503")
PY
    { cat "$work/cdpd.log"; exit 1; }
  kill "$daemon"
  wait "$daemon" || true
  daemon=
  # The next run moves the same customers again.
  psql "${pg[@]}" -d "$BENCH_DB" -qc \
    "UPDATE customers SET shipping_state = 'CA' WHERE shipping_state = 'ZZ'"
}

echo "customers: $customers, writes: $writes, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
measure 2s
measure 0
