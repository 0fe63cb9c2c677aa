#!/usr/bin/env python3
"""Cluster mode: drain speed of 1 node vs 3 nodes on the same backlog, and the
failover time after `kill -9` of a node (issue 14 item 4; docs/architecture.md
§5: a killed node's claimed work delivered by the others within 15 s).

Each part runs on its own private PostgreSQL 15 (tests/pg/pg_cluster.sh, its
fast test settings: fsync off) and one `switchboard receive` sink:
  drain     an API-only node stores EVENTS events over CALLS calls for one
            webhook (--no-delivery), then K delivering nodes drain them;
            deliveries/s from the first to the last delivery received, for
            K = 1 and K = 3, and their ratio (3 nodes must not be slower).
  failover  3 nodes with the default lease (120 s) drain a backlog to a
            receiver that answers after 20 ms; one is killed mid-delivery;
            the time from the kill until every delivery it had claimed (its
            lease_owner rows not yet received) has arrived (3,000 events over
            30 calls: long chains, so each node holds some when it dies).
A measurement, not a test. Loopback only. Takes a couple of minutes.

Usage: bench/cluster.py SWITCHBOARD_BINARY [EVENTS] [CALLS]   (default 20000 over 1000 calls)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from sbtest import Process, answered_data, received_ids, request, start_receiver  # noqa: E402

BIN = sys.argv[1]
EVENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
CALLS = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
PG = os.path.join(HERE, "..", "tests", "pg", "pg_cluster.sh")


def count_lines(path):
    with open(path, "rb") as f:
        return sum(1 for line in f if line.startswith(b"{"))


class Bench:
    """One private PostgreSQL, one receiver, nodes started on demand."""

    def __init__(self, name, receiver_args=()):
        self.work = tempfile.mkdtemp(prefix=f"sb-bench-cluster-{name}-")
        os.chmod(self.work, 0o755)  # the postgres user must reach its cluster directory
        subprocess.run(["bash", PG, "start", self.work + "/pg"], check=True, capture_output=True)
        self.url = open(self.work + "/pg/url").read().strip()
        self.key = self.work + "/cluster.key"
        with open(self.key, "w") as f:
            f.write(os.urandom(32).hex())
        os.chmod(self.key, 0o600)
        self.cert = self.work + "/cert.pem"
        self.out = self.work + "/receiver.out"
        self.receiver, self.port = start_receiver(BIN, self.out, self.cert, list(receiver_args))
        self.nodes = []
        self.token = None

    def start_node(self, extra=()):
        n = len(self.nodes) + 1
        node = Process(BIN, ["serve", "--listen", "127.0.0.1:0", "--data", f"{self.work}/node{n}", "--store",
                             self.url, "--secret-key-file", self.key, "--allow-private-networks", "--ca-file",
                             self.cert, "--ingest-rate-limit", "0", *extra], f"{self.work}/node{n}.out")
        self.nodes.append(node)
        return node

    def ready(self, node):
        node.base = node.wait_for(r"^Dashboard: (http://\S+)/$").group(1)
        if self.token is None:
            self.token = node.wait_for(r"^Owner token: (\S+)").group(1)
        return node

    def publish(self, node, total, calls, first=0):
        for offset in range(first, first + total, 1000):
            events = [{"type": "call.answered", "data": answered_data(f"c-{(offset + i) % calls}", offset + i)}
                      for i in range(min(1000, first + total - offset))]
            status, body = request(node.base, self.token, "POST", "/api/v2/events/batch", {"events": events},
                                   timeout=120)
            assert status == 202, (status, str(body)[:300])

    def psql(self, sql):
        out = subprocess.run(["psql", self.url, "-Atc", sql], check=True, capture_output=True, text=True)
        return [line for line in out.stdout.splitlines() if line]

    def close(self):
        for node in self.nodes:
            node.stop()
        self.receiver.stop(timeout=10)
        subprocess.run(["bash", PG, "stop", self.work + "/pg"], capture_output=True)
        shutil.rmtree(self.work, ignore_errors=True)


def drain(k):
    """Deliveries/s of k nodes draining EVENTS stored events."""
    bench = Bench(f"drain{k}")
    try:
        api = bench.ready(bench.start_node(["--no-delivery"]))
        request(api.base, bench.token, "POST", "/api/v2/webhooks",
                {"url": f"https://127.0.0.1:{bench.port}/hook", "events": ["call"]})
        bench.publish(api, EVENTS, CALLS)
        api.stop()
        bench.nodes.clear()
        for _ in range(k):
            bench.start_node()
        first = last = None
        deadline = time.time() + 600
        while time.time() < deadline:
            n = count_lines(bench.out)
            if n > 0 and first is None:
                first = time.time()
            if n >= EVENTS:
                last = time.time()
                break
            time.sleep(0.05)
        assert last is not None, f"{k} node(s): only {count_lines(bench.out)} of {EVENTS} delivered"
        return EVENTS / max(last - first, 1e-3)
    finally:
        bench.close()


def failover():
    """Seconds from kill -9 of a node to the arrival of every delivery it had claimed."""
    bench = Bench("failover", ["--delay-ms", "20"])
    try:
        nodes = [bench.ready(bench.start_node()) for _ in range(3)]
        request(nodes[0].base, bench.token, "POST", "/api/v2/webhooks",
                {"url": f"https://127.0.0.1:{bench.port}/hook", "events": ["call"]})
        # Few calls with long chains, so that every node holds chains when the kill lands.
        # Published through the victim: the ingesting node is woken first and claims the chains.
        total = min(EVENTS, 3000)
        victim = nodes[2]
        bench.publish(victim, total, 30)
        victim_id = re.search(r"event=node_joined node_id=(\S+)", open(victim.out_path).read())
        deadline = time.time() + 60
        while time.time() < deadline and count_lines(bench.out) < total // 10:
            time.sleep(0.02)
        victim.kill9()
        killed_at = time.time()
        owner = f" AND lease_owner = '{victim_id.group(1)}'" if victim_id else ""
        claimed = set(bench.psql(f"SELECT event_id FROM deliveries WHERE state = 'pending' "
                                 f"AND lease_until > {int(killed_at * 1000)}{owner}"))
        claimed -= received_ids(bench.out)
        while time.time() < killed_at + 150:
            if claimed <= received_ids(bench.out):
                return time.time() - killed_at, len(claimed)
            time.sleep(0.1)
        return None, len(claimed)
    finally:
        bench.close()


def main():
    print(f"cluster bench: {EVENTS} events over {CALLS} calls, one webhook, `switchboard receive` sink, "
          f"PostgreSQL fsync off")
    one = drain(1)
    three = drain(3)
    print(f"drain, 1 node : {one:8.0f} deliveries/s")
    print(f"drain, 3 nodes: {three:8.0f} deliveries/s  ({three / one:.2f} x 1 node; target >= 1.00)")
    seconds, held = failover()
    shown = f"{seconds:.1f} s" if seconds is not None else "not within 150 s"
    print(f"failover after kill -9 of 1 of 3 nodes: {held} claimed deliveries all arrived {shown} after the kill "
          f"(target <= 15 s)")


if __name__ == "__main__":
    main()
