#!/usr/bin/env bash
# docs/events.md stays true: every example envelope in it, published as an
# event (its event_type and data) to a real `serve`, is accepted, one or more
# per event type, with the sequencing shown; and the 422 answer shown there is
# what the server answers for that broken event.
set -euo pipefail
bin=${1:?usage: event_docs_test.sh path/to/switchboard}
docs=$(cd "$(dirname "$0")/../.." && pwd)/docs/events.md
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$bin" serve --listen 127.0.0.1:0 --data "$work/data" >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 200); do grep -q '^Dashboard: ' "$work/out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^Dashboard: \(.*\)\/$/\1/p' "$work/out")
[ -n "$url" ] || { echo "server did not start"; cat "$work/err"; exit 1; }
owner=$(sed -n 's/^Owner token: //p' "$work/out")

python3 - "$docs" "$url" "$owner" <<'EOF'
import json, re, sys, urllib.error, urllib.request
docs, url, token = sys.argv[1:4]
text = open(docs, encoding="utf-8").read()

def post(path, body):
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)

failures = []
examples = []
for block in re.findall(r"```json\n(.*?)\n```", text, re.S):
    try:
        value = json.loads(block)
    except ValueError:
        continue  # the schematic blocks ({…})
    if "event_id" in value:
        examples.append(value)
types = {e["event_type"] for e in examples}
if len(types) != 14:
    failures.append("examples cover %d event types, not 14: %s" % (len(types), sorted(types)))
for e in examples:
    status, body = post("/api/v2/events", {"type": e["event_type"], "data": e["data"]})
    if status != 202:
        failures.append("%s example refused: %s" % (e["event_type"], json.dumps(body)))
    elif ("event_sequence" in e) != (body["event_sequence"] is not None):
        failures.append("%s example: sequencing differs from the server's" % e["event_type"])

# The documented 422: call.end without ended_at and with a leg of role "boss".
end = next(e for e in examples if e["event_type"] == "call.end")
data = dict(end["data"])
del data["ended_at"]
data["legs"] = [dict(data["legs"][0], role="boss")] + data["legs"][1:]
status, body = post("/api/v2/events", {"type": "call.end", "data": data})
shown = re.search(r"HTTP/1.1 422 Unprocessable Entity\n\n(.*?)\n```", text, re.S).group(1)
if status != 422 or body != json.loads(shown):
    failures.append("the documented 422 differs: got %d %s" % (status, json.dumps(body)))

for f in failures:
    print("FAIL:", f)
print("event_docs_test: %d examples, %d failures" % (len(examples), len(failures)))
sys.exit(1 if failures else 0)
EOF
