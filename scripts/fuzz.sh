#!/usr/bin/env bash
# Builds and runs the libFuzzer targets in fuzz/ (clang, ASan + UBSan).
#
#   scripts/fuzz.sh build                      configure + build into build-fuzz/ (or $FUZZ_BUILD_DIR)
#   scripts/fuzz.sh run TARGET [RUNS]          deterministic smoke run: -seed=1, RUNS inputs (default 20000)
#   scripts/fuzz.sh run TARGET --budget N      CI run: seed 1 and the same fixed setup, for N seconds
#   scripts/fuzz.sh run TARGET --seconds N     fuzz for N seconds (random seed unless $FUZZ_SEED)
#   scripts/fuzz.sh list                       the targets
#
# A run reads the seed corpus fuzz/corpus/TARGET read-only; the inputs it
# finds go to a fresh temporary directory, never into the repository (copy a
# good one into fuzz/corpus/TARGET by hand). A crash, leak or UB finding fails
# the run and prints where the input that caused it was saved.
#
# Without clang or libFuzzer, `build` and `run` exit 77 (CTest: skipped),
# except under CI (CI set, and not "false" or "0"), where that is a failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
targets=(event_ingest webhook_input v1_webhook signature ssrf live_call static_path canonical_json http_request)

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Exits 77 (skip), or 1 under CI, when the fuzzing toolchain is missing.
missing_toolchain() {
  echo "fuzz: $1 (scripts/setup.sh installs clang-14 and libclang-rt-14-dev)" >&2
  case "${CI:-}" in
    "" | 0 | false) exit 77 ;;
    *) exit 1 ;;
  esac
}

find_clang() {
  local cxx
  for cxx in ${FUZZ_CXX:-} clang++-14 clang++; do
    if command -v "$cxx" >/dev/null 2>&1; then
      local runtime
      runtime="$("$cxx" -print-resource-dir)/lib/linux/libclang_rt.fuzzer-$(uname -m).a"
      if [ -f "$runtime" ]; then
        command -v "$cxx"
        return 0
      fi
    fi
  done
  return 1
}

cmd_build() {
  local cxx
  cxx=$(find_clang) || missing_toolchain "no clang++ with libFuzzer found"
  # Same ccache settings as scripts/build.sh: objects are shared between clones.
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
  export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
  cmake -S "$root/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
  ninja -C "$build" -j "${JOBS:-$(nproc)}"
}

cmd_run() {
  [ $# -ge 1 ] || usage
  local target=$1
  shift
  local known=0 t
  for t in "${targets[@]}"; do [ "$t" = "$target" ] && known=1; done
  [ $known -eq 1 ] || { echo "fuzz: unknown target '$target' (targets: ${targets[*]})" >&2; exit 2; }

  # Leaks and UB fail the run like crashes. Stack traces need llvm-symbolizer,
  # which Debian installs only under a versioned name: ask clang where it is.
  local -a limit envs=("ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}"
    "UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}")
  local cxx symbolizer=${ASAN_SYMBOLIZER_PATH:-}
  if [ -z "$symbolizer" ] && cxx=$(find_clang); then symbolizer=$("$cxx" -print-prog-name=llvm-symbolizer); fi
  if [ -x "$symbolizer" ]; then envs+=("ASAN_SYMBOLIZER_PATH=$symbolizer"); fi
  local -a launcher=(env "${envs[@]}")
  local keep=${FUZZ_KEEP:-0}
  if [ "${1:-}" = "--seconds" ]; then
    [ -n "${2:-}" ] || usage
    limit=(-seed="${FUZZ_SEED:-0}" -max_total_time="$2")
    keep=1  # a long run's finds are worth looking at
  else
    # The same inputs on every run in this checkout: a fixed seed and count,
    # no timed corpus reload, and the same addresses (Boost.JSON salts its
    # hashes with them, and compared pointers feed libFuzzer's mutations), so
    # no address randomization and a fixed environment, which sets where the
    # stack starts. With --budget the count is what fits in the time (the
    # sequence of inputs is the same, a faster machine goes further in it).
    if [ "${1:-}" = "--budget" ]; then
      [ -n "${2:-}" ] || usage
      limit=(-seed=1 -max_total_time="$2" -reload=0)
    else
      limit=(-seed=1 -runs="${1:-20000}" -reload=0)
    fi
    launcher=(env -i "PATH=$PATH" "${envs[@]}")
    if setarch "$(uname -m)" -R true 2>/dev/null; then launcher+=(setarch "$(uname -m)" -R); fi
  fi

  local binary=$build/${target}_fuzz
  if [ ! -x "$binary" ]; then
    find_clang >/dev/null || missing_toolchain "no clang++ with libFuzzer found, so $binary was not built"
    echo "fuzz: $binary not built; run scripts/fuzz.sh build first" >&2
    exit 1
  fi

  local work
  work=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-fuzz-$target.XXXXXX")
  mkdir "$work/new" "$work/artifacts"
  # libFuzzer's own default error exit code is 77, which CTest would read as
  # "skipped", so it is set to 1.
  local status=0
  "${launcher[@]}" "$binary" "${limit[@]}" -max_len=65536 -rss_limit_mb=2048 -timeout=30 \
    -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/new" "$root/fuzz/corpus/$target" || status=$?

  if [ $status -ne 0 ]; then
    [ $status -eq 77 ] && status=1
    echo "fuzz: $target FAILED (exit $status)" >&2
    local artifact
    for artifact in "$work"/artifacts/*; do
      [ -e "$artifact" ] || continue
      echo "fuzz: the input that failed is saved at $artifact" >&2
      echo "fuzz: reproduce with: $binary $artifact" >&2
    done
    exit $status
  fi
  if [ "$keep" = 1 ]; then
    echo "fuzz: $target passed; the inputs it found are in $work/new"
  else
    rm -rf "$work"
    echo "fuzz: $target passed"
  fi
}

case "${1:-}" in
  build) cmd_build ;;
  run)
    shift
    cmd_run "$@"
    ;;
  list) printf '%s\n' "${targets[@]}" ;;
  *) usage ;;
esac
