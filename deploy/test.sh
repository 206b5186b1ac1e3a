#!/usr/bin/env bash
# Builds cdpd and runs every test (unit and integration) against a private
# PostgreSQL and Redis that it starts and stops itself.
#   deploy/test.sh            # build dir: build/test
# Environment: BUILD_DIR, CDPD_WERROR (ON makes warnings errors), CTEST_JOBS
# (tests run at once, default 2), CTEST_ARGS, CDPD_OPT (optimisation,
# default -O2), CDPD_SKIP_PROGRAMS (test programs, separated by spaces, to
# leave out of the build and the run: .ci/run passes those the sanitizer
# stage runs).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build/test}
export SVC_DIR=${SVC_DIR:-/tmp/cdpd-test-services}
export PG_PORT=${PG_PORT:-25433}
export REDIS_PORT=${REDIS_PORT:-26380}

# Ninja for new build directories: it schedules every target's compiles
# and links as one graph, where Make builds the targets named on its command
# line one after another. An existing directory keeps its generator.
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}

deploy/services.sh start >/dev/null
trap 'deploy/services.sh stop >/dev/null' EXIT
export CDPD_TEST_PG="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
export CDPD_TEST_REDIS_PORT=$REDIS_PORT

# Optimised like a deployment unless CDPD_OPT says otherwise, without debug
# information: at -O2 it makes up a third of the compile time and most of
# the link time.
skip=${CDPD_SKIP_PROGRAMS:-}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="${CDPD_OPT:--O2} -DNDEBUG" \
  -DCDPD_SKIP_PROGRAMS="${skip// /;}" \
  -DCDPD_WERROR="${CDPD_WERROR:-OFF}" >/dev/null
cmake --build "$BUILD_DIR" -j2
# Programs left out stand in ctest as <program>_NOT_BUILT.
exclude=()
[ -z "$skip" ] || exclude=(-E '_NOT_BUILT$')
# Two tests at a time: most of them wait on PostgreSQL or a child process.
# Each makes its own database, ports and files, so they do not meet.
# Every test has its own TIMEOUT (tests/CMakeLists.txt); --timeout only
# covers one added without.
# shellcheck disable=SC2086
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 300 \
  "${exclude[@]}" -j "${CTEST_JOBS:-2}" ${CTEST_ARGS:-}
