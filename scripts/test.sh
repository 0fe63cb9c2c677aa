#!/usr/bin/env bash
# Install what is missing, build, and run every test (unit, integration, end-to-end).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
# The fuzz targets (clang + libFuzzer) are built here, not inside a timed test;
# 77: no clang/libFuzzer on this machine, and their tests are then skipped.
"$root/scripts/fuzz.sh" build || [ $? -eq 77 ]
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
