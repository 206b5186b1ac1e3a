#!/usr/bin/env bash
# Browser check of the prototype frontend served by cdpd (http.static-dir).
#
# Usage:
#   CDPD_BIN=build/release/apps/cdpd/cdpd \
#     tests/e2e/frontend_check.sh ECA2_FRONTEND_DIR
#
# ECA2_FRONTEND_DIR is the prototype's frontend/ folder (package.json, src/).
# From a bare copy of the prototype repository, for example:
#   mkdir -p /tmp/eca2-frontend
#   git --git-dir=PATH/TO/ECA2.git archive HEAD:frontend -- . \
#       ':(exclude)node_modules' ':(exclude)dist' | tar -x -C /tmp/eca2-frontend
#
# What it does, all in a throwaway work folder (the frontend folder and the
# cdpd tree are left untouched):
#   1. copies the frontend without node_modules/dist, runs `npm install`, and
#      builds it with `npm run build` when `tsc` passes, else `npx vite build`;
#   2. creates database cdpd_e2e_<pid> on PostgreSQL at PG_HOST:PG_PORT
#      (default 127.0.0.1:25432, user postgres) and seeds it with
#      `cdpd seed --customers 500 --orders 2000`;
#   3. starts cdpd on a free port below 32768 with --http.static-dir pointing
#      at the build, waits for /health/ready;
#   4. runs frontend_check.mjs (puppeteer-core, installed into the work
#      folder) against it in headless Chromium: every page, the segment user
#      lists, the flow step dialogs, creating a segment, a flow, a campaign
#      and a customer, campaign status changes, deleting what it made; it
#      fails listing every console error, page error, failed request, alert
#      and HTTP response >= 400;
#   5. stops cdpd, drops the database and removes the work folder.
#
# Environment:
#   CDPD_BIN        cdpd binary (default: build/release/apps/cdpd/cdpd, then
#                   build/relwithdebinfo/apps/cdpd/cdpd under the repo root)
#   CHROMIUM        browser binary (default /usr/bin/chromium; Debian:
#                   apt-get install -y chromium)
#   PG_HOST PG_PORT PG_USER   test PostgreSQL (default 127.0.0.1 25432 postgres)
#   KEEP_WORK=1     keep the work folder (logs, build, screenshots)
#   SCREENSHOT_DIR  where frontend_check.mjs writes one PNG per step
#
# Exit code: 0 when the browser saw no problem, 1 when it saw some (each one
# printed as a JSON line), 2 when the check itself could not run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

if [[ $# -ne 1 || ! -f "$1/package.json" ]]; then
  echo "usage: $0 ECA2_FRONTEND_DIR (the folder holding package.json)" >&2
  exit 2
fi
frontend_src="$(cd "$1" && pwd)"

cdpd_bin="${CDPD_BIN:-}"
if [[ -z "$cdpd_bin" ]]; then
  for candidate in "$repo/build/release/apps/cdpd/cdpd" \
                   "$repo/build/relwithdebinfo/apps/cdpd/cdpd"; do
    if [[ -x "$candidate" ]]; then cdpd_bin="$candidate"; break; fi
  done
fi
if [[ -z "$cdpd_bin" || ! -x "$cdpd_bin" ]]; then
  echo "frontend_check: set CDPD_BIN to a built cdpd binary" >&2
  exit 2
fi
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  echo "frontend_check: no browser at $chromium (apt-get install -y chromium)" >&2
  exit 2
fi

pg_host="${PG_HOST:-127.0.0.1}"
pg_port="${PG_PORT:-25432}"
pg_user="${PG_USER:-postgres}"
db="cdpd_e2e_$$"
db_url="postgresql://$pg_user@$pg_host:$pg_port/$db"
psql_admin=(psql -X -q -v ON_ERROR_STOP=1 -h "$pg_host" -p "$pg_port"
            -U "$pg_user" -d postgres)

work="$(mktemp -d /tmp/cdpd-e2e.XXXXXX)"
cdpd_pid=""
db_created=0

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local rc=$?
  if [[ -n "$cdpd_pid" ]] && kill -0 "$cdpd_pid" 2>/dev/null; then
    kill -TERM "$cdpd_pid" 2>/dev/null || true
    for _ in $(seq 1 300); do
      kill -0 "$cdpd_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$cdpd_pid" 2>/dev/null || true
    wait "$cdpd_pid" 2>/dev/null || true
  fi
  if [[ $db_created -eq 1 ]]; then
    "${psql_admin[@]}" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" ||
      echo "frontend_check: could not drop database $db" >&2
  fi
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then
    echo "frontend_check: work folder kept: $work"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

say() { echo "frontend_check: $*"; }

# 1. Build the frontend in a copy.
say "building the frontend from $frontend_src"
mkdir -p "$work/frontend"
tar -C "$frontend_src" --exclude=./node_modules --exclude=./dist -cf - . |
  tar -C "$work/frontend" -xf -
(
  cd "$work/frontend"
  npm install --no-audit --no-fund --loglevel=error >"$work/npm-install.log" 2>&1 ||
    { cat "$work/npm-install.log" >&2; exit 2; }
  if npx --no-install tsc --noEmit >"$work/tsc.log" 2>&1; then
    npm run build >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 2; }
  else
    say "tsc reports $(grep -c 'error TS' "$work/tsc.log") type errors;" \
        "building with vite alone (see tsc.log)"
    npx --no-install vite build >"$work/build.log" 2>&1 ||
      { cat "$work/build.log" >&2; exit 2; }
  fi
)
[[ -f "$work/frontend/dist/index.html" ]] || { say "no dist/index.html"; exit 2; }

# The browser driver goes into the work folder, not the source tree.
mkdir -p "$work/check"
cp "$here/package.json" "$here/frontend_check.mjs" "$work/check/"
(cd "$work/check" &&
  npm install --no-audit --no-fund --loglevel=error >"$work/npm-check.log" 2>&1) ||
  { cat "$work/npm-check.log" >&2; exit 2; }

# 2. A throwaway database, seeded.
"${psql_admin[@]}" -c "CREATE DATABASE \"$db\""
db_created=1
say "seeding $db"
"$cdpd_bin" seed --customers 500 --orders 2000 --postgres.url="$db_url" \
  >"$work/seed.log" 2>&1 || { cat "$work/seed.log" >&2; exit 2; }

# 3. cdpd on a free port below 32768.
port="$(python3 - <<'EOF'
import random, socket
for _ in range(200):
    p = random.randint(20000, 32767)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
EOF
)"
[[ -n "$port" ]] || { say "no free port"; exit 2; }
# The browser signs in through /login as the first admin, whose password
# this fresh database takes from here.
password="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
"$cdpd_bin" --postgres.url="$db_url" --http.address=127.0.0.1 \
  --http.port="$port" --http.static-dir="$work/frontend/dist" \
  --auth.bootstrap-password="$password" \
  >"$work/cdpd.log" 2>&1 &
cdpd_pid=$!
ready=0
for _ in $(seq 1 600); do
  if ! kill -0 "$cdpd_pid" 2>/dev/null; then break; fi
  if [[ "$(curl -s -o /dev/null -w '%{http_code}' \
          "http://127.0.0.1:$port/health/ready")" == 200 ]]; then
    ready=1; break
  fi
  sleep 0.1
done
if [[ $ready -ne 1 ]]; then
  say "cdpd did not become ready"; cat "$work/cdpd.log" >&2; exit 2
fi
say "cdpd ready on http://127.0.0.1:$port (pid $cdpd_pid)"

# 4. The browser.
set +e
LOGIN_EMAIL=admin@localhost LOGIN_PASSWORD="$password" \
BASE_URL="http://127.0.0.1:$port" CHROMIUM="$chromium" \
  SCREENSHOT_DIR="${SCREENSHOT_DIR:-}" node "$work/check/frontend_check.mjs"
result=$?
set -e
exit "$result"
