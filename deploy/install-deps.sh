#!/usr/bin/env bash
# Installs the Debian 12 packages cdpd needs to build, test and run.
# Does nothing when they are all present; uses sudo when not root.
set -euo pipefail

PACKAGES=(
  g++ cmake make ninja-build mold pkg-config clang-format
  libboost-dev libboost-system-dev libcaf-dev libpqxx-dev libhiredis-dev
  nlohmann-json3-dev prometheus-cpp-dev libspdlog-dev libssl-dev
  libsodium-dev libcpp-jwt-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql redis-server wrk curl openssl python3-aiosmtpd
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
