#!/usr/bin/env bash
# Every delivery must verify in receivers written independently of our code,
# the way customers write them from the help centre: tests/receivers/verify.js
# (Node.js, seed 002 + 004 snippets, Standard Webhooks, and
# JSON.stringify(JSON.parse(body)) === body) and tests/receivers/verify.py
# (Python stdlib). The server delivers real events over TLS to both.
set -euo pipefail
bin=${1:?usage: independent_verifiers_test.sh path/to/switchboard}
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/e2e/lib.sh"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -keyout "$work/key.pem" -out "$work/cert.pem" -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
secret="whsec_$(openssl rand -base64 32)"

node "$here/receivers/verify.js" --port 0 --cert "$work/cert.pem" --key "$work/key.pem" --secret "$secret" >"$work/node.out" 2>&1 &
pids+=($!)
python3 "$here/receivers/verify.py" --port 0 --cert "$work/cert.pem" --key "$work/key.pem" --secret "$secret" >"$work/py.out" 2>&1 &
pids+=($!)
wait_for "$work/node.out" '^listening'
wait_for "$work/py.out" '^listening'
node_port=$(sed -n 's/^listening \([0-9]*\).*/\1/p' "$work/node.out")
py_port=$(sed -n 's/^listening \([0-9]*\).*/\1/p' "$work/py.out")

start_server "$bin" "$work/cert.pem"

for port in "$node_port" "$py_port"; do
  api "$url/api/v2/webhooks" -d "{\"url\":\"https://localhost:$port/hook\",\"events\":[\"call\",\"whatsapp\"],\"secret\":\"$secret\"}" >/dev/null
done

# Events whose JSON exercises serialization: unicode, escapes, floats, big and negative numbers, nesting.
# (Numbers beyond ±(2^53 − 1), such as 1e21, are refused at ingest: unsafe_integer.)
events='[
 {"type":"call.initiated","data":{"call_id":"c1","direction":"inbound","from":"+911234","to":"+915678","status":"initiated","started_at":"2026-11-22T10:03:40Z",
  "legs":[{"number":"+911234","role":"customer","state":"answered","started_at":"2026-11-22T10:03:40Z","answered_at":"2026-11-22T10:03:40Z"}]}},
 {"type":"call.answered","data":{"call_id":"c1","direction":"inbound","from":"+911234","to":"+915678","status":"in_progress","started_at":"2026-11-22T10:03:40Z",
  "note":"caf\u00e9 \u20ac \ud83d\ude00 \"q\" \\ / \t\n","legs":[{"number":"+91","role":"agent","state":"answered","started_at":"2026-11-22T10:03:50Z"}]}},
 {"type":"call.end","data":{"call_id":"c1","direction":"inbound","from":"+911234","to":"+915678","status":"completed","started_at":"2026-11-22T10:03:40Z","ended_at":"2026-11-22T10:06:03Z",
  "legs":[{"number":"+91","role":"agent","state":"completed","started_at":"2026-11-22T10:03:50Z","ended_at":"2026-11-22T10:06:03Z"}],
  "duration_sec":143,"ratio":0.1,"big":9007199254740991,"tiny":1e-7,"exp":1.5E-10,"neg":-0.0,"f":1.50}},
 {"type":"call.summary","data":{"call_id":"c1","direction":"inbound","from":"+911234","to":"+915678","status":"completed","started_at":"2026-11-22T10:03:40Z","ended_at":"2026-11-22T10:06:03Z","duration_sec":143,
  "legs":[{"number":"+91","role":"agent","state":"completed","started_at":"2026-11-22T10:03:50Z","ended_at":"2026-11-22T10:06:03Z"}],
  "agent":{"name":"Asha","email":"a@x.in","extension":"101"},"department":{"id":"d1","name":"Sales"}}},
 {"type":"call.disposition","data":{"call_id":"c1","disposition":"Interested","agent_id":"agt_1","ctrl":"\u0001\u001f\u007f"}},
 {"type":"message.received","data":{"conversation_id":"w1","message_id":"m1","from":"+911234","to":"+915678","status":"received","timestamp":"2026-11-22T10:07:00Z",
  "message_type":"text","text":"\u0928\u092e\u0938\u094d\u0924\u0947","empty":{},"list":[]}},
 {"type":"message.link_tracking","data":{"conversation_id":"w1","message_id":"m0","customer_number":"+911234","timestamp":"2026-11-22T10:08:00Z","url":"https://x.example/?a=1&b=%3C2%3E","label":"a=1&b=<2>"}}
]'
api "$url/api/v2/events/batch" -d "{\"events\":$events}" >"$work/batch.out"
check "all 7 accepted" 7 "$(grep -o '"event_id"' "$work/batch.out" | wc -l)"
for f in node py; do
  wait_count "$work/$f.out" '^ok ' 7
  check "$f verifier accepted every delivery" 7 "$(count_lines "$work/$f.out" '^ok ')"
  check "$f verifier rejected none" 0 "$(count_lines "$work/$f.out" '^bad ')"
done
grep '^bad ' "$work/node.out" "$work/py.out" || true

finish
