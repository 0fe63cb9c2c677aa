# Shared by the bash end-to-end tests (source it after `set -euo pipefail`):
# a work directory and child processes cleaned up on exit, pass/fail counting,
# bounded waits on a condition, and the real server started on loopback.
#
#   source "$(dirname "$0")/lib.sh"
#   start_server "$bin" "$work/cert.pem"   # sets url, token; api() calls it
#   check "what" expected actual
#   finish                                 # prints the counts; fails if any check failed

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
passed=0
failed=0

check() { if [ "$2" == "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1: expected [$2] got [$3]"; fi; }

# wait_for FILE PATTERN: until a line of FILE matches (20 s at most).
wait_for() {
  for _ in $(seq 1 400); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "timed out waiting for $2 in $1"; cat "$1"; return 1
}

# count_lines FILE PATTERN: how many lines of FILE match (0 when none or no file).
count_lines() { grep -c "$2" "$1" 2>/dev/null || true; }

# wait_count FILE PATTERN N: until at least N lines of FILE match (20 s at most;
# the caller checks the count afterwards).
wait_count() {
  for _ in $(seq 1 400); do [ "$(count_lines "$1" "$2")" -ge "$3" ] && return 0; sleep 0.05; done
  return 0
}

# start_server BIN CA_FILE: `serve` on a free loopback port with its data in
# $work/data, private networks allowed (receivers are on loopback) and CA_FILE
# trusted; output in $work/server.out and $work/server.err.
start_server() {
  "$1" serve --listen 127.0.0.1:0 --data "$work/data" --allow-private-networks --ca-file "$2" \
    >"$work/server.out" 2>"$work/server.err" &
  pids+=($!)
  wait_for "$work/server.out" '^Dashboard: '
  url=$(sed -n 's/^Dashboard: \(.*\)\/$/\1/p' "$work/server.out")
  token=$(sed -n 's/^Owner token: //p' "$work/server.out")
}
api() { curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
