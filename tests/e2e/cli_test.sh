#!/usr/bin/env bash
# End-to-end test of the real binary: `serve` on a free port with a fresh data
# directory prints the owner token and dashboard URL; offline `token create`
# and `company create` work while it runs and the server honours them at once
# (also `token list/revoke` and `user deactivate`);
# SIGTERM shuts it down cleanly; a restart keeps everything.
set -euo pipefail
bin=${1:?usage: cli_test.sh path/to/switchboard}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
passed=0
failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1: expected [$2] got [$3]"; fi
}

start_server() {
  "$bin" serve --listen 127.0.0.1:0 --data "$work/data" >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 1 200); do grep -q '^Dashboard: ' "$work/out" 2>/dev/null && break; sleep 0.05; done
  url=$(sed -n 's/^Dashboard: \(.*\)\/$/\1/p' "$work/out")
  [ -n "$url" ] || { echo "server did not start"; cat "$work/err"; exit 1; }
}
status() {  # status TOKEN METHOD PATH [BODY]
  curl -s -o /dev/null -w '%{http_code}' -X "$2" -H "Authorization: Bearer $1" \
    ${4:+-H 'Content-Type: application/json' --data "$4"} "$url$3"
}

start_server
owner=$(sed -n 's/^Owner token: //p' "$work/out")
check "owner token printed" 1 "$([ -n "$owner" ] && echo 1 || echo 0)"
check "GET /me as owner" 200 "$(status "$owner" GET /api/v2/me)"
check "data dir is private" 700 "$(stat -c %a "$work/data")"
check "secret key is private" 600 "$(stat -c %a "$work/data/secret.key")"

# Offline commands against the same data directory while serve runs.
admin=$("$bin" token create --data "$work/data" --role admin)
ingest=$("$bin" token create --data "$work/data" --role ingest)
check "CLI admin token works at once" 200 "$(status "$admin" GET /api/v2/webhooks)"
check "CLI ingest token cannot manage webhooks" 403 "$(status "$ingest" GET /api/v2/webhooks)"
check "bad role is refused" refused "$("$bin" token create --data "$work/data" --role boss >/dev/null 2>&1 && echo accepted || echo refused)"
other=$("$bin" company create --data "$work/data" --name Acme)
check "CLI company owner works" 200 "$(status "$other" GET /api/v2/me)"
check "with two companies --company is required" refused "$("$bin" token create --data "$work/data" --role agent >/dev/null 2>&1 && echo accepted || echo refused)"
check "create webhook" 201 "$(status "$owner" POST /api/v2/webhooks '{"url":"https://example.com/h","events":["call"]}')"
check "no token" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v2/me")"

# Token lifecycle offline (issue 12 item 9): expiry, list without secrets,
# revoke and deactivate, each refused by the running server at once.
json_field() {  # json_field FIELD: the first "FIELD":"value" of stdin
  sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" | head -1
}
cmp=$(curl -s -H "Authorization: Bearer $owner" "$url/api/v2/me" | sed -n 's/.*"company":{"id":"\([^"]*\)".*/\1/p')
refused() { "$@" >/dev/null 2>&1 && echo accepted || echo refused; }
day_before=$(date -u -d '+30 days' +%Y-%m-%d)
short=$("$bin" token create --data "$work/data" --company "$cmp" --role agent --expires-in 30d)
day_after=$(date -u -d '+30 days' +%Y-%m-%d)  # the same day unless midnight passed meanwhile
check "token with --expires-in works" 200 "$(status "$short" GET /api/v2/me)"
short_id=$(curl -s -H "Authorization: Bearer $short" "$url/api/v2/tokens" | json_field id)
check "its expiry is 30 days out" 1 "$(curl -s -H "Authorization: Bearer $short" "$url/api/v2/tokens" | grep -cE "\"expires_at\":\"($day_before|$day_after)")"
check "--expires-in beyond a year refused" refused "$(refused "$bin" token create --data "$work/data" --company "$cmp" --role agent --expires-in 400d)"
check "--expires-in malformed refused" refused "$(refused "$bin" token create --data "$work/data" --company "$cmp" --role agent --expires-in 5x)"
check "--expires-at in the past refused" refused "$(refused "$bin" token create --data "$work/data" --company "$cmp" --role ingest --expires-at 2020-01-01T00:00:00Z)"
check "--expires-at and --expires-in together refused" refused "$(refused "$bin" token create --data "$work/data" --company "$cmp" --role ingest --expires-at 2099-01-01T00:00:00Z --expires-in 1d)"
future=$("$bin" token create --data "$work/data" --company "$cmp" --role ingest --expires-at "$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)")
check "token with --expires-at works" 200 "$(status "$future" GET /api/v2/me)"
"$bin" token list --data "$work/data" --company "$cmp" >"$work/list" 2>&1
check "token list exits 0" 0 "$?"
check "token list never prints a secret" 0 "$(grep -cF -e "$owner" -e "$admin" -e "$short" -e "$ingest" -e "$future" "$work/list" || true)"
check "token list shows the hint" 1 "$(grep -cF "${admin:0:8}" "$work/list")"
check "token list shows the token" 1 "$(grep -c "^$short_id .* active " "$work/list")"
check "token list needs a company when there are several" refused "$(refused "$bin" token list --data "$work/data")"
"$bin" token revoke --data "$work/data" "$short_id" >/dev/null
check "CLI revoke is refused by the running server at once" 401 "$(status "$short" GET /api/v2/me)"
check "revoked says so" 1 "$(curl -s -H "Authorization: Bearer $short" "$url/api/v2/me" | grep -c 'Token revoked')"
check "token list shows it revoked" 1 "$("$bin" token list --data "$work/data" --company "$cmp" | grep -c "^$short_id .* revoked ")"
check "revoking an unknown token fails" refused "$(refused "$bin" token revoke --data "$work/data" tok_01JAAAAAAAAAAAAAAAAAAAAAAA)"
agent=$("$bin" token create --data "$work/data" --company "$cmp" --role agent)
agent_second=$(curl -s -X POST -H "Authorization: Bearer $agent" "$url/api/v2/tokens" | json_field token)
agent_id=$(curl -s -H "Authorization: Bearer $agent" "$url/api/v2/me" | sed -n 's/.*"user":{"id":"\([^"]*\)".*/\1/p')
check "agent's second token works" 200 "$(status "$agent_second" GET /api/v2/me)"
"$bin" user deactivate --data "$work/data" "$agent_id" >/dev/null
check "CLI deactivate: the user's token is refused at once" 401 "$(status "$agent" GET /api/v2/me)"
check "CLI deactivate: every token of theirs" 401 "$(status "$agent_second" GET /api/v2/me)"
other_owner=$(curl -s -H "Authorization: Bearer $other" "$url/api/v2/me" | sed -n 's/.*"user":{"id":"\([^"]*\)".*/\1/p')
check "the last owner cannot be deactivated" refused "$(refused "$bin" user deactivate --data "$work/data" "$other_owner")"
check "the last owner still works" 200 "$(status "$other" GET /api/v2/me)"
check "deactivating an unknown user fails" refused "$(refused "$bin" user deactivate --data "$work/data" usr_01JAAAAAAAAAAAAAAAAAAAAAAA)"

kill -TERM "$pid"
code=0; wait "$pid" || code=$?
pid=
check "graceful exit code" 0 "$code"
check "shutdown logged" 1 "$(grep -c 'phase=done' "$work/err")"

start_server
check "no second owner token after restart" 0 "$(grep -c '^Owner token:' "$work/out" || true)"
check "tokens survive restart" 200 "$(status "$admin" GET /api/v2/webhooks)"
check "webhook survives restart" 1 "$(curl -s -H "Authorization: Bearer $owner" "$url/api/v2/webhooks" | grep -o '"id":"wh_' | wc -l)"
kill -INT "$pid"; wait "$pid" || true; pid=

# A start that cannot bind fails clearly and does not consume the one-time owner token.
port=${url##*:}
start_server
port=${url##*:}
code=0; "$bin" serve --listen "127.0.0.1:$port" --data "$work/fresh" >"$work/busy.out" 2>"$work/busy.err" || code=$?
check "busy port exits non-zero" 1 "$code"
check "busy port says why" 1 "$(grep -c 'cannot listen' "$work/busy.err")"
kill -TERM "$pid"; wait "$pid" || true; pid=

# Options from a config file ([serve] section) and the environment.
printf '[serve]\nlisten = "127.0.0.1:0"\ndata = "%s"\n' "$work/fresh" >"$work/sb.toml"
"$bin" --config "$work/sb.toml" serve >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 200); do grep -q '^Dashboard: ' "$work/out" 2>/dev/null && break; sleep 0.05; done
check "config file data dir used; token not consumed by the failed start" 1 "$(grep -c '^Owner token:' "$work/out")"
kill -TERM "$pid"; wait "$pid" || true; pid=
code=0; SWITCHBOARD_LISTEN=not-an-address "$bin" serve --data "$work/fresh" >/dev/null 2>"$work/err" || code=$?
check "env option is read and validated" 1 "$code"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
