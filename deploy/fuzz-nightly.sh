#!/usr/bin/env bash
# The nightly fuzz run: every target for 10 minutes (deploy/fuzz.sh 600),
# then each input that crashed one (libFuzzer's crash-, leak-, timeout- and
# oom- artifacts) is copied into tests/fuzz/corpus/<target> as a regression
# input, so the regular test run replays it from then on (and fails until
# the bug is fixed). slow-unit- reports stay in build/fuzz/findings: they
# depend on how busy the machine was. Exits non-zero when anything crashed.
#   deploy/fuzz-nightly.sh [SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
status=0
deploy/fuzz.sh "$seconds" || status=$?
shopt -s nullglob
for finding in build/fuzz/findings/*; do
  name=$(basename "$finding")
  case $name in
    *-slow-unit-*)
      echo "fuzz-nightly: $finding was slow (not kept; try it alone)"
      continue
      ;;
  esac
  target=${name%%-*}
  mkdir -p "tests/fuzz/corpus/$target"
  cp "$finding" "tests/fuzz/corpus/$target/regression-${name#*-}"
  echo "fuzz-nightly: kept $finding as tests/fuzz/corpus/$target/regression-${name#*-}"
done
exit $status
