#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/ from the documentation.

Event bodies come from the examples in docs/events.md (each envelope turned
back into the body that published it), webhook bodies from the shapes in the
API contract; the rest are small hand-written valid and invalid inputs.
Run it again after the examples change:  python3 fuzz/make_seeds.py
"""
import base64
import hashlib
import hmac
import json
import pathlib
import re
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def doc_envelopes():
    text = (ROOT / "docs" / "events.md").read_text()
    out = []
    for block in re.findall(r"```json\n(.*?)```", text, re.S):
        try:
            value = json.loads(block)
        except json.JSONDecodeError:
            continue  # the "…" placeholders of the overview
        if isinstance(value, dict) and "event_type" in value and isinstance(value.get("data"), dict):
            out.append(value)
    return out


def write(target, seeds):
    directory = CORPUS / target
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    for name, content in seeds.items():
        data = content if isinstance(content, bytes) else content.encode()
        (directory / name).write_bytes(data)


envelopes = doc_envelopes()
assert len(envelopes) >= 14, "docs/events.md should hold an example of every event type"


def publish_body(envelope):
    return {"type": envelope["event_type"], "occurred_at": envelope["created_at"], "data": envelope["data"]}


# --- event_ingest: request bodies of POST /api/v2/events and /events/batch ---
seeds = {}
for i, envelope in enumerate(envelopes):
    seeds[f"doc_{i:02d}_{envelope['event_type']}.json"] = compact(publish_body(envelope))
seeds["batch.json"] = compact({"events": [publish_body(e) for e in envelopes[:3]] + [{"type": "call.end"}]})
first = publish_body(envelopes[0])
seeds["idempotency_key.json"] = compact(dict(first, idempotency_key="order-42", occurred_at="2026-11-22T15:54:22+05:30"))
seeds["unsafe_integer.json"] = compact(dict(first, data=dict(first["data"], big=9007199254740993, list=[1.5e300, -0.0])))
seeds["unknown_field.json"] = '{"type":"call.answered","data":{},"extra":1}'
seeds["missing_data.json"] = '{"type":"message.read"}'
seeds["not_object.json"] = "[1,2,3]"
seeds["too_deep.json"] = "[" * 33 + "]" * 33
seeds["truncated.json"] = compact(first)[:60]
write("event_ingest", seeds)

# --- webhook_input: POST/PATCH /api/v2/webhooks bodies and single values ---
write("webhook_input", {
    "create_none.json": compact({
        "name": "CRM sync", "url": "https://crm.example.com/hooks", "auth": {"type": "none"},
        "headers": [{"key": "X-Source", "value": "switchboard"}],
        "events": ["call.summary", "call.disposition", "message.received"],
        "filters": {"direction": ["inbound"], "department_ids": ["dep_support"], "agent_ids": ["agt_1"]},
        "secret": "generate"}),
    "create_basic.json": compact({
        "url": "https://crm.example.com:8443/hooks?x=1", "auth": {"type": "basic", "username": "u", "password": "p"},
        "events": ["call"], "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}),
    "create_api_key.json": compact({
        "url": "https://hooks.example.org/in", "description": "Ops",
        "auth": {"type": "api_key", "location": "header", "keys": [{"name": "X-Api-Key", "value": "k"}]},
        "events": ["whatsapp", "call.end"], "secret": None}),
    "create_invalid.json": compact({
        "url": "http://user:pw@example.com/#x", "auth": {"type": "basic", "username": "a:b"},
        "headers": [{"key": "Content-Type", "value": "x"}, {"key": "x y", "value": "a\nb"}, {"key": "X-A"}, {"key": "x-a"}],
        "events": ["call.nope", 3], "filters": {"direction": ["sideways"]}, "secret": "whsec_short"}),
    "patch_masked.json": compact({
        "auth": {"type": "basic", "username": "crm", "password": "********"}, "name": None, "secret": "********"}),
    "patch_api_key_masked.json": compact({
        "auth": {"type": "api_key", "location": "query", "keys": [{"name": "X-Api-Key", "value": "********"}]}}),
    "patch_authorization.json": compact({"headers": [{"key": "Authorization", "value": "Bearer x"}]}),
    "patch_empty.json": "{}",
    "unknown_field.json": '{"evnts":["call.end"]}',
    "url.txt": "https://crm.example.com/hooks",
    "url_port.txt": "HTTPS://[::1]:65536/a",
    "header_name.txt": "X-MO-Signature",
    "secret.txt": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
})

# --- v1_webhook: POST/PATCH /api/v1/webhooks bodies ---
write("v1_webhook", {
    "create.json": compact({
        "type": "after_call", "url": "https://legacy.example.com/hook",
        "headers": [{"key": "X-Auth", "value": "t"}], "query": [{"key": "token", "value": "q"}],
        "fields": ["uid", "clid", "call_state", "event"], "enabled": True, "method": "POST"}),
    "create_get.json": compact({"type": "incall", "url": "https://legacy.example.com/get", "method": "GET"}),
    "patch_masked.json": compact({"headers": [{"key": "X-Auth-Token", "value": "********"}], "enabled": False}),
    "invalid.json": compact({
        "type": "later", "url": "https://x.example", "fields": ["uid", "uid"],
        "headers": [{"key": "Host", "value": "x"}], "query": [{"key": "", "value": "v"}]}),
    "unknown.json": '{"type":"disposition","url":"https://a.example","extra":true}',
    "not_object.json": '"after_call"',
})

# --- signature: "<header lines>\n\n<body>"; the first line doubles as a secret ---
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
NOW = 1795342800  # the fuzz target's "now"


def delivery(envelope, secret=SECRET, attempt="1", timestamp=NOW, extra=""):
    body = compact(envelope)
    hex_sig = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    key = secret.encode()  # Standard Webhooks: raw bytes, or the base64 after "whsec_"
    if secret.startswith("whsec_"):
        encoded = secret[len("whsec_"):]
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    event_id = envelope.get("event_id", "")
    content = f"{event_id}.{timestamp}.{body}".encode()
    std_sig = "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    head = [
        secret,
        "Content-Type: application/json; charset=utf-8",
        f"X-MyOperator-Signature: {hex_sig}",
        f"X-MO-Signature: sha256=0000,sha256={hex_sig}",
        f"X-MO-Event-Id: {event_id}",
        f"X-MO-Delivery-Attempt: {attempt}",
        f"X-MO-Timestamp: {timestamp}",
        f"webhook-id: {event_id}",
        f"webhook-timestamp: {timestamp}",
        f"webhook-signature: v1a,xyz {std_sig}",
    ]
    return "\n".join(head) + extra + "\n\n" + body


write("signature", {
    "valid_call.txt": delivery(envelopes[0]),
    "valid_message.txt": delivery(envelopes[-1], attempt="7"),
    "stale.txt": delivery(envelopes[1], timestamp=NOW - 3600),
    "raw_secret.txt": delivery(envelopes[2], secret="plain-secret"),
    "bad_attempt.txt": delivery(envelopes[3], attempt="99999999999999999999"),
    "not_json.txt": "whsec_\nwebhook-id: x\n\nnot json",
    "no_headers.txt": "\n\n{\"event_id\":\"evt_1\"}",
})

# --- ssrf: IP literals and raw address bytes ---
write("ssrf", {f"lit_{i:02d}.txt": lit for i, lit in enumerate([
    "127.0.0.1", "10.0.0.1", "169.254.169.254", "100.64.0.1", "8.8.8.8", "255.255.255.255",
    "::1", "::", "::ffff:10.0.0.1", "::ffff:0:127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:0a00:0001::",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2", "fd00:ec2::254", "fe80::1", "2001:db8::1", "2606:4700::1111",
    "ff02::1", "1.2.3.4.5", "127.1"])} | {
    "raw_v4.bin": bytes([169, 254, 169, 254]),
    "raw_v6_mapped.bin": bytes(10) + b"\xff\xff" + bytes([127, 0, 0, 1]),
    "raw_v6_teredo.bin": bytes.fromhex("20010000413655780000000000000000") ,
})

# --- live_call: filters "numbers\ndepartment_ids", relay payloads, call data ---
relay = {"company_id": "cmp_01KAPW0Z3J8D5C1F6H2K9M4Q7R", "call_id": "call_1b4278a862d6b693", "state": "ringing",
         "direction": "inbound", "from": "+918588123517", "to": "+918040000102", "agent_id": "agt_support_1",
         "department_id": "dep_support", "at": 1795342800000}
live = {
    "filter.txt": "+919876500023, +91 98765-00021\ndep_support,dep_sales",
    "filter_bad.txt": "12345\n../x",
    "filter_many.txt": ",".join(["+9198765000%02d" % i for i in range(51)]),
    "relay.json": compact(relay),
    "relay_ended.json": compact(dict(relay, state="missed", at=-1)),
    "relay_bad.json": compact(dict(relay, state="flying")),
}
for envelope in envelopes:
    if envelope["event_type"].startswith("call.") and envelope["event_type"] != "call.summary":
        live[f"data_{envelope['event_type']}_{len(live)}.json"] = compact(envelope["data"])
write("live_call", live)

# --- static_path: decoded URL paths ---
write("static_path", {f"path_{i:02d}.txt": p for i, p in enumerate([
    "/", "/index.html", "/assets/index-3f2a.js", "/assets/app.css", "/webhooks/wh_1/edit", "//a//b/",
    "/../etc/passwd", "/assets/../index.html", "/.env", "/api/v2/me", "/apix/a.json", "/a%2e%2e/b",
    "/a\\b", "/a\x01b", "/favicon.ico", "/robots.txt", "relative/path"])})

# --- canonical_json: JSON texts (the 8-byte prefix is also read as a double) ---
canonical = {f"doc_{i:02d}.json": json.dumps(e, indent=2, ensure_ascii=False) for i, e in enumerate(envelopes[:4])}
canonical |= {
    "numbers.json": "[0.1,1e21,1e-7,-0,123456789012345678901,5e-324,1.7976931348623157e308,100,1E+2,0.000001]",
    "strings.json": '["\\u00e9\\ud83d\\ude00","\\u0001\\b\\f\\n\\r\\t\\"\\\\\\/","é😀"]',
    "duplicate.json": '{"a":1,"a":2}',
    "nested.json": '{"a":[{"b":{"c":[null,true,false]}}],"":""}',
    "lone_surrogate.json": '"\\ud800"',
    "invalid_utf8.json": b'"\xff\xfe"',
    "double.bin": bytes.fromhex("182d4454fb210940"),
}
write("canonical_json", canonical)

# --- http_request: the bytes a client sends on one connection ---
SMUGGLED = "GET /api/v2/event-types HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def request(head, body="", line="POST /api/v2/events HTTP/1.1"):
    return line + "\r\n" + "".join(h + "\r\n" for h in head) + "\r\n" + body


event_body = compact(publish_body(envelopes[0]))
host = "Host: 127.0.0.1"
http_seeds = {
    "get.txt": request([host], line="GET /api/health HTTP/1.1"),
    "get_query.txt": request([host, "Authorization: Bearer sb_x"], line="GET /api/v2/webhooks?limit=5&cursor=a%20b HTTP/1.1"),
    "head.txt": request([host], line="HEAD /api/health HTTP/1.1"),
    "post_length.txt": request([host, "Content-Type: application/json", f"Content-Length: {len(event_body)}"], event_body),
    "post_chunked.txt": request([host, "Transfer-Encoding: chunked"],
                                f"{len(event_body):x}\r\n{event_body}\r\n0\r\n\r\n"),
    "chunked_ext_trailer.txt": request([host, "Transfer-Encoding: chunked"], "2;ext=1\r\n{}\r\n0\r\nX-T: 1\r\n\r\n"),
    "pipelined.txt": request([host], line="GET /api/health HTTP/1.1") + request([host, "Content-Length: 2"], "{}") + SMUGGLED,
    "http10.txt": request([], line="GET /api/health HTTP/1.0"),
    "http10_keepalive.txt": request(["Connection: keep-alive"], line="GET / HTTP/1.0") + SMUGGLED,
    "batch_large.txt": request([host, "Content-Length: 5000"], "[" + " " * 4998 + "]", line="POST /api/v2/events/batch HTTP/1.1"),
    "too_large.txt": request([host, "Content-Length: 99999999999"], "{}"),
    "bad_target.txt": request([host], line="GET http://x/ HTTP/1.1"),
    "bad_percent.txt": request([host], line="GET /a%zz HTTP/1.1"),
    "unknown_method.txt": request([host], line="BREW /api/health HTTP/1.1"),
    "long_header.txt": request([host, "X-A: " + "a" * 5000]),
    "truncated.txt": request([host, "Content-Length: 10"], "{}"),
    # The smuggling primitives of the security review (all refused).
    "te_gzip.txt": request([host, "Transfer-Encoding: gzip"], SMUGGLED),
    "te_xchunked.txt": request([host, "Transfer-Encoding: xchunked"], SMUGGLED),
    "te_identity.txt": request([host, "Transfer-Encoding: identity"], SMUGGLED),
    "te_chunked_identity.txt": request([host, "Transfer-Encoding: chunked, identity"], SMUGGLED),
    "te_gzip_chunked.txt": request([host, "Transfer-Encoding: gzip, chunked"], "0\r\n\r\n" + SMUGGLED),
    "te_two_fields.txt": request([host, "Transfer-Encoding: identity", "Transfer-Encoding: chunked"], "0\r\n\r\n" + SMUGGLED),
    "te_and_length.txt": request([host, "Transfer-Encoding: chunked", "Content-Length: 5"], "0\r\n\r\n" + SMUGGLED),
    "length_and_te.txt": request([host, "Content-Length: 5", "Transfer-Encoding: chunked"], "0\r\n\r\n" + SMUGGLED),
    "gzip_and_length.txt": request([host, "Transfer-Encoding: gzip", "Content-Length: 0"], SMUGGLED),
    "lengths_differ.txt": request([host, "Content-Length: 2", "Content-Length: 3"], "{}x" + SMUGGLED),
    "length_list.txt": request([host, "Content-Length: 2, 2"], "{}" + SMUGGLED),
    "no_host.txt": request(["Content-Length: 0"], SMUGGLED),
    "two_hosts.txt": request([host, "Host: evil.example", "Content-Length: 0"], SMUGGLED),
    "http10_chunked.txt": request(["Transfer-Encoding: chunked"], "0\r\n\r\n" + SMUGGLED, line="POST / HTTP/1.0"),
    "te_space_colon.txt": request([host, "Transfer-Encoding : chunked"], "0\r\n\r\n" + SMUGGLED),
    "te_obs_fold.txt": request([host, "Transfer-Encoding: gzip,", " chunked"], "0\r\n\r\n" + SMUGGLED),
    "te_tab.txt": request([host, "Transfer-Encoding:\tchunked\t"], "0\r\n\r\n" + SMUGGLED),
    "bare_lf.txt": "GET /api/health HTTP/1.1\nHost: 127.0.0.1\n\n" + SMUGGLED,
    "chunk_size_overflow.txt": request([host, "Transfer-Encoding: chunked"], "ffffffffffffffffff\r\n"),
}
write("http_request", http_seeds)

total = sum(f.stat().st_size for f in CORPUS.rglob("*") if f.is_file())
print(f"seed corpora written to {CORPUS.relative_to(ROOT)}: {total} bytes")
