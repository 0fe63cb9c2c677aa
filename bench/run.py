#!/usr/bin/env python3
"""Switchboard benchmark: prints one table of figures (not a test).

Starts `switchboard receive` (HTTPS sink) and `switchboard serve` on a fresh
SQLite store in a temp directory, all on loopback, then measures:
  - raw sink throughput with wrk (the baseline the delivery figure is compared to)
  - durable ingest, batch API (wrk, 1000 events per request, no webhooks)
  - durable ingest, one event per request, keep-alive (wrk, no webhooks)
  - publish -> receive latency at ~1000 events/s (p50, p99), from the sink's receive timestamps
  - the same latency for healthy webhooks while as many other webhooks hang until timeout
  - delivery throughput: a backlog of N deliveries is stored by an API-only node
    (serve --no-delivery), then a normal start drains it; reports restart-to-serving
    time and deliveries/s until the last one arrived
  - memory with --pending deliveries owed to a failing endpoint (peak RSS while the
    engine works through them) and restart-to-serving time with that backlog

With --cluster 1,2,3 it measures cluster mode instead: a private PostgreSQL 15
(tests/pg/pg_cluster.sh, durable settings: fsync and synchronous_commit on) and,
for each node count N, a backlog of --deliveries stored by an API-only node and
drained by N nodes started together; reports deliveries/s per N.

Usage: bench/run.py [path/to/switchboard] [--seconds 5] [--deliveries 100000] [--pending 1000000]
       bench/run.py [path/to/switchboard] --cluster 1,2,3 [--deliveries 30000] [--calls 1000]
Needs wrk (Debian package `wrk`; installed when missing).
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("binary", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", "build", "switchboard"))
ap.add_argument("--seconds", type=int, default=5)
ap.add_argument("--deliveries", type=int, default=100000)
ap.add_argument("--calls", type=int, default=1000, help="calls the delivery backlog is spread over")
ap.add_argument("--pending", type=int, default=1000000, help="backlog for the memory figure (0: skip)")
ap.add_argument("--cluster", default="", help="instead of the figures above: drain throughput of cluster mode "
                "with this many nodes on one PostgreSQL, e.g. 1,2,3")
args = ap.parse_args()
BIN = os.path.abspath(args.binary)

if not shutil.which("wrk"):
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)

work = tempfile.mkdtemp(prefix="sb-bench-")
procs = []


def start(cmd, log):
    f = open(log, "w")
    p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT)
    procs.append((p, f))
    return p


def wait_for(log, pattern, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = re.search(pattern, open(log).read(), re.M)
        if m:
            return m
        time.sleep(0.05)
    raise SystemExit(f"timeout waiting for {pattern} in {log}")


def wrk(url, lua, connections, threads=2, headers=()):
    script = os.path.join(work, f"s{abs(hash(lua))}.lua")
    open(script, "w").write(lua)
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{args.seconds}s", "-s", script, url]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, int(non2xx.group(1)) if non2xx else 0


def lua_post(body, token=None):
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}", 'wrk.headers["Content-Type"] = "application/json"']
    if token:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    return "\n".join(lines) + "\n"


def received_lines(log):
    out = []
    with open(log) as f:
        for line in f:
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
    return out


def count_received(log):
    """How many deliveries `log` holds, without parsing them (cheap enough to poll)."""
    with open(log, "rb") as f:
        return f.read().count(b'\n{"event_id"')


def answered_data(call_id, n):
    """A schema-valid call.answered `data` (docs/events.md), tagged with `n`."""
    return {"call_id": call_id, "direction": "inbound", "from": "+919800000001", "to": "+918000000002",
            "status": "in_progress", "started_at": "2026-11-22T10:03:40.000Z",
            "legs": [{"number": "+919800000009", "role": "agent", "state": "answered",
                      "started_at": "2026-11-22T10:03:52.000Z", "answered_at": "2026-11-22T10:03:59.000Z"}],
            "n": n}


def sent_data(conversation_id, n):
    """A schema-valid message.sent `data`."""
    return {"conversation_id": conversation_id, "message_id": f"m{n}", "from": "+918000000002",
            "to": "+919800000001", "status": "sent", "timestamp": "2026-11-22T10:03:59.120Z",
            "message_type": "text", "text": "Hello"}


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


class Server:
    """One `switchboard serve` on a data directory, on a free loopback port."""

    def __init__(self, data, name, extra=()):
        self.log = os.path.join(work, name + ".out")
        t0 = time.time()
        self.proc = start([BIN, "--log-level", "warn", "serve", "--listen", "127.0.0.1:0", "--data", data,
                           "--allow-private-networks", "--ca-file", cert, *extra], self.log)
        self.base = wait_for(self.log, r"^Dashboard: http://(\S+)/$", timeout=120).group(1)
        self.startup = time.time() - t0
        self.host, port = self.base.split(":")
        self.port = int(port)
        m = re.search(r"^Owner token: (\S+)", open(self.log).read(), re.M)
        self.token = m.group(1) if m else None
        self.conn = None

    def api(self, method, path, body=None, token=None):
        for attempt in range(2):  # a keep-alive connection may have idled out
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                self.conn.request(method, path, body=json.dumps(body) if body is not None else None,
                                  headers={"Authorization": "Bearer " + (token or self.token),
                                           "Content-Type": "application/json"})
                r = self.conn.getresponse()
                data = r.read()
                return r.status, json.loads(data or b"null")
            except (http.client.HTTPException, ConnectionError):
                self.conn = None
                if attempt:
                    raise

    def webhook(self, url):
        status, hook = self.api("POST", "/api/v2/webhooks", {"url": url, "events": ["call", "whatsapp"]})
        assert status == 201, hook
        return hook["id"]

    def publish_backlog(self, n, calls):
        for offset in range(0, n, 1000):
            events = [{"type": "call.answered", "data": answered_data(f"d{(offset + i) % calls}", offset + i)}
                      for i in range(min(1000, n - offset))]
            status, body = self.api("POST", "/api/v2/events/batch", {"events": events})
            assert status == 202 and "error" not in body["results"][0], body

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


def latency_run(server, sink_log, rate, seconds, per_event):
    """Publishes `rate` events/s for `seconds`; returns sorted publish->receive ms of
    the deliveries that reached `sink_log` (`per_event` deliveries expected per event)."""
    before = len(received_lines(sink_log))
    sent = {}
    t0 = time.time()
    for i in range(rate * seconds):
        target = t0 + i / rate
        while time.time() < target:
            pass
        sent_us = int(time.time() * 1e6)
        status, body = server.api("POST", "/api/v2/events", {"type": "message.sent", "data": sent_data(f"w{i % 50}", i)})
        if status == 202:
            sent[body["event_id"]] = sent_us
    deadline = time.time() + 30
    while time.time() < deadline and len(received_lines(sink_log)) < before + per_event * len(sent):
        time.sleep(0.05)
    return sorted((line["received_unix_us"] - sent[line["event_id"]]) / 1000.0
                  for line in received_lines(sink_log)[before:] if line.get("event_id") in sent)


def pct(values, p):
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


def sink(name, *extra):
    log = os.path.join(work, name + ".out")
    start([BIN, "receive", "--listen", "127.0.0.1:0", "--cert", cert, "--key", key, "--no-timestamp-check", *extra], log)
    return log, wait_for(log, r"Receiving on https://127\.0\.0\.1:(\d+)").group(1)


def drain(nodes_args, sink_log, n):
    """Starts one node per args list at once; returns (deliveries/s, delivered, seconds, duplicates)."""
    before_lines = len(received_lines(sink_log))
    before = count_received(sink_log)
    t0 = time.time()
    servers = [Server(*a) for a in nodes_args]
    deadline = time.time() + 900
    while time.time() < deadline and count_received(sink_log) < before + n:
        time.sleep(0.05)
    delivered = count_received(sink_log) - before
    seconds = time.time() - t0
    lines = received_lines(sink_log)[before_lines:]
    duplicates = delivered - len({line["event_id"] for line in lines})
    for server in servers:
        server.stop()
    return delivered / seconds, delivered, seconds, duplicates


def cluster_bench():
    """Each node count gets a fresh PostgreSQL, sink and key: rounds do not
    inherit each other's state (measured: a second round on the same server
    was up to 2x slower whatever its node count)."""
    pg_script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "pg", "pg_cluster.sh")
    os.chmod(work, 0o755)
    rows = []
    for count in [int(x) for x in args.cluster.split(",")]:
        pg_dir = os.path.join(work, f"pg{count}")
        subprocess.run(["bash", pg_script, "start", pg_dir], check=True, capture_output=True,
                       env={**os.environ, "SWITCHBOARD_PG_DURABLE": "1"})
        try:
            url = open(os.path.join(pg_dir, "url")).read().strip()
            key_file = os.path.join(work, f"cluster{count}.key")
            with open(key_file, "w") as f:
                f.write(os.urandom(32).hex())
            common = ["--store", url, "--secret-key-file", key_file]
            sink_log, sink_port = sink(f"cluster-sink-{count}")
            loader = Server(os.path.join(work, f"c{count}-load"), f"c{count}-load", [*common, "--no-delivery"])
            loader.webhook(f"https://127.0.0.1:{sink_port}/cluster{count}")
            started = time.time()
            loader.publish_backlog(args.deliveries, args.calls)
            ingest_rate = args.deliveries / (time.time() - started)
            loader.stop()
            subprocess.run(["psql", url, "-q", "-c", "CHECKPOINT"], check=True, capture_output=True)
            nodes = [(os.path.join(work, f"c{count}-n{i}"), f"c{count}-n{i}", common) for i in range(count)]
            rows.append((count, ingest_rate, *drain(nodes, sink_log, args.deliveries)))
        finally:
            subprocess.run(["bash", pg_script, "stop", pg_dir], capture_output=True)
    print(f"Switchboard cluster benchmark ({os.cpu_count()} cores shared by PostgreSQL, the nodes and the sink; "
          f"PostgreSQL 15 fsync=on synchronous_commit=on)")
    print(f"{'nodes':>5} {'deliveries/s':>13} {'ingest ev/s':>12}  detail")
    for count, ingest_rate, rate, delivered, seconds, duplicates in rows:
        print(f"{count:>5} {rate:>13.0f} {ingest_rate:>12.0f}  {delivered}/{args.deliveries} over {args.calls} "
              f"calls in {seconds:.1f} s, {duplicates} duplicates (ingest: one API-only node, batches)")


try:
    # One certificate for every sink, trusted by the servers through --ca-file.
    cert, key = os.path.join(work, "sink.pem"), os.path.join(work, "sink.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    if args.cluster:
        cluster_bench()
        sys.exit(0)

    # 1. The sink alone (the baseline), then a fresh sink for deliveries.
    raw_log, raw_port = sink("raw", "--quiet")
    envelope = {"event_id": "evt_bench", "event_type": "call.answered", "event_sequence": 1,
                "created_at": "2026-11-22T10:03:59.123Z", "company_id": "cmp_x", "data": answered_data("c1", 0)}
    sink_rps, _ = wrk(f"https://127.0.0.1:{raw_port}/", lua_post(json.dumps(envelope, separators=(",", ":"))), 32)
    sink_log, sink_port = sink("sink")

    # 2. Ingest (no webhooks yet).
    server = Server(os.path.join(work, "data1"), "server1")
    event = {"type": "call.answered", "data": answered_data("bench-1", 0)}
    batch = {"events": [{"type": "call.answered", "data": answered_data(f"b{i % 100}", i)} for i in range(1000)]}
    batch_rps, batch_errors = wrk(f"http://{server.base}/api/v2/events/batch", lua_post(json.dumps(batch), server.token), 4)
    single_rps, single_errors = wrk(f"http://{server.base}/api/v2/events", lua_post(json.dumps(event), server.token), 64)

    # 3. Latency at 1000 events/s to one healthy webhook.
    seconds = min(args.seconds, 5)
    server.webhook(f"https://127.0.0.1:{sink_port}/a")
    alone = latency_run(server, sink_log, 1000, seconds, 1)

    # 4. Two healthy webhooks at 500 events/s, without and then with two more
    # that never answer (half of them hang): the same healthy traffic both times.
    hang_log, hang_port = sink("hang", "--hang", "--quiet")
    server.webhook(f"https://127.0.0.1:{sink_port}/b")
    healthy_only = latency_run(server, sink_log, 500, seconds, 2)
    hanging = [server.webhook(f"https://127.0.0.1:{hang_port}/h{i}") for i in range(2)]
    with_hangs = latency_run(server, sink_log, 500, seconds, 2)
    server.stop()

    # 5. Delivery throughput: a backlog stored by an API-only node, drained by a normal start.
    n = args.deliveries
    data2 = os.path.join(work, "data2")
    server = Server(data2, "server2", ["--no-delivery"])
    token = server.token
    server.webhook(f"https://127.0.0.1:{sink_port}/drain")
    server.publish_backlog(n, args.calls)
    server.stop()
    before_lines = len(received_lines(sink_log))
    before = count_received(sink_log)
    t0 = time.time()
    server = Server(data2, "server3")
    drain_startup = server.startup
    deadline = time.time() + 600
    while time.time() < deadline and count_received(sink_log) < before + n:
        time.sleep(0.05)
    drained = count_received(sink_log) - before
    drain_seconds = time.time() - t0
    drain_rate = drained / drain_seconds
    lines = received_lines(sink_log)[before_lines:]
    duplicates = drained - len({line["event_id"] for line in lines})
    server.stop()

    # 6. Memory and restart with a large backlog owed to a failing endpoint.
    pending_rss = pending_startup = float("nan")
    if args.pending:
        fail_log, fail_port = sink("fail", "--status", "500", "--quiet")
        data3 = os.path.join(work, "data3")
        server = Server(data3, "server4", ["--no-delivery"])
        server.webhook(f"https://127.0.0.1:{fail_port}/down")
        server.publish_backlog(args.pending, 100000)
        server.stop()
        server = Server(data3, "server5")
        pending_startup = server.startup
        pending_rss = 0.0
        watch_until = time.time() + 20
        while time.time() < watch_until:
            pending_rss = max(pending_rss, rss_mb(server.proc.pid))
            time.sleep(0.2)
        server.stop()

    print(f"Switchboard benchmark ({os.cpu_count()} cores, {args.seconds} s per wrk run, SQLite synchronous=FULL)")
    print(f"{'figure':64} {'value':>14}")
    print(f"{'raw sink (wrk -> switchboard receive, HTTPS keep-alive, 32 conns)':64} {sink_rps:>10.0f} r/s")
    print(f"{'durable ingest, batch API (1000/request, 4 conns)':64} {batch_rps * 1000:>10.0f} ev/s  errors={batch_errors}")
    print(f"{'durable ingest, one event per request (64 conns)':64} {single_rps:>10.0f} ev/s  errors={single_errors}")
    print(f"{'publish -> receive at 1000 ev/s, p50':64} {pct(alone, 0.5):>10.2f} ms")
    print(f"{'publish -> receive at 1000 ev/s, p99':64} {pct(alone, 0.99):>10.2f} ms  ({len(alone)} samples)")
    print(f"{'healthy p99 while 2 of 4 webhooks hang (500 ev/s x 2 healthy)':64} {pct(with_hangs, 0.99):>10.2f} ms  "
          f"({len(with_hangs)} samples; {pct(with_hangs, 0.99) / pct(healthy_only, 0.99):.2f}x the "
          f"{pct(healthy_only, 0.99):.2f} ms p99 of the same 2 healthy webhooks without them)")
    print(f"{'delivery throughput, backlog of {} over {} calls'.format(n, args.calls):64} {drain_rate:>10.0f} dl/s  "
          f"({drained}/{n} in {drain_seconds:.1f} s, {duplicates} duplicates; {100 * drain_rate / sink_rps:.0f}% of raw sink)")
    print(f"{'restart to serving with that backlog':64} {drain_startup:>10.2f} s")
    if args.pending:
        print(f"{'peak RSS, {} pending to a failing endpoint (first 20 s)'.format(args.pending):64} {pending_rss:>10.0f} MB")
        print(f"{'restart to serving with {} pending'.format(args.pending):64} {pending_startup:>10.2f} s")
finally:
    for p, f in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        f.close()
    shutil.rmtree(work, ignore_errors=True)
