#!/usr/bin/env bash
# Quick start: install what is missing, build, and run `switchboard serve` on
# the embedded SQLite store in ./data. Extra arguments go to `serve`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" switchboard
exec "${BUILD_DIR:-$root/build}/switchboard" serve "$@"
