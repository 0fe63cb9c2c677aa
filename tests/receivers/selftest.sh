#!/usr/bin/env bash
# Self-test of the independent verifiers (verify.js, verify.py): generates a
# certificate with openssl, signs requests with openssl (not with our code),
# sends them with curl --cacert, and checks each verifier's answers (200 for a
# correct delivery, 401 otherwise) and its final "verified N rejected N" line.
#
# Usage: tests/receivers/selftest.sh [path/to/switchboard]
# With a switchboard binary, `switchboard receive` gets the same requests too
# and must report the good ones as verified and the bad ones as failed.
# Exits non-zero on any failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
switchboard=${1:-}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -keyout "$work/key.pem" -out "$work/cert.pem" -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null

# A whsec_ secret (base64 of 32 random bytes) and a second one for the rotation case.
hex_to_base64() { printf '%b' "$(sed 's/../\\x&/g' <<<"$1")" | base64 -w0; }
key_hex=$(openssl rand -hex 32)
other_hex=$(openssl rand -hex 32)
secret="whsec_$(hex_to_base64 "$key_hex")"
other="whsec_$(hex_to_base64 "$other_hex")"

# hex HMAC keyed with the secret string itself (seed 002 / 004).
hmac_hex() { printf '%s' "$2" | openssl dgst -sha256 -hmac "$1" | awk '{print $NF}'; }
# Standard Webhooks: base64 HMAC keyed with the decoded whsec_ bytes.
hmac_std() { printf '%s' "$2" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$1" -binary | base64 -w0; }

# build NAME BODY [SIGNING_SECRET SIGNING_KEY_HEX] [EXTRA_HEX EXTRA_STD]: writes NAME.body and NAME.headers.
build() {
  local name=$1 body=$2 sign_secret=${3:-$secret} sign_hex=${4:-$key_hex} extra_hex=${5:-} extra_std=${6:-}
  local id ts hex std
  id=$(sed -n 's/^{"event_id":"\([^"]*\)".*/\1/p' <<<"$body")
  ts=$(date +%s)
  hex=$(hmac_hex "$sign_secret" "$body")
  std="v1,$(hmac_std "$sign_hex" "$id.$ts.$body")"
  printf '%s' "$body" >"$work/$name.body"
  {
    echo "Content-Type: application/json"
    echo "X-MO-Event-Id: $id"
    echo "X-MO-Delivery-Attempt: 1"
    echo "X-MO-Timestamp: $ts"
    echo "X-MyOperator-Signature: ${extra_hex:+$extra_hex,}$hex"
    echo "X-MO-Signature: ${extra_hex:+sha256=$extra_hex,}sha256=$hex"
    echo "webhook-id: $id"
    echo "webhook-timestamp: $ts"
    echo "webhook-signature: ${extra_std:+$extra_std }$std"
  } >"$work/$name.headers"
}

envelope() {
  printf '{"event_id":"%s","event_type":"call.answered","event_sequence":2,"created_at":"2026-11-22T10:03:59.123Z","company_id":"cmp_1","data":{"call_id":"call_78e3c7","from":"+12025550123","note":"naïve – ✓ \\u0001 \\"q\\""}}' "$1"
}

build good "$(envelope evt_good)"
build wrong_secret "$(envelope evt_wrong_secret)" "$other" "$other_hex"
# Correct HMACs over the raw bytes, but not what JSON.stringify(JSON.parse(body)) gives.
build not_canonical "$(envelope evt_not_canonical | sed 's/,"event_type"/, "event_type"/')"
# Rotation: an unknown signature first, then the right one, in every scheme.
build rotation "$(envelope evt_rotation)" "$secret" "$key_hex" "$(hmac_hex "$other" x)" "v1,$(hmac_std "$other_hex" x)"
cases=(good:200 wrong_secret:401 not_canonical:401 rotation:200)

post() {  # post PORT NAME -> HTTP status
  curl -sS -o "$work/response" -w '%{http_code}' --max-time 10 --cacert "$work/cert.pem" \
    -H @"$work/$2.headers" --data-binary @"$work/$2.body" "https://localhost:$1/webhooks" || echo 000
}

# start NAME PATTERN COMMAND...: runs COMMAND, waits for a line matching PATTERN (whose
# last number is the port) on its stdout, and sets $port and $pid.
start() {
  local name=$1 pattern=$2
  shift 2
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pid=$!
  pids+=("$pid")
  port=""
  for _ in $(seq 100); do
    port=$(grep -m1 -E "$pattern" "$work/$name.out" 2>/dev/null | grep -oE '[0-9]+$' || true)
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  fail "$name did not start: $(cat "$work/$name.err")"
  return 1
}

stop() {  # stop NAME: SIGTERM, wait, and show the last line
  kill -TERM "$pid"
  wait "$pid" || fail "$1 exited with status $?"
}

# check_verifier NAME CANONICAL_CHECK COMMAND…: CANONICAL_CHECK is yes when the
# verifier insists on JSON.stringify(JSON.parse(body)) === body (Node only:
# Python prints some numbers differently from JavaScript, so verify.py checks
# the raw body's signatures, as seed 002 does).
check_verifier() {
  local name=$1 canonical=$2
  shift 2
  local -a expect=("${cases[@]}")
  [ "$canonical" = yes ] || expect=(good:200 wrong_secret:401 not_canonical:200 rotation:200)
  start "$name" '^listening [0-9]+$' "$@" --port 0 --cert "$work/cert.pem" --key "$work/key.pem" \
    --secret "$secret" || return 0
  for case in "${expect[@]}"; do
    local status
    status=$(post "$port" "${case%%:*}")
    [ "$status" = "${case##*:}" ] || fail "$name: ${case%%:*} answered $status, expected ${case##*:}"
  done
  stop "$name"
  grep -qx "ok evt_good" "$work/$name.out" || fail "$name: no 'ok evt_good' line"
  local want="verified 3 rejected 1"
  if [ "$canonical" = yes ]; then
    grep -q "^bad evt_not_canonical .*differs from the body" "$work/$name.out" ||
      fail "$name: the non-canonical body was not reported as such"
    want="verified 2 rejected 2"
  fi
  [ "$(tail -n1 "$work/$name.out")" = "$want" ] ||
    fail "$name: last line is '$(tail -n1 "$work/$name.out")', expected '$want'"
  echo "--- $name"
  cat "$work/$name.out"
}

check_verifier node yes node "$here/verify.js"
check_verifier python no python3 "$here/verify.py"

if [ -n "$switchboard" ]; then
  # The C++ receiver answers --status (200) whatever the verdict and reports the verdict per line.
  if start switchboard '^Receiving on https://' "$switchboard" receive --listen 127.0.0.1:0 \
    --cert "$work/cert.pem" --key "$work/key.pem" --secret "$secret"; then
    for case in "${cases[@]}"; do
      [ "$(post "$port" "${case%%:*}")" = 200 ] || fail "switchboard receive: ${case%%:*} not answered 200"
    done
    stop switchboard
    for case in good rotation; do
      grep -q "\"event_id\":\"evt_$case\".*\"signatures\":\"ok\"" "$work/switchboard.out" ||
        fail "switchboard receive: evt_$case not verified"
    done
    grep -q '"event_id":"evt_wrong_secret".*"signatures":"failed"' "$work/switchboard.out" ||
      fail "switchboard receive: evt_wrong_secret not reported as failed"
    grep -q '"event_id":"evt_not_canonical".*"errors":\["body is not what JSON.stringify' "$work/switchboard.out" ||
      fail "switchboard receive: evt_not_canonical not reported as not canonical"
    grep -qx "received 4, verified 2, failed 2" "$work/switchboard.out" ||
      fail "switchboard receive: wrong final count line"
    echo "--- switchboard receive"
    cat "$work/switchboard.out"
  fi
fi

if [ "$failures" -ne 0 ]; then
  echo "selftest: $failures failure(s)"
  exit 1
fi
echo "selftest: all verifiers behave"
