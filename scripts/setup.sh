#!/usr/bin/env bash
# Installs every Debian package Switchboard needs to build, run and test.
# Idempotent and quick when everything is already there (no apt-get update
# unless something is missing). Must run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates curl openssl
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libcurl4-openssl-dev libssl-dev libsqlite3-dev sqlite3
  libexpected-dev libspdlog-dev libfmt-dev libcli11-dev prometheus-cpp-dev
  libpqxx-dev postgresql-15  # cluster store (libpqxx) and the real PostgreSQL server its tests start
  libgtest-dev libgmock-dev
  python3 clang-format clang-tidy nodejs npm  # clang-tidy: the lint.clang_tidy test (scripts/clang-tidy.sh)
  python3-aiosmtpd  # a real SMTP server (loopback) for the alert e-mail tests (tests/integration/alerts_test.cc)
  clang-14 libclang-rt-14-dev llvm-14  # fuzz targets (fuzz/): clang, libFuzzer, ASan, UBSan, llvm-symbolizer
  systemd  # the Debian package's test: systemd-analyze verify of the unit
  chromium  # browser tests of the dashboard (tests/browser), driven by playwright-core
)

missing=()
for p in "${packages[@]}"; do
  # A machine may already have Node.js from elsewhere; any `node` will do for the tests.
  if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
  # Node.js from elsewhere usually brings its own npm (which Debian's npm would conflict with).
  if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi
