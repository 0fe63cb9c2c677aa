#!/usr/bin/env bash
# End-to-end test of `switchboard simulate` against a real `serve` on a free
# loopback port: --dry-run is deterministic for a seed and --start; a few
# seconds of batched traffic (and a slow single-event run) are all accepted,
# the published events can be read back with their data, and every call's and
# conversation's events got event_sequence 1, 2, 3… in publish order; a bad
# token or an unreachable server make it fail with the reason in the summary.
set -euo pipefail
bin=${1:?usage: simulate_test.sh path/to/switchboard}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
passed=0
failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1: expected [$2] got [$3]"; fi
}

"$bin" serve --listen 127.0.0.1:0 --data "$work/data" >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 200); do grep -q '^Dashboard: ' "$work/out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^Dashboard: \(.*\)\/$/\1/p' "$work/out")
[ -n "$url" ] || { echo "server did not start"; cat "$work/err"; exit 1; }
owner=$(sed -n 's/^Owner token: //p' "$work/out")
ingest=$("$bin" token create --data "$work/data" --role ingest)

# Determinism: the same seed and start give the same bytes; another seed does not.
"$bin" simulate --dry-run --count 500 --seed 42 --start 2026-11-22T10:00:00Z >"$work/a.jsonl"
"$bin" simulate --dry-run --count 500 --seed 42 --start 2026-11-22T10:00:00Z >"$work/b.jsonl"
"$bin" simulate --dry-run --count 500 --seed 43 --start 2026-11-22T10:00:00Z >"$work/c.jsonl"
check "dry run prints one event per line" 500 "$(wc -l <"$work/a.jsonl")"
check "same seed, same events" same "$(cmp -s "$work/a.jsonl" "$work/b.jsonl" && echo same || echo different)"
check "other seed, other events" different "$(cmp -s "$work/a.jsonl" "$work/c.jsonl" && echo same || echo different)"
check "--mix and --calls-only exclude each other" refused \
  "$("$bin" simulate --dry-run --calls-only --mix calls=1 >/dev/null 2>&1 && echo accepted || echo refused)"
check "a bad --mix is refused" refused \
  "$("$bin" simulate --dry-run --mix sms=1 >/dev/null 2>&1 && echo accepted || echo refused)"

# A few seconds of batched traffic with an ingest token from the environment.
rc=0
SWITCHBOARD_TOKEN=$ingest "$bin" simulate --url "$url" --rate 300 --duration 3 --seed 7 --concurrency 6 \
  --results "$work/results.jsonl" >"$work/summary" 2>"$work/sim.err" || rc=$?
check "simulate exits 0 when all is accepted" 0 "$rc"
sent=$(sed -n 's/^sent \([0-9]*\) events.*/\1/p' "$work/summary")
check "summary: all accepted" "sent $sent accepted $sent refused 0 failed 0" \
  "$(sed -n 's/^sent \([0-9]*\) events in .*: \([0-9]*\) accepted, \([0-9]*\) refused, \([0-9]*\) failed$/sent \1 accepted \2 refused \3 failed \4/p' "$work/summary")"
check "about rate × duration events" yes "$([ "${sent:-0}" -ge 600 ] && [ "${sent:-0}" -le 1000 ] && echo yes || echo no)"
check "one result line per event" "$sent" "$(wc -l <"$work/results.jsonl")"

# The server has them: read some back, and check per-call / per-conversation sequencing.
python3 - "$work/results.jsonl" "$url" "$owner" >"$work/py.out" 2>&1 <<'EOF' || true
import json, sys, urllib.request
path, url, token = sys.argv[1:4]
rows = [json.loads(line) for line in open(path)]
problems = []
last = {}
calls = set()
for row in rows:
    if "event_id" not in row:
        problems.append("not accepted: %s" % row)
        continue
    if row["type"] == "call.disposition":
        if row["event_sequence"] is not None:
            problems.append("disposition has a sequence: %s" % row)
        continue
    expected = last.get(row["id"], 0) + 1
    if row["event_sequence"] != expected:
        problems.append("%s: sequence %s, expected %d" % (row["id"], row["event_sequence"], expected))
    last[row["id"]] = row["event_sequence"]
    if row["type"] == "call.summary":
        calls.add(row["id"])
for row in rows[:: max(1, len(rows) // 20)]:
    request = urllib.request.Request(url + "/api/v2/events/" + row["event_id"],
                                     headers={"Authorization": "Bearer " + token})
    event = json.load(urllib.request.urlopen(request))["event"]
    data = event["data"]
    if event["event_type"] != row["type"] or row["id"] not in (data.get("call_id"), data.get("conversation_id")):
        problems.append("stored event differs: %s" % event)
print("problems", len(problems))
for p in problems[:10]:
    print(p)
print("complete calls", "many" if len(calls) >= 10 else len(calls))
EOF
check "events stored and sequenced per call" "problems 0" "$(sed -n '1p' "$work/py.out")"
check "whole calls were published" "complete calls many" "$(grep '^complete calls' "$work/py.out" || cat "$work/py.out")"

# Low rates publish one event per request.
rc=0
"$bin" simulate --url "$url" --token "$ingest" --rate 10 --count 5 --seed 9 >"$work/slow" 2>/dev/null || rc=$?
check "slow run exits 0" 0 "$rc"
check "slow run: 5 accepted" "5 accepted, 0 refused, 0 failed" "$(sed -n 's/^sent 5 events in .*: \(.*\)$/\1/p' "$work/slow")"

# Failures are reported, with their reason, and the exit code says so.
rc=0
"$bin" simulate --url "$url" --token sbt_not-a-token --rate 50 --count 10 >"$work/bad" 2>/dev/null || rc=$?
check "bad token: exit 1" 1 "$rc"
check "bad token: reason shown" 1 "$(grep -c 'not accepted (10): HTTP 401 unauthorized' "$work/bad")"
rc=0
"$bin" simulate --url http://127.0.0.1:1 --token t --rate 5 --count 1 >"$work/down" 2>/dev/null || rc=$?
check "unreachable server: exit 1" 1 "$rc"
check "unreachable server: reason shown" 1 "$(grep -c 'transport: ' "$work/down")"

echo "simulate_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
