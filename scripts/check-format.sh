#!/usr/bin/env bash
# Fails when any C++ source differs from what .clang-format asks for.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v clang-format >/dev/null || { echo "clang-format not installed"; exit 1; }
bad=0
while IFS= read -r f; do
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then echo "needs clang-format: $f"; bad=$((bad + 1)); fi
done < <(git ls-files '*.cc' '*.h' '*.cpp' 2>/dev/null || find src tests -name '*.cc' -o -name '*.h')
echo "format: $bad file(s) need formatting"
[ "$bad" -eq 0 ]
