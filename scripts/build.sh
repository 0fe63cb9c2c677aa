#!/usr/bin/env bash
# Configures and builds Switchboard with CMake + Ninja into build/ (or $BUILD_DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" ${CMAKE_ARGS:-} >/dev/null
# Two cores and heavy Boost headers: -j2 keeps memory and time predictable.
ninja -C "$build" -j "${JOBS:-$(nproc)}" "$@"
