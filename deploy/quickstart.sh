#!/usr/bin/env bash
# Fresh Debian 12 to a running cdpd: installs what is missing, builds a
# release binary and runs it on its embedded PostgreSQL on 127.0.0.1:8000.
# Extra arguments go to cdpd (e.g. --http.port=9000). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
exec build/release/apps/cdpd/cdpd "$@"
