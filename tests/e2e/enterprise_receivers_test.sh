#!/usr/bin/env bash
# Enterprise receivers (issue 16 item 5), end to end against the real binary:
# - mutual TLS: the independent Node.js receiver (tests/receivers/verify.js)
#   demands a client certificate from a CA made here with the openssl CLI; a
#   webhook with that certificate delivers, one without fails with error
#   class `tls`; the API refuses bad PEM with field errors and never shows the key;
# - Ed25519: the webhook's key signs every delivery with a Standard Webhooks
#   `v1a,` entry that the Node receiver checks with crypto.verify and the
#   published `whpk_` key, beside the HMAC one; after a rotation the old key
#   still verifies (it keeps signing for the rotation grace).
set -euo pipefail
bin=${1:?usage: enterprise_receivers_test.sh path/to/switchboard}
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/e2e/lib.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The receiver's server certificate, a client CA, a client certificate it issued, and a stranger.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -keyout "$work/key.pem" -out "$work/cert.pem" -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -keyout "$work/ca.key" -out "$work/ca.pem" -subj "/CN=Receiver Client CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$work/client.key" -out "$work/client.csr" -subj "/O=Acme/CN=switchboard-client" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n' >"$work/client.ext"
openssl x509 -req -in "$work/client.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
  -extfile "$work/client.ext" -out "$work/client.pem" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -keyout "$work/other.key" -out "$work/other.pem" -subj /CN=other 2>/dev/null
secret="whsec_$(openssl rand -base64 32)"

start_server "$bin" "$work/cert.pem"
port=$(free_port)

api "$url/api/v2/webhooks" -d "{\"url\":\"https://localhost:$port/mtls\",\"events\":[\"call\"],\"secret\":\"$secret\"}" >"$work/wh1.json"
api "$url/api/v2/webhooks" -d "{\"url\":\"https://localhost:$port/plain\",\"events\":[\"call\"],\"secret\":\"$secret\"}" >"$work/wh2.json"
wh1=$(jq -r .id "$work/wh1.json")
wh2=$(jq -r .id "$work/wh2.json")
check "no client certificate at first" null "$(jq -c .client_certificate "$work/wh1.json")"
check "no Ed25519 key at first" null "$(jq -c .ed25519_public_key "$work/wh1.json")"

# Bad input: one field error each, 400.
put_cert() {  # put_cert CERT_FILE KEY_FILE -> "status code field"
  jq -n --rawfile c "$1" --rawfile k "$2" '{certificate: $c, private_key: $k}' >"$work/body.json"
  api -o "$work/put.json" -w '%{http_code}' -X PUT "$url/api/v2/webhooks/$wh1/client-certificate" -d @"$work/body.json" >"$work/status"
  echo "$(cat "$work/status") $(jq -r '.error.code + " " + (.error.field // "")' "$work/put.json")"
}
printf 'hello' >"$work/junk.pem"
check "not a certificate" "400 invalid_certificate certificate" "$(put_cert "$work/junk.pem" "$work/client.key")"
check "a key that does not match" "400 key_mismatch private_key" "$(put_cert "$work/client.pem" "$work/other.key")"
check "a key that is not PEM" "400 invalid_private_key private_key" "$(put_cert "$work/client.pem" "$work/junk.pem")"
check "another company's route shape: unknown webhook" 404 \
  "$(api -o /dev/null -w '%{http_code}' -X PUT "$url/api/v2/webhooks/wh_nope/client-certificate" -d @"$work/body.json")"

# The real one: leaf + its chain.
cat "$work/client.pem" "$work/ca.pem" >"$work/chain.pem"
check "client certificate accepted" "200  " "$(put_cert "$work/chain.pem" "$work/client.key")"
check "subject shown" "CN=switchboard-client,O=Acme" "$(jq -r .client_certificate.subject "$work/put.json")"
check "fingerprint is the leaf's" \
  "$(openssl x509 -in "$work/client.pem" -outform DER | sha256sum | cut -d' ' -f1)" \
  "$(jq -r .client_certificate.fingerprint_sha256 "$work/put.json")"
api "$url/api/v2/webhooks/$wh1" >"$work/get.json"
check "GET shows the certificate" "CN=Receiver Client CA" "$(jq -r .client_certificate.issuer "$work/get.json")"
check "the key is never answered" 0 "$(cat "$work"/put.json "$work"/get.json | grep -c 'PRIVATE KEY' || true)"

# Ed25519: generate, and start the receiver with the published key.
api -X POST "$url/api/v2/webhooks/$wh1/signing-keys/ed25519" >"$work/key1.json"
pk1=$(jq -r .ed25519_public_key "$work/key1.json")
check "public key is whpk_ + 32 bytes" 32 "$(printf '%s' "${pk1#whpk_}" | base64 -d | wc -c)"

node "$here/receivers/verify.js" --port "$port" --cert "$work/cert.pem" --key "$work/key.pem" \
  --secret "$secret" --public-key "$pk1" --client-ca "$work/ca.pem" >"$work/node.out" 2>&1 &
pids+=($!)
wait_for "$work/node.out" '^listening'

test_delivery() { api -X POST "$url/api/v2/webhooks/$1/test" -d '{"event_type":"call.answered"}'; }
test_delivery "$wh1" >"$work/test1.json"
check "with the certificate: delivered" true "$(jq -r .delivered "$work/test1.json")"
test_delivery "$wh2" >"$work/test2.json"
check "without a certificate: not delivered" false "$(jq -r .delivered "$work/test2.json")"
check "without a certificate: a tls failure" tls "$(jq -r '.error | split(":")[0]' "$work/test2.json")"

# Real events over the engine: every delivery to wh1 verifies (HMAC and Ed25519, mutual TLS).
# An event the API refuses (422) would never reach the receiver: each must be accepted.
publish() {
  api -o "$work/publish.json" -w '%{http_code}' "$url/api/v2/events" -d "{\"type\":\"call.answered\",\"data\":{\"call_id\":\"$1\",\"direction\":\"inbound\",\"from\":\"+911234\",\"to\":\"+915678\",\"status\":\"in_progress\",\"started_at\":\"2026-11-22T10:03:40Z\",\"legs\":[{\"number\":\"+915678\",\"role\":\"agent\",\"state\":\"answered\",\"started_at\":\"2026-11-22T10:03:50Z\"}]}}" >"$work/status"
  check "event $1 accepted" 202 "$(cat "$work/status")"
  [ "$(cat "$work/status")" == 202 ] || cat "$work/publish.json"
}
for i in 1 2 3; do publish "c$i"; done
wait_count "$work/node.out" '^ok ' 4
check "every delivery verified (test + 3 events)" 4 "$(count_lines "$work/node.out" '^ok ')"

# Rotation: the old key keeps signing beside the new one, so the receiver that
# only knows the old key still verifies.
api -X POST "$url/api/v2/webhooks/$wh1/signing-keys/ed25519" >"$work/key2.json"
check "rotation shows the previous key" "$pk1" "$(jq -r .previous_ed25519_public_key "$work/key2.json")"
check "a new key" false "$([ "$(jq -r .ed25519_public_key "$work/key2.json")" == "$pk1" ] && echo true || echo false)"
sleep 1.2  # the engine's webhook cache holds a webhook up to 1 s
publish c4
wait_count "$work/node.out" '^ok ' 5
check "the old key still verifies after a rotation" 5 "$(count_lines "$work/node.out" '^ok ')"
check "no delivery was rejected" 0 "$(count_lines "$work/node.out" '^bad ')"
grep '^bad ' "$work/node.out" || true

# Removal.
check "DELETE the certificate" 204 "$(api -o /dev/null -w '%{http_code}' -X DELETE "$url/api/v2/webhooks/$wh1/client-certificate")"
check "DELETE the Ed25519 keys" 204 "$(api -o /dev/null -w '%{http_code}' -X DELETE "$url/api/v2/webhooks/$wh1/signing-keys/ed25519")"
api "$url/api/v2/webhooks/$wh1" >"$work/get2.json"
check "certificate gone" null "$(jq -c .client_certificate "$work/get2.json")"
check "key gone" null "$(jq -c .ed25519_public_key "$work/get2.json")"
check "the private keys are never logged" 0 "$(cat "$work/server.out" "$work/server.err" | grep -c -e 'PRIVATE KEY' -e "$(sed -n 2p "$work/client.key")" || true)"

finish
