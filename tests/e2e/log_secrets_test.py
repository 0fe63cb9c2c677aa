#!/usr/bin/env python3
"""No secrets or payloads in the logs, at any level (issue 18 item 5).

Runs `serve --log-level trace --log-format json` and exercises what an
operator's logs would see: webhooks created with a signing secret, a
basic-auth password and an API-key value, events published with a payload
marker, deliveries that succeed and deliveries that fail, inspection of the
failures (request and response), a refused token, a bad body carrying a
marker. Then greps everything serve wrote (stdout and stderr) for each marker:
none may appear. Also checks the json format (every line an object with time
and level) and that a request's lines carry its X-Request-Id and company id.
Loopback only; every wait has a deadline.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

from sbtest import Checks, Process, answered_data, request, received_ids, start_receiver

BIN = sys.argv[1]

SIGNING_SECRET = "whsec_" + base64.b64encode(b"MARKER-signing-secret-0123456789").decode()
SIGNING_MARK = SIGNING_SECRET[len("whsec_"):]
BASIC_PASSWORD = "MARKER-basic-password-7731"
API_KEY_VALUE = "MARKER-api-key-value-4411"
BOGUS_TOKEN = "MARKER-bogus-token-5520"
PAYLOAD_MARK = "MARKER-payload-9902"
HEADER_VALUE = "MARKER-custom-header-value-3307"


def main():
    check = Checks()
    work = tempfile.mkdtemp(prefix="sb-logs-")
    data = os.path.join(work, "data")
    cert = os.path.join(work, "cert.pem")
    ok_receiver, ok_port = start_receiver(BIN, os.path.join(work, "ok.out"), cert)
    bad_receiver, bad_port = start_receiver(BIN, os.path.join(work, "bad.out"), os.path.join(work, "cert2.pem"),
                                            ["--status", "500"])
    # The company and its owner token made offline: serve never prints a token.
    token = subprocess.run([BIN, "company", "create", "--data", data, "--name", "Logs"], check=True,
                           capture_output=True, text=True).stdout.strip()
    # Both receivers' certificates trusted through one CA file.
    bundle = os.path.join(work, "bundle.pem")
    with open(bundle, "w") as f:
        f.write(open(cert).read() + open(os.path.join(work, "cert2.pem")).read())
    out_path = os.path.join(work, "serve.out")
    server = Process(BIN, ["--log-level", "trace", "--log-format", "json", "serve", "--listen", "127.0.0.1:0",
                           "--data", data, "--allow-private-networks", "--ca-file", bundle,
                           "--time-scale", "1000"], out_path)
    try:
        base = server.wait_for(r"^Dashboard: (http://\S+)/$").group(1)
        status, ingest = request(base, token, "POST", "/api/v2/ingest-tokens")
        assert status == 201, (status, ingest)
        ingest_token = ingest["token"]
        status, good = request(base, token, "POST", "/api/v2/webhooks", {
            "url": f"https://127.0.0.1:{ok_port}/hook", "events": ["call"], "secret": SIGNING_SECRET,
            "auth": {"type": "basic", "username": "user", "password": BASIC_PASSWORD},
            "headers": [{"key": "X-Source", "value": HEADER_VALUE}]})
        assert status == 201, (status, good)
        status, bad = request(base, token, "POST", "/api/v2/webhooks", {
            "url": f"https://127.0.0.1:{bad_port}/hook", "events": ["call"], "secret": "generate",
            "auth": {"type": "api_key", "location": "header", "keys": [{"name": "X-Api-Key", "value": API_KEY_VALUE}]}})
        assert status == 201, (status, bad)

        event_ids = []
        for n in range(5):
            data_ = answered_data(f"logs-{n}", n)
            data_["note"] = PAYLOAD_MARK
            status, body = request(base, ingest_token, "POST", "/api/v2/events", {"type": "call.answered", "data": data_})
            assert status == 202, (status, body)
            event_ids.append(body["event_id"])
        # Refused and malformed requests carrying markers.
        request(base, BOGUS_TOKEN, "GET", "/api/v2/webhooks")
        request(base, ingest_token, "POST", "/api/v2/events", {"type": "no.such." + PAYLOAD_MARK, "data": {"x": PAYLOAD_MARK}})

        deadline = time.time() + 60
        while time.time() < deadline and not set(event_ids) <= received_ids(os.path.join(work, "ok.out")):
            time.sleep(0.1)
        check("delivered to the good webhook", set(event_ids) <= received_ids(os.path.join(work, "ok.out")))
        # The markers were really in play: the stored event holds the payload marker.
        status, stored = request(base, token, "GET", f"/api/v2/events/{event_ids[0]}")
        check("payload marker stored (so its absence from the logs means something)",
              status == 200 and PAYLOAD_MARK in json.dumps(stored), status)
        failures = []
        while time.time() < deadline and not failures:
            status, body = request(base, token, "GET", f"/api/v2/webhooks/{bad['id']}/failures")
            failures = body.get("data", []) if status == 200 else []
            time.sleep(0.1)
        check("the failing webhook failed", failures)
        for failure in failures[:3]:
            request(base, token, "GET", f"/api/v2/webhooks/{bad['id']}/failures/{failure['id']}")
        for hook in (good, bad):
            request(base, token, "GET", f"/api/v2/webhooks/{hook['id']}")
            request(base, token, "GET", f"/api/v2/webhooks/{hook['id']}/deliveries")
            request(base, token, "POST", f"/api/v2/webhooks/{hook['id']}/test", {"event_type": "call.answered"})

        # One request with a request id of ours: its lines carry it and the company.
        req = urllib.request.Request(base + "/api/v2/webhooks", headers={
            "Authorization": "Bearer " + token, "X-Request-Id": "e2e-logs-1"})
        with urllib.request.urlopen(req, timeout=10) as r:
            check("X-Request-Id echoed", r.headers.get("X-Request-Id") == "e2e-logs-1", r.headers.get("X-Request-Id"))
        status, me = request(base, token, "GET", "/api/v2/me")
        company_id = me["company"]["id"]
    finally:
        server.stop()
        ok_receiver.stop(timeout=10)
        bad_receiver.stop(timeout=10)

    output = open(out_path).read()
    for name, marker in [("signing secret", SIGNING_MARK), ("basic-auth password", BASIC_PASSWORD),
                         ("API-key value", API_KEY_VALUE), ("owner token", token),
                         ("ingest token", ingest_token), ("refused token", BOGUS_TOKEN),
                         ("payload marker", PAYLOAD_MARK), ("header value", HEADER_VALUE)]:
        check(f"no {name} in serve's output", marker not in output)
    log_lines = [line for line in output.splitlines() if line.startswith("{")]
    parsed = []
    for line in log_lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            parsed.append(None)
    check("log lines are JSON objects with time and level",
          parsed and all(p and "time" in p and "level" in p for p in parsed), len(parsed))
    check("trace level was on (debug lines written)", any(p and p.get("level") == "debug" for p in parsed))
    mine = [p for p in parsed if p and p.get("request_id") == "e2e-logs-1"]
    check("the request's lines carry its id and company",
          mine and all(p.get("company_id") == company_id for p in mine), mine)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
