#!/usr/bin/env python3
"""At-least-once under kill -9 (issue: durable delivery engine).

Starts `switchboard receive` (HTTPS, self-signed) and `switchboard serve`
with a fresh SQLite store, publishes thousands of events through the batch
API while deliveries flow, kills the server with SIGKILL mid-delivery,
restarts it on the same data directory, and checks that every event the
server acknowledged (202) reached the receiver at least once, with the same
event_id. Loopback only; every wait has a deadline.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

BIN = sys.argv[1]
EVENTS = 3000
BATCH = 100


def answered_data(call_id, n):
    """A schema-valid call.answered `data` (docs/events.md) for call `call_id`, tagged with `n`."""
    return {"call_id": call_id, "direction": "inbound", "from": "+919800000001", "to": "+918000000002",
            "status": "in_progress", "started_at": "2026-11-22T10:03:40.000Z",
            "legs": [{"number": "+919800000009", "role": "agent", "state": "answered",
                      "started_at": "2026-11-22T10:03:52.000Z", "answered_at": "2026-11-22T10:03:59.000Z"}],
            "n": n}


def start(args, out_path):
    out = open(out_path, "w")
    return subprocess.Popen([BIN] + args, stdout=out, stderr=subprocess.STDOUT), out


def wait_for_line(path, pattern, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(path) as f:
            m = re.search(pattern, f.read(), re.M)
            if m:
                return m
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {pattern!r} in {path}:\n" + open(path).read())


def request(base, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, json.loads(r.read() or b"null")


def received_ids(path):
    ids = set()
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    ids.add(json.loads(line).get("event_id", ""))
                except ValueError:
                    pass
    return ids


def main():
    work = tempfile.mkdtemp(prefix="sb-crash-")
    cert = os.path.join(work, "cert.pem")
    recv_log = os.path.join(work, "receiver.out")
    receiver, recv_out = start(["receive", "--listen", "127.0.0.1:0", "--cert-out", cert, "--no-timestamp-check"],
                               recv_log)
    servers = []
    try:
        port = wait_for_line(recv_log, r"Receiving on https://127\.0\.0\.1:(\d+)").group(1)
        serve_args = ["serve", "--listen", "127.0.0.1:0", "--data", os.path.join(work, "data"),
                      "--allow-private-networks", "--ca-file", cert]
        server_log = os.path.join(work, "server1.out")
        server, out = start(serve_args, server_log)
        servers.append((server, out))
        token = wait_for_line(server_log, r"^Owner token: (\S+)").group(1)
        base = wait_for_line(server_log, r"^Dashboard: (http://\S+)/$").group(1)
        status, _ = request(base, token, "POST", "/api/v2/webhooks",
                            {"url": f"https://127.0.0.1:{port}/hook", "events": ["call", "whatsapp"]})
        assert status == 201, status

        acked = set()
        stop = threading.Event()

        def publish():
            n = 0
            while n < EVENTS and not stop.is_set():
                batch = [{"type": "call.answered", "data": answered_data(f"crash-{(n + i) % 97}", n + i)}
                         for i in range(BATCH)]
                try:
                    status, body = request(base, token, "POST", "/api/v2/events/batch", {"events": batch})
                except Exception:
                    return  # the server died mid-request: that batch was not acknowledged
                if status == 202:
                    acked.update(r["event_id"] for r in body["results"] if "event_id" in r)
                n += BATCH

        publisher = threading.Thread(target=publish)
        publisher.start()
        # Kill once deliveries are flowing and part of the events are acknowledged.
        deadline = time.time() + 60
        while time.time() < deadline and (len(acked) < EVENTS // 3 or len(received_ids(recv_log)) < 200):
            time.sleep(0.01)
        server.send_signal(signal.SIGKILL)
        server.wait()
        stop.set()
        publisher.join(timeout=60)
        killed_with = len(acked)
        delivered_before = len(received_ids(recv_log))
        print(f"killed after {killed_with} acknowledged, {delivered_before} delivered")
        assert 0 < delivered_before < killed_with, "the kill did not land mid-delivery; test proves nothing"

        server_log = os.path.join(work, "server2.out")
        server, out = start(serve_args, server_log)
        servers.append((server, out))
        wait_for_line(server_log, r"^Dashboard: ")
        deadline = time.time() + 120
        missing = acked - received_ids(recv_log)
        while missing and time.time() < deadline:
            time.sleep(0.2)
            missing = acked - received_ids(recv_log)
        print(f"after restart: {len(acked)} acknowledged, {len(acked) - len(missing)} received, {len(missing)} missing")
        passed = 1 if not missing else 0
        print(f"{passed} passed, {1 - passed} failed")
        return 0 if passed else 1
    finally:
        for server, out in servers:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
            out.close()
        receiver.send_signal(signal.SIGTERM)
        try:
            receiver.wait(timeout=10)
        except subprocess.TimeoutExpired:
            receiver.kill()
        recv_out.close()


if __name__ == "__main__":
    sys.exit(main())
