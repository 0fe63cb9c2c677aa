#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy: the curated checks and the naming scheme) over
# the C++ sources of src/ and fails on any finding. Needs the compile database
# of a configured build (build/compile_commands.json, or $BUILD_DIR).
#
#   scripts/clang-tidy.sh            the .cc files under src/ changed since BASE
#                                    (and the .cc beside each changed .h); this is
#                                    the lint.clang_tidy test
#   scripts/clang-tidy.sh --all      every .cc under src/ (~15 CPU-minutes)
#   scripts/clang-tidy.sh FILE...    just these
#
# Why "changed" in CI: one TU costs 3-20 s of CPU (Boost headers), so all ~160
# take ~8 minutes on CI's two cores, a quarter of the 30-minute budget; the
# changed files of a branch or merge are usually a few dozen at most. BASE is
# $SWITCHBOARD_TIDY_BASE if set, else the merge base with `main` when HEAD is
# not on main, else HEAD~1 (on main that is the whole merged branch, since a
# merge's first parent is main before it). At most $SWITCHBOARD_TIDY_MAX files
# (default 40) are checked; any beyond are named, and `--all` checks them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
cd "$root"
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
[ -n "$tidy" ] || { echo "clang-tidy not installed (scripts/setup.sh installs it)"; exit 1; }
[ -f "$build/compile_commands.json" ] || { echo "no $build/compile_commands.json: run scripts/build.sh"; exit 1; }

files=()
if [ "${1:-}" = --all ]; then
  mapfile -t files < <(git ls-files 'src/*.cc' 'src/*.cpp')
elif [ $# -gt 0 ]; then
  files=("$@")
else
  base=${SWITCHBOARD_TIDY_BASE:-}
  if [ -z "$base" ]; then
    if git rev-parse -q --verify main >/dev/null && [ "$(git merge-base HEAD main)" != "$(git rev-parse HEAD)" ]; then
      base=$(git merge-base HEAD main)
    else
      base=$(git rev-parse -q --verify HEAD~1 || git rev-parse HEAD)
    fi
  fi
  declare -A seen=()
  while IFS= read -r f; do
    case "$f" in
      *.h) f=${f%.h}.cc ;;
      *.cc | *.cpp) ;;
      *) continue ;;
    esac
    [ -f "$f" ] && [ -z "${seen[$f]:-}" ] && { seen[$f]=1; files+=("$f"); }
  done < <(git diff --name-only "$base" -- 'src/*.cc' 'src/*.cpp' 'src/*.h'; git ls-files --others --exclude-standard 'src/*.cc' 'src/*.h')
  echo "clang-tidy: ${#files[@]} changed file(s) since $(git rev-parse --short "$base")"
fi
max=${SWITCHBOARD_TIDY_MAX:-40}
if [ "${1:-}" != --all ] && [ ${#files[@]} -gt "$max" ]; then
  echo "clang-tidy: checking the first $max; not checked here (scripts/clang-tidy.sh --all does): ${files[*]:$max}"
  files=("${files[@]:0:$max}")
fi
[ ${#files[@]} -gt 0 ] || { echo "clang-tidy: nothing to check"; exit 0; }

# Two at a time (the CI machine has two cores); every finding is an error.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
printf '%s\n' "${files[@]}" |
  xargs -P "${JOBS:-2}" -n 1 "$tidy" -p "$build" --quiet --warnings-as-errors='*' >"$log" 2>&1 || status=$?
grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Use -system-headers' "$log" || true
echo "clang-tidy: ${#files[@]} file(s), $([ $status -eq 0 ] && echo clean || echo 'findings above')"
exit $status
