#!/usr/bin/env python3
"""Graceful drain on SIGTERM (issue 18 items 3 and 4).

A stream of events is published to a slow receiver (`switchboard receive
--delay-ms`), so that deliveries are in flight and more are queued when the
server gets SIGTERM. Then:
- GET /api/ready answers 503 "draining" (polled on fresh connections: the
  listener stays open during the drain) and new requests 503 `draining`;
- the server exits 0 on its own, having let the attempts in flight finish
  (no `drain_deadline` line) and recorded them;
after a restart on the same data directory every acknowledged (202) event is
delivered, and none twice: the receiver counts deliveries by event id, and
the stop must not have caused a second send of anything. Loopback only; every
wait has a deadline.
"""
import collections
import http.client
import json
import os
import signal
import sys
import tempfile
import threading
import time

from sbtest import Checks, Process, answered_data, received, received_ids, request, start_receiver

BIN = sys.argv[1]
DELAY_MS = 800
CALLS = 40


def get_ready(base):
    """(status, body, connection header) of GET /api/ready on a fresh connection, or None when refused."""
    host, port = base.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", "/api/ready")
        r = conn.getresponse()
        return r.status, json.loads(r.read() or b"null"), r.getheader("Connection")
    except OSError:
        return None
    finally:
        conn.close()


def main():
    check = Checks()
    work = tempfile.mkdtemp(prefix="sb-drain-")
    cert = os.path.join(work, "cert.pem")
    recv_log = os.path.join(work, "receiver.out")
    receiver, port = start_receiver(BIN, recv_log, cert, ["--delay-ms", str(DELAY_MS)])
    servers = []
    try:
        serve_args = ["serve", "--listen", "127.0.0.1:0", "--data", os.path.join(work, "data"),
                      "--allow-private-networks", "--ca-file", cert, "--drain-timeout", "30"]
        server = Process(BIN, serve_args, os.path.join(work, "server1.out"))
        servers.append(server)
        token = server.wait_for(r"^Owner token: (\S+)").group(1)
        base = server.wait_for(r"^Dashboard: (http://\S+)/$").group(1)
        ready = get_ready(base)
        check("ready once started", ready and ready[0] == 200 and ready[1] == {"status": "ready"}, ready)
        status, hook = request(base, token, "POST", "/api/v2/webhooks",
                               {"url": f"https://127.0.0.1:{port}/hook", "events": ["call"]})
        assert status == 201, (status, hook)

        acked = []
        refusals = collections.Counter()
        stop = threading.Event()

        def publish():
            n = 0
            while not stop.is_set():
                event = {"type": "call.answered", "data": answered_data(f"drain-{n % CALLS}", n)}
                try:
                    status, body = request(base, token, "POST", "/api/v2/events", event, timeout=10)
                except Exception:  # the listener closed at the end of the drain
                    refusals["connection"] += 1
                    time.sleep(0.01)
                    continue
                if status == 202:
                    acked.append(body["event_id"])
                else:
                    refusals[(status, body.get("error", {}).get("code") if isinstance(body, dict) else body)] += 1
                    time.sleep(0.01)
                n += 1

        publisher = threading.Thread(target=publish)
        publisher.start()
        # SIGTERM once deliveries flow and many more are queued behind them.
        deadline = time.time() + 60
        while time.time() < deadline and (len(acked) < 300 or len(received_ids(recv_log)) < 20):
            time.sleep(0.01)
        server.proc.send_signal(signal.SIGTERM)
        at_signal = (len(acked), len(received_ids(recv_log)))
        print(f"SIGTERM with {at_signal[0]} acknowledged, {at_signal[1]} received")
        check("SIGTERM landed mid-delivery", 0 < at_signal[1] < at_signal[0], at_signal)

        # Readiness says draining while the attempts in flight finish.
        seen = None
        deadline = time.time() + 20
        while time.time() < deadline and server.proc.poll() is None:
            seen = get_ready(base)
            if seen and seen[0] == 503:
                break
            time.sleep(0.01)
        check("ready 503 draining during the drain",
              seen and seen[0] == 503 and seen[1] == {"status": "draining"} and seen[2] == "close", seen)

        try:
            code = server.proc.wait(timeout=60)
        except Exception:
            code = None
        stop.set()
        publisher.join(timeout=30)
        out = open(server.out_path).read()
        check("exit 0 after the drain", code == 0, code)
        check("drain finished in time (nothing abandoned)", "event=drain_deadline" not in out and
              "event=shutdown phase=done" in out)
        check("new requests were refused with 503 draining or a closed listener",
              all(k == "connection" or k == (503, "draining") for k in refusals), dict(refusals))
        delivered_at_stop = len(received_ids(recv_log))
        print(f"stopped: {len(acked)} acknowledged, {delivered_at_stop} delivered, refusals {dict(refusals)}")

        server = Process(BIN, serve_args, os.path.join(work, "server2.out"))
        servers.append(server)
        base = server.wait_for(r"^Dashboard: (http://\S+)/$").group(1)
        deadline = time.time() + 120
        missing = set(acked) - received_ids(recv_log)
        while missing and time.time() < deadline:
            time.sleep(0.2)
            missing = set(acked) - received_ids(recv_log)
        check("every acknowledged event delivered", not missing, f"{len(missing)} missing")
        # Nothing is pending any more, so no second send can still come.
        deadline = time.time() + 30
        pending = None
        while time.time() < deadline:
            status, body = request(base, token, "GET", f"/api/v2/webhooks/{hook['id']}/deliveries?state=pending")
            pending = body.get("data") if status == 200 else body
            if pending == []:
                break
            time.sleep(0.2)
        check("nothing pending after the restart", pending == [], pending)
        counts = collections.Counter(r.get("event_id") for r in received(recv_log))
        twice = {k: v for k, v in counts.items() if v > 1}
        check("no event delivered twice", not twice, dict(list(twice.items())[:5]))
        print(f"delivered {len(counts)} distinct events, {sum(counts.values())} deliveries")
        return check.exit_code()
    finally:
        for server in servers:
            server.stop()
        receiver.stop(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
