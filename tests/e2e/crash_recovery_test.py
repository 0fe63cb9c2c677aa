#!/usr/bin/env python3
"""At-least-once under kill -9 (issue: durable delivery engine).

Starts `switchboard receive` (HTTPS, self-signed) and `switchboard serve`
with a fresh SQLite store, publishes thousands of events through the batch
API while deliveries flow, kills the server with SIGKILL mid-delivery,
restarts it on the same data directory, and checks that every event the
server acknowledged (202) reached the receiver at least once, with the same
event_id. Loopback only; every wait has a deadline.
"""
import os
import sys
import tempfile
import threading
import time

from sbtest import Process, answered_data, request, received_ids, start_receiver

BIN = sys.argv[1]
EVENTS = 3000
BATCH = 100


def main():
    work = tempfile.mkdtemp(prefix="sb-crash-")
    cert = os.path.join(work, "cert.pem")
    recv_log = os.path.join(work, "receiver.out")
    receiver, port = start_receiver(BIN, recv_log, cert)
    servers = []
    try:
        serve_args = ["serve", "--listen", "127.0.0.1:0", "--data", os.path.join(work, "data"),
                      "--allow-private-networks", "--ca-file", cert]
        server = Process(BIN, serve_args, os.path.join(work, "server1.out"))
        servers.append(server)
        token = server.wait_for(r"^Owner token: (\S+)").group(1)
        base = server.wait_for(r"^Dashboard: (http://\S+)/$").group(1)
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
        server.kill9()
        stop.set()
        publisher.join(timeout=60)
        killed_with = len(acked)
        delivered_before = len(received_ids(recv_log))
        print(f"killed after {killed_with} acknowledged, {delivered_before} delivered")
        assert 0 < delivered_before < killed_with, "the kill did not land mid-delivery; test proves nothing"

        server = Process(BIN, serve_args, os.path.join(work, "server2.out"))
        servers.append(server)
        server.wait_for(r"^Dashboard: ")
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
        for server in servers:
            server.stop()
        receiver.stop(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
