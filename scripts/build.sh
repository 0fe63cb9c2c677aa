#!/usr/bin/env bash
# Configures and builds Switchboard with CMake + Ninja into build/ (or $BUILD_DIR),
# and the dashboard with npm into build/web.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
# ccache hashes paths inside the checkout relative to it (and not the build
# directory's own path), so a fresh clone elsewhere, like CI's, reuses the
# objects an earlier build left in the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" ${CMAKE_ARGS:-} >/dev/null
# The dashboard (web/) is built into $build/web, the web root `serve` uses by
# default (web/ beside the binary). Without npm the server still runs, API only.
if command -v npm >/dev/null 2>&1; then
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1  # browser tests use Debian's chromium
  # npm ci only when package-lock.json changed since the last install.
  if ! cmp -s "$root/web/package-lock.json" "$root/web/node_modules/.switchboard-lock"; then
    (cd "$root/web" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$root/web/package-lock.json" "$root/web/node_modules/.switchboard-lock"
  fi
  (cd "$root/web" && npm run --silent build -- --outDir "$build/web" --emptyOutDir --logLevel warn)
else
  echo "build: npm not found, so the dashboard is not built (serve answers / with a plain page)" >&2
fi
# Two cores and heavy Boost headers: -j2 keeps memory and time predictable.
ninja -C "$build" -j "${JOBS:-$(nproc)}" "$@"
