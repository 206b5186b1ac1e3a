#!/usr/bin/env bash
# What a cluster-wide rate limit costs a request: one route (GET /, rate
# limited by caller) with a bearer token and limits on, measured with wrk
#   1. on one node alone (the limiter host is local: the baseline),
#   2. on each member of a three-node cluster over the same database: the
#      member that owns the account's limiter host answers from a local
#      host, the two others ask it through its node agent (one hop),
#   3. through an nginx round-robin front over the three (when nginx is
#      installed).
# Prints p50/p99 over one connection (latency without queueing) and the
# requests/s over 16, and the hop's cost as the difference of the p50s.
#   tests/bench/cluster_limits.sh [path/to/cdpd]
# Environment: DURATION (5s), PG_PORT (25432: deploy/services.sh's
# PostgreSQL, durable), BASE_PORT (18090). Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."

CDPD=${1:-build/release/apps/cdpd/cdpd}
[ -x "$CDPD" ] || CDPD=build/base/apps/cdpd/cdpd
DURATION=${DURATION:-5s}
PG_PORT=${PG_PORT:-25432}
BASE_PORT=${BASE_PORT:-18090}
[ -x "$CDPD" ] || { echo "no cdpd binary: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -c 'SELECT 1' >/dev/null 2>&1 ||
  { echo "no PostgreSQL on port $PG_PORT: PG_PORT=$PG_PORT deploy/services.sh start" >&2; exit 1; }

WORK=$(mktemp -d /tmp/cdpd-bench-cluster-XXXXXX)
chmod 755 "$WORK"
DB=cdpd_bench_cluster_$$
URL=postgresql://postgres@127.0.0.1:$PG_PORT/$DB
PASSWORD=bench-password-$$-$RANDOM
PIDS=()
stop_all() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
  if [ -f "$WORK/nginx.pid" ]; then kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; rm -f "$WORK/nginx.pid"; fi
}
trap 'stop_all; psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE $DB" >/dev/null

start_node() { # start_node INDEX [cluster args...]
  local i=$1
  shift
  mkdir -p "$WORK/node$i"
  "$CDPD" --postgres.url="$URL" --state.dir="$WORK/node$i" --log.level=warn \
    --http.port=$((BASE_PORT + i)) --admin.enabled \
    --auth.bootstrap-password="$PASSWORD" --ratelimit.enabled=true \
    --ratelimit.general-per-hour=100000000 \
    --ratelimit.general-per-minute=10000000 --ratelimit.hosts=8 \
    --delivery.dispatchers=0 "$@" >>"$WORK/node$i.log" 2>&1 &
  PIDS+=($!)
}

wait_ready() { # wait_ready INDEX
  for _ in $(seq 600); do
    curl -fs "http://127.0.0.1:$((BASE_PORT + $1))/health/ready" >/dev/null 2>&1 && return
    sleep 0.1
  done
  cat "$WORK/node$1.log"; exit 1
}

login() { # login PORT -> token
  curl -fs -H 'Content-Type: application/json' \
    -d "{\"email\":\"admin@localhost\",\"password\":\"$PASSWORD\"}" \
    "http://127.0.0.1:$1/api/auth/login" | sed 's/.*"access_token":"\([^"]*\)".*/\1/'
}

# prints "p50_us p99_us requests_per_s"
measure() { # measure PORT CONNECTIONS
  wrk -t1 -c"$2" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$1/" | awk '
    function us(v) {
      if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000;
      if (v ~ /s$/) return v * 1000000; return v }
    /Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = us($2) } /^ +99%/ { p99 = us($2) }
    /Non-2xx/ { bad = $NF }
    END { if (bad != "") { print "non-2xx responses: " bad > "/dev/stderr"; exit 1 }
          printf "%.0f %.0f %.0f\n", p50, p99, rps }'
}

report() { # report LABEL PORT
  local p50 p99 rps
  read -r p50 p99 _ <<<"$(measure "$2" 1)"
  read -r _ _ rps <<<"$(measure "$2" 16)"
  printf "%-34s p50 %6s us  p99 %6s us  %8s req/s (16 connections)\n" "$1" "$p50" "$p99" "$rps"
  LAST_P50=$p50
}

echo "cdpd: $CDPD; wrk ${DURATION} per figure; GET / with a bearer token, limits on"

# 1. One node alone.
start_node 0
wait_ready 0
TOKEN=$(login $((BASE_PORT + 0)))
report "one node (local limiter host)" $((BASE_PORT + 0))
SINGLE_P50=$LAST_P50
stop_all

# 2. Three members over the same database.
for i in 1 2 3; do
  start_node "$i" --cluster.name="b$i" --cluster.port=$((BASE_PORT + 10 + i)) \
    --cluster.seeds=127.0.0.1:$((BASE_PORT + 11))
done
for i in 1 2 3; do wait_ready "$i"; done
for _ in $(seq 100); do
  up=$(curl -fs "http://127.0.0.1:$((BASE_PORT + 1))/metrics" | grep -c '^cdpd_cluster_members{state="up"} 3' || true)
  [ "$up" = 1 ] && break
  sleep 0.1
done
sleep 1
TOKEN=$(login $((BASE_PORT + 1)))
SUBJECT=$(curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$((BASE_PORT + 1))/api/auth/me" |
  sed 's/.*"subject":"\([^"]*\)".*/\1/')
# The account's limiter host: FNV-1a of the key modulo ratelimit.hosts, as
# actors/limits/limiter_region.cpp computes it.
HOST=$(python3 -c '
import sys
h = 14695981039346656037
for c in ("account:" + sys.argv[1]).encode():
    h = ((h ^ c) * 1099511628211) % 2**64
print("limits-%d" % (h % 8))' "$SUBJECT")
OWNER=$(curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$((BASE_PORT + 1))/admin/cluster" |
  python3 -c '
import json, sys
view = json.load(sys.stdin)
print(next(m["name"] for m in view["members"] if sys.argv[1] in m["limiter_hosts"]))' "$HOST")
echo "the account's limiter host $HOST runs on $OWNER"
REMOTE_P50=()
for i in 1 2 3; do
  if [ "b$i" = "$OWNER" ]; then
    report "member b$i (owns the host)" $((BASE_PORT + i))
    OWNER_P50=$LAST_P50
  else
    report "member b$i (asks b${OWNER#b} for it)" $((BASE_PORT + i))
    REMOTE_P50+=("$LAST_P50")
  fi
done

# 3. An nginx front over the three.
if command -v nginx >/dev/null; then
  cat >"$WORK/nginx.conf" <<EOF
daemon on;
pid $WORK/nginx.pid;
error_log $WORK/nginx.log;
events {}
http {
  access_log off;
  upstream cdpd {
    server 127.0.0.1:$((BASE_PORT + 1));
    server 127.0.0.1:$((BASE_PORT + 2));
    server 127.0.0.1:$((BASE_PORT + 3));
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$((BASE_PORT + 20));
    location / {
      proxy_pass http://cdpd;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
  nginx -c "$WORK/nginx.conf" -p "$WORK"
  report "nginx front over the three" $((BASE_PORT + 20))
else
  echo "nginx not installed (apt-get install nginx-light): no front measured"
fi

for r in "${REMOTE_P50[@]}"; do
  echo "limit check one hop away: +$((r - OWNER_P50)) us at p50 against the owner, +$((r - SINGLE_P50)) us against one node alone"
done
echo "requests of one account over three members share one limit (tests/integration/cluster/limits_test.cpp)"
