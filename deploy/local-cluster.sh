#!/usr/bin/env bash
# N cdpd nodes on loopback that form one cluster over one PostgreSQL (the
# one deploy/services.sh runs): node i serves HTTP on 8000+i and its cluster
# agent on 7000+i, named node<i>. With nginx installed (Debian's
# nginx-light), a round-robin front on 8000 spreads requests over them.
#   deploy/local-cluster.sh start|stop|status [N]   (N: 3)
# Settings (environment): CDPD (build/release/apps/cdpd/cdpd, else
# build/base/...), CLUSTER_DIR (/tmp/cdpd-cluster), PG_PORT (25432),
# SVC_DIR (for services.sh), CDPD_ARGS (extra arguments for every node).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${2:-3}
CLUSTER_DIR=${CLUSTER_DIR:-/tmp/cdpd-cluster}
PG_PORT=${PG_PORT:-25432}
FRONT_PORT=8000
if [ -z "${CDPD:-}" ]; then
  CDPD=build/release/apps/cdpd/cdpd
  [ -x "$CDPD" ] || CDPD=build/base/apps/cdpd/cdpd
fi

node_pid() { cat "$CLUSTER_DIR/node$1.pid" 2>/dev/null || true; }
node_running() {
  local pid
  pid=$(node_pid "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

start_front() {
  command -v nginx >/dev/null || {
    echo "nginx not installed (apt-get install nginx-light): no front on $FRONT_PORT"
    return 0
  }
  local conf=$CLUSTER_DIR/nginx.conf servers=""
  for i in $(seq "$N"); do servers+="    server 127.0.0.1:$((8000 + i));"$'\n'; done
  cat >"$conf" <<EOF
daemon on;
pid $CLUSTER_DIR/nginx.pid;
error_log $CLUSTER_DIR/nginx.log;
events {}
http {
  access_log off;
  upstream cdpd {
$servers  }
  server {
    listen 127.0.0.1:$FRONT_PORT;
    client_max_body_size 0;
    location / {
      proxy_pass http://cdpd;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_next_upstream error timeout http_503;
    }
  }
}
EOF
  nginx -c "$conf" -p "$CLUSTER_DIR"
  echo "front: http://127.0.0.1:$FRONT_PORT (round robin over $N nodes)"
}

start() {
  [ -x "$CDPD" ] || { echo "no cdpd binary at $CDPD: build first or set CDPD" >&2; exit 1; }
  PG_PORT=$PG_PORT deploy/services.sh start >/dev/null
  mkdir -p "$CLUSTER_DIR"
  local url=postgresql://postgres@127.0.0.1:$PG_PORT/postgres
  # One node migrates first, so the others do not wait on its lock.
  "$CDPD" migrate --postgres.url="$url" >"$CLUSTER_DIR/migrate.log" 2>&1
  for i in $(seq "$N"); do
    if node_running "$i"; then echo "node$i already running"; continue; fi
    mkdir -p "$CLUSTER_DIR/node$i"
    # shellcheck disable=SC2086
    "$CDPD" --postgres.url="$url" --state.dir="$CLUSTER_DIR/node$i" \
      --http.port=$((8000 + i)) --cluster.port=$((7000 + i)) \
      --cluster.name="node$i" --cluster.seeds=127.0.0.1:7001 \
      ${CDPD_ARGS:-} >"$CLUSTER_DIR/node$i.log" 2>&1 &
    echo $! >"$CLUSTER_DIR/node$i.pid"
  done
  for i in $(seq "$N"); do
    for _ in $(seq 100); do
      curl -fs "http://127.0.0.1:$((8000 + i))/health/ready" >/dev/null && break
      node_running "$i" || { echo "node$i exited: see $CLUSTER_DIR/node$i.log" >&2; exit 1; }
      sleep 0.2
    done
    echo "node$i: http://127.0.0.1:$((8000 + i)), cluster port $((7000 + i)), log $CLUSTER_DIR/node$i.log"
  done
  [ -f "$CLUSTER_DIR/nginx.pid" ] || start_front
}

stop() {
  if [ -f "$CLUSTER_DIR/nginx.pid" ]; then
    kill "$(cat "$CLUSTER_DIR/nginx.pid")" 2>/dev/null || true
    rm -f "$CLUSTER_DIR/nginx.pid"
  fi
  for pidfile in "$CLUSTER_DIR"/node*.pid; do
    [ -f "$pidfile" ] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
  echo "stopped"
}

status() {
  for i in $(seq "$N"); do
    if node_running "$i"; then
      echo "node$i: running (pid $(node_pid "$i")), ready: $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((8000 + i))/health/ready")"
    else
      echo "node$i: stopped"
    fi
  done
  # The membership as the first running node sees it (needs admin.enabled
  # and an admin caller, e.g. CDPD_ARGS="--admin.enabled --auth.anonymous-role=admin").
  for i in $(seq "$N"); do
    node_running "$i" || continue
    curl -s "http://127.0.0.1:$((8000 + i))/admin/cluster" && echo
    break
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status [N]" >&2; exit 2 ;;
esac
