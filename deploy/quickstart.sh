#!/usr/bin/env bash
# Fresh Debian 12 to a running cdpd: installs what is missing, builds a
# release binary, loads demo data (once; an existing database is kept) and
# runs cdpd on its embedded PostgreSQL on 127.0.0.1:8000.
# Extra arguments go to cdpd (e.g. --http.port=9000). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
CDPD=build/release/apps/cdpd/cdpd
"$CDPD" seed --customers 1000 --orders 5000 "$@" \
  || echo "quickstart: keeping the existing data (cdpd seed --force replaces it)"
exec "$CDPD" "$@"
