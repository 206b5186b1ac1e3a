#!/usr/bin/env bash
# Builds the tests with AddressSanitizer, UndefinedBehaviorSanitizer and
# assertions (the asan preset: Debug, CDPD_SANITIZE=ON), at -O0 without
# debug information, and runs the programs deploy/sanitizer-programs lists
# against a private PostgreSQL and Redis (ports apart from deploy/test.sh's,
# so both can run on one machine). Any sanitizer finding fails its test.
#   deploy/test-sanitizers.sh          # build dir: build/asan
# Environment: BUILD_DIR, CDPD_WERROR, CTEST_JOBS (default 2), CTEST_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build/asan}
export SVC_DIR=${SVC_DIR:-/tmp/cdpd-sanitize-services}
export PG_PORT=${PG_PORT:-25434}
export REDIS_PORT=${REDIS_PORT:-26381}

# Stop at the first finding with a non-zero exit (UBSan also needs
# -fno-sanitize-recover, set in CMakeLists.txt). Exported before the build:
# test discovery runs the test programs too. deploy/sanitizers/ubsan.supp
# says why each suppression is there.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$PWD/deploy/sanitizers/ubsan.supp
export LSAN_OPTIONS=suppressions=$PWD/deploy/sanitizers/lsan.supp

# The programs deploy/sanitizer-programs lists (it says which and why).
mapfile -t programs < <(grep -v '^#' deploy/sanitizer-programs | grep .)

# Ninja for new build directories: it schedules every target's compiles
# and links as one graph, where Make builds the targets named on its command
# line one after another. An existing directory keeps its generator.
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}

deploy/services.sh start >/dev/null
trap 'deploy/services.sh stop >/dev/null' EXIT
export CDPD_TEST_PG="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
export CDPD_TEST_REDIS_PORT=$REDIS_PORT

# -O0: UBSan's checks give the optimiser so much to do that -O1 compiles
# 2.4 times slower (47 s against 19 s for campaign_host.cpp); the tests run
# slower at -O0 but the stage takes less than half as long. No debug
# information: even -g1 (line tables) made files compile 40% slower; UBSan's
# reports carry file and line anyway, ASan's stacks name the functions, and
# a finding is rebuilt with -g to read it.
cmake --preset asan -B "$BUILD_DIR" -DCMAKE_CXX_FLAGS_DEBUG="-O0" -DCDPD_PCH=ON \
  -DCDPD_WERROR="${CDPD_WERROR:-OFF}" >/dev/null
cmake --build "$BUILD_DIR" -j2 --target "${programs[@]}"
# Runs every test program built in BUILD_DIR (the ones above, unless more
# were built there by hand); the others stand in ctest as
# <program>_NOT_BUILT.
# shellcheck disable=SC2086
ctest --test-dir "$BUILD_DIR" --output-on-failure -E '_NOT_BUILT$' \
  -j "${CTEST_JOBS:-2}" ${CTEST_ARGS:-}
