#!/usr/bin/env python3
"""Switchboard benchmark: prints one table of figures (not a test).

Starts `switchboard receive` (HTTPS sink) and `switchboard serve` on a fresh
SQLite store in a temp directory, all on loopback, then measures:
  - raw sink throughput with wrk (the baseline the delivery figure is compared to)
  - durable ingest, batch API (wrk, 1000 events per request, no webhooks)
  - durable ingest, one event per request, keep-alive (wrk, no webhooks)
  - delivery throughput to the sink (N events published in batches, time until all arrive)
  - publish -> receive latency at ~1000 events/s (p50, p99), from the sink's receive timestamps

Usage: bench/run.py [path/to/switchboard] [--seconds 5] [--deliveries 20000]
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
ap.add_argument("--deliveries", type=int, default=20000)
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


try:
    cert = os.path.join(work, "sink.pem")
    sink_log = os.path.join(work, "sink.out")
    start([BIN, "receive", "--listen", "127.0.0.1:0", "--cert-out", cert, "--no-timestamp-check"], sink_log)
    sink_port = wait_for(sink_log, r"Receiving on https://127\.0\.0\.1:(\d+)").group(1)

    envelope = {"event_id": "evt_bench", "event_type": "call.answered", "event_sequence": 1,
                "created_at": "2026-11-22T10:03:59.123Z", "company_id": "cmp_x",
                "data": {"call_id": "c1", "direction": "inbound", "from": "+911", "to": "+912"}}
    sink_rps, _ = wrk(f"https://127.0.0.1:{sink_port}/", lua_post(json.dumps(envelope, separators=(",", ":"))), 32)
    # The wrk run above printed one line per request; start counting deliveries afresh.
    open(sink_log, "w").close()

    server_log = os.path.join(work, "server.out")
    start([BIN, "--log-level", "warn", "serve", "--listen", "127.0.0.1:0", "--data", os.path.join(work, "data"),
           "--allow-private-networks", "--ca-file", cert], server_log)
    token = wait_for(server_log, r"^Owner token: (\S+)").group(1)
    base = wait_for(server_log, r"^Dashboard: http://(\S+)/$").group(1)
    host, port = base.split(":")

    def api(method, path, body=None, conn=None):
        c = conn or http.client.HTTPConnection(host, int(port), timeout=60)
        c.request(method, path, body=json.dumps(body) if body is not None else None,
                  headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        return r.status, json.loads(data or b"null")

    event = {"type": "call.answered", "data": answered_data("bench-1", 0)}
    batch = {"events": [{"type": "call.answered", "data": answered_data(f"b{i % 100}", i)} for i in range(1000)]}
    batch_rps, batch_errors = wrk(f"http://{base}/api/v2/events/batch", lua_post(json.dumps(batch), token), 4)
    single_rps, single_errors = wrk(f"http://{base}/api/v2/events", lua_post(json.dumps(event), token), 64)

    status, hook = api("POST", "/api/v2/webhooks",
                       {"url": f"https://127.0.0.1:{sink_port}/hook", "events": ["call", "whatsapp"]})
    assert status == 201, hook
    # Delivery throughput: publish N events (100 calls) and time until all reached the sink.
    n = args.deliveries
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    started = time.time()
    for offset in range(0, n, 1000):
        events = [{"type": "call.answered", "data": answered_data(f"d{(offset + i) % 100}", offset + i)}
                  for i in range(min(1000, n - offset))]
        status, _ = api("POST", "/api/v2/events/batch", {"events": events}, conn)
        assert status == 202
    deadline = time.time() + 300
    while time.time() < deadline and len(received_lines(sink_log)) < n:
        time.sleep(0.05)
    delivered = len(received_lines(sink_log))
    delivery_rate = delivered / (time.time() - started)

    # Latency at ~1000 events/s, one event per request on one keep-alive connection.
    before = len(received_lines(sink_log))
    sent = {}
    rate, seconds = 1000, min(args.seconds, 5)
    conn = http.client.HTTPConnection(host, int(port), timeout=60)  # the last one may have idled out
    t0 = time.time()
    for i in range(rate * seconds):
        target = t0 + i / rate
        while time.time() < target:
            pass
        sent_us = int(time.time() * 1e6)
        status, body = api("POST", "/api/v2/events", {"type": "message.sent", "data": sent_data(f"w{i % 50}", i)}, conn)
        if status == 202:
            sent[body["event_id"]] = sent_us
    deadline = time.time() + 30
    while time.time() < deadline and len(received_lines(sink_log)) < before + len(sent):
        time.sleep(0.05)
    latencies = sorted((line["received_unix_us"] - sent[line["event_id"]]) / 1000.0
                       for line in received_lines(sink_log)[before:] if line.get("event_id") in sent)
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")

    print(f"Switchboard benchmark ({os.cpu_count()} cores, {args.seconds} s per wrk run, SQLite synchronous=FULL)")
    print(f"{'figure':58} {'value':>14}")
    print(f"{'raw sink (wrk -> switchboard receive, HTTPS keep-alive)':58} {sink_rps:>10.0f} r/s")
    print(f"{'durable ingest, batch API (1000/request, 4 conns)':58} {batch_rps * 1000:>10.0f} ev/s  errors={batch_errors}")
    print(f"{'durable ingest, one event per request (64 conns)':58} {single_rps:>10.0f} ev/s  errors={single_errors}")
    print(f"{'delivery throughput to the sink ({} events, 100 calls)'.format(n):58} {delivery_rate:>10.0f} dl/s  "
          f"({delivered}/{n} arrived; {100 * delivery_rate / sink_rps:.0f}% of raw sink)")
    print(f"{'publish -> receive latency at 1000 ev/s, p50':58} {pct(0.50):>10.2f} ms")
    print(f"{'publish -> receive latency at 1000 ev/s, p99':58} {pct(0.99):>10.2f} ms  ({len(latencies)} samples)")
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
