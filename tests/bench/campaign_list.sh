#!/usr/bin/env bash
# GET /api/campaigns/ (the Campaigns page) over CAMPAIGNS completed
# campaigns of ROWS deliveries each, through a running cdpd node, beside the
# statement the list ran per request before completed campaigns kept their
# counts (every delivery of every campaign grouped), timed with pgbench on
# the same database in the same run. Prints both latencies and the ratio.
#   tests/bench/campaign_list.sh BUILD_DIR [CAMPAIGNS] [ROWS]
# Settings (environment): PG_HOST (127.0.0.1), PG_PORT (25432), PG_USER
# (postgres), HTTP_PORT (18126), SECONDS_EACH (10). Traffic goes to
# 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${1:?usage: $0 BUILD_DIR [CAMPAIGNS] [ROWS]}
campaigns=${2:-10}
rows=${3:-100000}
cdpd=$build/apps/cdpd/cdpd
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-25432}
PG_USER=${PG_USER:-postgres}
HTTP_PORT=${HTTP_PORT:-18126}
SECONDS_EACH=${SECONDS_EACH:-10}
BENCH_DB=cdpd_list_bench_$$
work=$(mktemp -d /tmp/cdpd_list_bench.XXXXXX)
pg=(-h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER")
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }

cleanup() {
  [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null && wait "$daemon" || true
  dropdb "${pg[@]}" --if-exists --force "$BENCH_DB" || true
  rm -rf "$work"
}
trap cleanup EXIT

createdb "${pg[@]}" "$BENCH_DB"
url="postgresql://$PG_USER@$PG_HOST:$PG_PORT/$BENCH_DB"
"$cdpd" migrate --postgres.url="$url" --log.level=warn
psql "${pg[@]}" -d "$BENCH_DB" -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
INSERT INTO customers (email, first_name, last_name, marketing_opt_in)
  SELECT 'list' || i || '@example.com', 'First', 'Last', true
  FROM generate_series(1, $rows) AS i;
INSERT INTO segments (name, definition) VALUES ('all', '{"criteria":[]}');
INSERT INTO campaigns (segment_id, name, status, exec_phase)
  SELECT (SELECT id FROM segments), 'done ' || g, 'active', 'sending'
  FROM generate_series(1, $campaigns) AS g;
INSERT INTO deliveries (campaign_id, step_index, customer_id, email, due_at,
                        status, next_attempt_at, idempotency_key)
  SELECT c.id, 0, u.id, u.email, now(), 'sent', now(), c.id || ':' || u.id
  FROM campaigns c CROSS JOIN customers u;
-- Completing them keeps their counts.
UPDATE campaigns SET status = 'completed', exec_phase = 'done';
VACUUM ANALYZE;
SQL

"$cdpd" --http.port="$HTTP_PORT" --log.level=warn --state.dir="$work/state" \
  --postgres.url="$url" --auth.anonymous-role=viewer \
  --ratelimit.enabled=false >"$work/cdpd.log" 2>&1 &
daemon=$!
for _ in $(seq 300); do
  curl -fs "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$HTTP_PORT/api/campaigns/" >/dev/null ||
  { cat "$work/cdpd.log"; exit 1; }

cat >"$work/before.sql" <<'SQL'
SELECT c.exec_phase, c.scheduled_at, c.started_at, c.finished_at,
  c.paused_reason, count(d.id),
  count(*) FILTER (WHERE d.status IN ('pending', 'sending')),
  count(*) FILTER (WHERE d.status = 'sent'),
  count(*) FILTER (WHERE d.status = 'failed'),
  count(*) FILTER (WHERE d.status = 'dead'), c.id
FROM campaigns c LEFT JOIN deliveries d ON d.campaign_id = c.id GROUP BY c.id;
SQL
before=$(pgbench "${pg[@]}" -n -c 1 -T "$SECONDS_EACH" -f "$work/before.sql" \
  "$BENCH_DB" 2>/dev/null | awk '/latency average/ {print $4}')
now=$(wrk -t1 -c1 -d"${SECONDS_EACH}s" --latency \
  "http://127.0.0.1:$HTTP_PORT/api/campaigns/" |
  awk '/Latency/ && !done {v=$2; done=1} END {print v}')
echo "campaigns: $campaigns completed x $rows deliveries"
echo "before (grouped count statement alone, pgbench): ${before} ms"
echo "GET /api/campaigns/ now (whole request, wrk, 1 connection): ${now}"
python3 - "$before" "$now" <<'PY'
import re, sys
before = float(sys.argv[1])
m = re.match(r"([\d.]+)(us|ms|s)", sys.argv[2])
now = float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
print(f"ratio: the request now takes 1/{before / now:.0f} of the statement before")
PY
