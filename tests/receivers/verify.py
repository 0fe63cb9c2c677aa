#!/usr/bin/env python3
"""An independent Switchboard receiver in plain Python 3 (standard library only),
written the way a customer would from the help-centre snippets:

  seed 002: X-MyOperator-Signature = hex HMAC-SHA256(secret, raw body), hmac.compare_digest
  seed 004: X-MO-Signature = "sha256=" + the same hex HMAC (over the raw body)
  Standard Webhooks: webhook-signature = "v1," + base64 HMAC-SHA256(key, id.timestamp.body),
    key = base64-decoded remainder of a "whsec_" secret, else the secret's bytes

Seed 004 re-serializes the body before signing only in its Node.js example;
that contract (JSON.stringify(JSON.parse(body)) === body) is checked by
verify.js. Python's json.dumps prints some numbers differently from
JavaScript (1e-07 vs 1e-7, -0.0 vs 0), so a Python receiver, like seed 002's,
verifies the raw body.

Usage: verify.py --port 0 --cert cert.pem --key key.pem --secret whsec_... [--secret ...]
                 [--tolerance SECONDS (default 300, 0 = off)]
Prints "listening PORT", then "ok <event_id>" or "bad <event_id> <reason>" per POST;
answers 200 when every check passes, else 401. On SIGTERM/SIGINT prints
"verified N rejected N" and exits 0.
"""

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import re
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY_BYTES = 1024 * 1024


def header_parts(headers, name, separator):
    """Every value of a header, split on `separator` (rotation sends several)."""
    parts = []
    for value in headers.get_all(name) or []:
        parts.extend(p.strip() for p in value.split(separator) if p.strip())
    return parts


def safe_equal(given, expected):
    # compare_digest refuses non-ASCII str; such a header cannot match anyway.
    return given.isascii() and hmac.compare_digest(given, expected)


def hmac_hex(secret, data):
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def myoperator_signature_ok(headers, body, secrets):
    # Seed 002, as written there.
    return any(safe_equal(signature, hmac_hex(secret, body))
               for signature in header_parts(headers, "X-MyOperator-Signature", ",")
               for secret in secrets)


def mo_signature_ok(headers, body, secrets):
    payload = body
    return any(safe_equal(signature, "sha256=" + hmac_hex(secret, payload))
               for signature in header_parts(headers, "X-MO-Signature", ",")
               for secret in secrets)


def standard_key(secret):
    if secret.startswith("whsec_"):
        encoded = secret[len("whsec_"):]
        try:
            return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except binascii.Error:
            return None
    return secret.encode()


def standard_signature_ok(msg_id, timestamp, headers, body, secrets):
    signed = f"{msg_id}.{timestamp}.".encode() + body
    candidates = header_parts(headers, "webhook-signature", " ")
    for secret in secrets:
        key = standard_key(secret)
        if key is None:
            continue
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        for candidate in candidates:
            version, _, signature = candidate.partition(",")
            if version == "v1" and safe_equal(signature, expected):
                return True
    return False


def verify(headers, body, args):
    """Returns (event_id, reasons); no reasons means the delivery verifies."""
    reasons = []
    parsed = text = None
    try:
        text = body.decode("utf-8")
        parsed = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        reasons.append("body is not UTF-8 JSON")
    mo_event_id = headers.get("X-MO-Event-Id")
    envelope_id = parsed.get("event_id") if isinstance(parsed, dict) else None
    event_id = envelope_id or mo_event_id or "-"

    if not isinstance(envelope_id, str):
        reasons.append("envelope has no event_id")
    if mo_event_id is None:
        reasons.append("X-MO-Event-Id missing")
    elif isinstance(envelope_id, str) and mo_event_id != envelope_id:
        reasons.append("X-MO-Event-Id differs from event_id")
    if not re.fullmatch(r"[1-9][0-9]*", headers.get("X-MO-Delivery-Attempt", "")):
        reasons.append("X-MO-Delivery-Attempt is not a positive integer")

    if args.secret:
        if not myoperator_signature_ok(headers, body, args.secret):
            reasons.append("X-MyOperator-Signature invalid")
        if not mo_signature_ok(headers, body, args.secret):
            reasons.append("X-MO-Signature invalid")
        msg_id = headers.get("webhook-id")
        timestamp = headers.get("webhook-timestamp")
        if msg_id is None or timestamp is None:
            reasons.append("webhook-id or webhook-timestamp missing")
        else:
            if msg_id != mo_event_id:
                reasons.append("webhook-id differs from X-MO-Event-Id")
            if not re.fullmatch(r"[0-9]+", timestamp) or (
                    args.tolerance > 0 and abs(time.time() - int(timestamp)) > args.tolerance):
                reasons.append("webhook-timestamp outside tolerance")
            if not standard_signature_ok(msg_id, timestamp, headers, body, args.secret):
                reasons.append("webhook-signature invalid")
    return event_id, reasons


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.verified = 0
        self.rejected = 0


def make_handler(args, counts):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real endpoint

        def log_message(self, *_):
            pass  # stdout carries only the result lines

        def answer(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self.answer(405, {"ok": False})

        def do_POST(self):
            length = self.headers.get("Content-Length", "")
            if not length.isdigit() or int(length) > MAX_BODY_BYTES:
                self.close_connection = True
                event_id, reasons = "-", ["missing or too large Content-Length"]
            else:
                event_id, reasons = verify(self.headers, self.rfile.read(int(length)), args)
            with counts.lock:
                if reasons:
                    counts.rejected += 1
                else:
                    counts.verified += 1
                print(f"bad {event_id} {'; '.join(reasons)}" if reasons else f"ok {event_id}", flush=True)
            self.answer(401 if reasons else 200, {"ok": False, "reasons": reasons} if reasons else {"ok": True})

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--secret", action="append", default=[])
    parser.add_argument("--tolerance", type=int, default=300)
    args = parser.parse_args()
    if not args.secret:
        print("warning: no --secret, signatures are not checked", file=sys.stderr)

    counts = Counts()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args, counts))
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"listening {server.server_address[1]}", flush=True)
    while not stop.wait(0.2):
        pass
    with counts.lock:
        print(f"verified {counts.verified} rejected {counts.rejected}", flush=True)
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
