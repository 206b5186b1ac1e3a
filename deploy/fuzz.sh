#!/usr/bin/env bash
# Builds the fuzz targets with clang and libFuzzer (ASan + UBSan) in
# build/fuzz and runs each for a while, starting from tests/fuzz/corpus.
# New inputs go to build/fuzz/corpus/<target>; a crash leaves crash-* files
# in build/fuzz/findings. Copy a fixed crash into tests/fuzz/corpus/<target>
# so the regular test run replays it forever.
#
#   deploy/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(request_target json_body import_line access_token ai_text)

if ! command -v clang++ >/dev/null; then
  echo "fuzz: needs clang (apt-get install -y clang)" >&2
  exit 1
fi
cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCDPD_FUZZ=ON >/dev/null
cmake --build build/fuzz -j"${JOBS:-2}" --target "${targets[@]/#/fuzz_}"
mkdir -p build/fuzz/findings
status=0
for t in "${targets[@]}"; do
  mkdir -p "build/fuzz/corpus/$t"
  echo "fuzz: $t for ${seconds}s"
  if ! "build/fuzz/tests/fuzz/fuzz_$t" -max_total_time="$seconds" \
      -max_len=65536 -artifact_prefix="build/fuzz/findings/$t-" \
      -print_final_stats=1 "build/fuzz/corpus/$t" "tests/fuzz/corpus/$t" \
      2>"build/fuzz/$t.log"; then
    echo "fuzz: $t found a crash; see build/fuzz/$t.log and build/fuzz/findings" >&2
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "build/fuzz/$t.log" || true
done
exit $status
