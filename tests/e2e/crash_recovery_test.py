#!/usr/bin/env python3
"""At-least-once under kill -9 (issue: durable delivery engine).

Starts `switchboard receive` (HTTPS, self-signed) and `switchboard serve`
with a fresh SQLite store, publishes thousands of events through the batch
API while deliveries flow, kills the server with SIGKILL mid-delivery,
restarts it on the same data directory, and checks that every event the
server acknowledged (202) reached the receiver at least once, with the same
event_id.

Then the same at full speed (issue 14: the single-node in-memory queue): a
backlog of DRAIN_EVENTS stored by an API-only node (`serve --no-delivery`) is
drained by a normal start, killed with SIGKILL mid-drain, and drained again
by a restart: every event arrives at least once, and each call's events
first arrive in sequence order. Loopback only; every wait has a deadline.
"""
import os
import sys
import tempfile
import threading
import time

from sbtest import Process, answered_data, received, received_ids, request, start_receiver

BIN = sys.argv[1]
EVENTS = 3000
BATCH = 100
DRAIN_EVENTS = 20000
DRAIN_CALLS = 200


class Scene:
    """A receiver, a data directory, and the servers started on it (each run's setting)."""

    def __init__(self, prefix):
        self.work = tempfile.mkdtemp(prefix=prefix)
        self.cert = os.path.join(self.work, "cert.pem")
        self.recv_log = os.path.join(self.work, "receiver.out")
        self.receiver, self.port = start_receiver(BIN, self.recv_log, self.cert)
        self.serve_args = ["serve", "--listen", "127.0.0.1:0", "--data", os.path.join(self.work, "data"),
                           "--allow-private-networks", "--ca-file", self.cert]
        self.servers = []

    def serve(self, name, *extra):
        server = Process(BIN, self.serve_args + list(extra), os.path.join(self.work, name + ".out"))
        self.servers.append(server)
        return server

    def first_start(self, name, *extra):
        """The first server: its owner token, its base URL, and a webhook to the receiver."""
        server = self.serve(name, *extra)
        token = server.wait_for(r"^Owner token: (\S+)").group(1)
        base = server.wait_for(r"^Dashboard: (http://\S+)/$").group(1)
        status, _ = request(base, token, "POST", "/api/v2/webhooks",
                            {"url": f"https://127.0.0.1:{self.port}/hook", "events": ["call", "whatsapp"]})
        assert status == 201, status
        return server, token, base

    def restart_and_wait(self, name, acked, seconds):
        """A restart on the same data; the acknowledged events still missing after `seconds`."""
        self.serve(name).wait_for(r"^Dashboard: ")
        deadline = time.time() + seconds
        missing = acked - received_ids(self.recv_log)
        while missing and time.time() < deadline:
            time.sleep(0.2)
            missing = acked - received_ids(self.recv_log)
        return missing

    def close(self):
        for server in self.servers:
            server.stop()
        self.receiver.stop(timeout=10)


def live_ingest():
    """kill -9 while events are being published and delivered."""
    scene = Scene("sb-crash-")
    recv_log = scene.recv_log
    try:
        server, token, base = scene.first_start("server1")

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

        missing = scene.restart_and_wait("server2", acked, 120)
        print(f"after restart: {len(acked)} acknowledged, {len(acked) - len(missing)} received, {len(missing)} missing")
        return not missing
    finally:
        scene.close()


def first_arrivals_in_order(recv_log):
    """Whether each call's events first arrived in sequence order (retries may repeat one)."""
    last = {}
    for r in received(recv_log):
        if r.get("duplicate") or "sequence" not in r:
            continue
        call = r.get("call_id", "")
        if r["sequence"] <= last.get(call, -1):
            print(f"out of order: call {call} got sequence {r['sequence']} after {last[call]}")
            return False
        last[call] = r["sequence"]
    return True


def full_speed_drain():
    """kill -9 in the middle of a full-speed drain of a stored backlog."""
    scene = Scene("sb-crash-drain-")
    recv_log = scene.recv_log
    try:
        loader, token, base = scene.first_start("loader", "--no-delivery")
        acked = set()
        for n in range(0, DRAIN_EVENTS, 1000):
            batch = [{"type": "call.answered", "data": answered_data(f"drain-{(n + i) % DRAIN_CALLS}", n + i)}
                     for i in range(1000)]
            status, body = request(base, token, "POST", "/api/v2/events/batch", {"events": batch})
            assert status == 202, status
            acked.update(r["event_id"] for r in body["results"] if "event_id" in r)
        loader.stop()

        server = scene.serve("server1")
        started = time.time()
        deadline = started + 120
        while time.time() < deadline and len(received_ids(recv_log)) < DRAIN_EVENTS // 4:
            time.sleep(0.01)
        delivered_before = len(received_ids(recv_log))
        rate = delivered_before / max(time.time() - started, 1e-3)
        server.kill9()
        print(f"drain killed after {delivered_before} of {len(acked)} delivered (~{rate:.0f}/s incl. start-up)")
        assert 0 < delivered_before < len(acked), "the kill did not land mid-drain; test proves nothing"

        missing = scene.restart_and_wait("server2", acked, 180)
        print(f"drain after restart: {len(acked)} stored, {len(acked) - len(missing)} received, "
              f"{len(missing)} missing")
        return not missing and first_arrivals_in_order(recv_log)
    finally:
        scene.close()


def main():
    results = [live_ingest(), full_speed_drain()]
    passed = sum(1 for r in results if r)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
