#!/usr/bin/env python3
"""Switchboard benchmark: prints one table of figures (not a test).

Every figure is printed as its value, its ratio to a reference measured in the
same run, and its target (issue 14; docs/architecture.md §5) with ✔ or ✘.
References (each measured before and after the figures that use it):
  [tls]     raw `wrk -t2 -c32` POST of a 600-byte body -> nginx TLS `return 200`
            (a private nginx, one worker, keep-alive; bench/sinks.py)
  [plain]   `wrk -t2 -c32` GET -> the same nginx's plain HTTP `return 200`
  [receive] raw `wrk -t2 -c32` POST of an envelope -> `switchboard receive`
Figures (--only NAME,...; default all):
  drain          a backlog of --deliveries over --calls calls, one webhook, drained
                 to nginx TLS (an API-only node stores it, a normal start delivers
                 it; deliveries/s from that start to the last arrival at the sink,
                 counted at the sink by event id, duplicates counted)
  drain10        the same over --webhooks webhooks (same nginx, one path each; each
                 call's events go to one of them, by a department filter)
  chains         the same as drain over --long-calls calls (long chains)
  drain-receive  the same as drain to `switchboard receive` (ratio to its raw sink)
  api            GET /api/health and single-event durable ingest (32 connections), beside
                 the [fsync] ceiling: 32 events per mean fdatasync on the data's disk
  batch          durable ingest, batch API (1,000 events per request, 4 connections)
                 (both ingest figures also print the server's CPU µs per event)
  latency        publish -> receive at 1,000 events/s, p50 and p99
  hang           healthy webhooks' p99 while as many others hang, against without them
  pending        --pending deliveries owed to a failing endpoint: peak RSS, restart
  disk           bytes on disk per event, delivered delivery and failed attempt, and the
                 data directory's size at --disk-rate events/s to a failing endpoint
                 under retention for --disk-seconds (bench/disk.py says how)
  (groups: drains = the four drains; all)

With --cluster 1,2,3 it measures cluster mode instead: a private PostgreSQL 15
(tests/pg/pg_cluster.sh, durable settings: fsync and synchronous_commit on) and,
for each node count N, a backlog of --deliveries stored by an API-only node and
drained by N nodes started together; reports deliveries/s per N.

Usage: bench/run.py [path/to/switchboard] [--seconds 5] [--deliveries 100000] [--pending 1000000]
                    [--only drain,api] [--json FILE]
       bench/run.py [path/to/switchboard] --cluster 1,2,3 [--deliveries 30000] [--calls 1000]
A quick rerun of one figure: bench/run.py build/switchboard --only drain --deliveries 20000 --seconds 3
Needs wrk and nginx (Debian packages `wrk`, `nginx-light`; installed when missing).
Every child process is ended on exit (also on Ctrl-C, SIGTERM, or if the bench
is killed) and the temp directory removed. Loopback only.
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ beside the sources
sys.path.insert(0, HERE)
import harness  # noqa: E402
from node import Server, answered_data, sent_data  # noqa: E402
from report import Report, Target  # noqa: E402
from disk import disk_figures  # noqa: E402
from sinks import NginxSink, ReceiveSink  # noqa: E402

FIGURES = ["drain", "drain10", "chains", "drain-receive", "api", "batch", "latency", "hang", "pending", "disk"]
GROUPS = {"all": FIGURES, "drains": ["drain", "drain10", "chains", "drain-receive"]}
REFERENCE_BODY_BYTES = 600


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary", nargs="?", default=os.path.join(HERE, "..", "build", "switchboard"))
    ap.add_argument("--seconds", type=int, default=5, help="length of each wrk run (and of the latency runs, up to 5)")
    ap.add_argument("--deliveries", type=int, default=100000, help="backlog of each drain")
    ap.add_argument("--calls", type=int, default=1000, help="calls the drain backlog is spread over")
    ap.add_argument("--long-calls", type=int, default=100, help="calls of the long-chain drain (chains)")
    ap.add_argument("--webhooks", type=int, default=10, help="webhooks of drain10 (at most 10 per company)")
    ap.add_argument("--pending", type=int, default=1000000, help="backlog for the memory figure (0: skip)")
    ap.add_argument("--only", default="all", help="figures to run, comma-separated: " + ",".join(FIGURES + list(GROUPS)))
    ap.add_argument("--sink-http1", action="store_true", help="nginx's TLS listener offers HTTP/1.1 only "
                    "(default: HTTP/2 and HTTP/1.1 by ALPN; bench/sinks.py says why this option exists)")
    ap.add_argument("--disk-units", type=int, default=5000, help="events per unit figure of disk")
    ap.add_argument("--disk-rate", type=int, default=1000, help="events/s of disk's steady-state run")
    ap.add_argument("--disk-seconds", type=int, default=300, help="length of disk's steady-state run (0: skip it)")
    ap.add_argument("--json", help="also write the references and figures to this file")
    ap.add_argument("--cluster", default="", help="instead of the figures above: drain throughput of cluster mode "
                    "with this many nodes on one PostgreSQL, e.g. 1,2,3")
    args = ap.parse_args()
    selected = []
    for name in args.only.split(","):
        names = GROUPS.get(name, [name])
        unknown = [n for n in names if n not in FIGURES]
        if unknown:
            ap.error(f"--only: unknown figure {unknown[0]} (known: {', '.join(FIGURES + list(GROUPS))})")
        selected += [n for n in names if n not in selected]
    if not args.pending and "pending" in selected:
        selected.remove("pending")
    args.selected = selected
    return args


@dataclass
class Drained:
    delivered: int      # unique deliveries (event id, path) that arrived
    received: int       # requests, duplicates included
    seconds: float      # from the engine's start to the last arrival
    startup: float      # start to serving
    http2: float        # share of arrivals over HTTP/2 (nginx only)
    body_bytes: float   # mean body size

    @property
    def rate(self):
        return self.delivered / self.seconds if self.seconds > 0 else 0.0

    @property
    def duplicates(self):
        return self.received - self.delivered


def collect(sink, tail, n, path_prefix, t0, stall_seconds=60, timeout=900):
    """Reads the sink's arrivals under `path_prefix` until `n` distinct ones
    arrived (or none came for `stall_seconds`); returns them."""
    seen, arrivals = set(), []
    last_progress = time.time()
    deadline = t0 + timeout
    while len(seen) < n and time.time() < deadline and time.time() - last_progress < stall_seconds:
        time.sleep(0.25)
        for line in tail.new_lines():
            a = sink.parse(line)
            if a is None or not a.path.startswith(path_prefix):
                continue
            arrivals.append(a)
            if a.key not in seen:
                seen.add(a.key)
                last_progress = time.time()
    return arrivals


def measure_drain(sink, nodes_args, n, path_prefix):
    """Starts one node per args tuple at once and waits for the backlog's `n`
    deliveries at the sink; the rate runs from the start to the sink's own
    timestamp of the last arrival (the nginx log is flushed every second)."""
    tail = sink.tail()
    t0 = time.time()
    servers = [Server(children, BIN, work, cert, *a) for a in nodes_args]
    arrivals = collect(sink, tail, n, path_prefix, t0)
    for server in servers:
        server.stop()
    if not arrivals:
        return Drained(0, 0, time.time() - t0, servers[0].startup, 0.0, 0.0)
    return Drained(delivered=len({a.key for a in arrivals}), received=len(arrivals),
                   seconds=max(a.at for a in arrivals) - t0, startup=max(s.startup for s in servers),
                   http2=sum(a.protocol == "HTTP/2.0" for a in arrivals) / len(arrivals),
                   body_bytes=sum(a.body_bytes for a in arrivals) / len(arrivals))


def drain_figure(name, sink, hooks, calls, n):
    """A backlog stored by an API-only node (`serve --no-delivery`), drained by a normal start."""
    harness.progress(f"{name}: storing {n} events over {calls} calls for {hooks} webhook(s)")
    data = os.path.join(work, name)
    loader = Server(children, BIN, work, cert, data, name + "-load", ["--no-delivery"])
    for i in range(hooks):
        loader.webhook(sink.url(f"/{name}/{i}"), {"department_ids": [f"dep{i}"]} if hooks > 1 else None)
    loader.publish_backlog(n, calls, departments=hooks if hooks > 1 else 0)
    loader.stop()
    harness.progress(f"{name}: draining")
    return measure_drain(sink, [(data, name)], n, f"/{name}/" if isinstance(sink, NginxSink) else "")


def drain_detail(d, n, sink):
    protocol = f", {d.http2 * 100:.0f} % over HTTP/2" if isinstance(sink, NginxSink) else ""
    return (f"{d.delivered}/{n} in {d.seconds:.1f} s, {d.duplicates} duplicates, start to serving "
            f"{d.startup:.2f} s, mean body {d.body_bytes:.0f} B{protocol}")


def envelope_body(size):
    """A delivery-like envelope of exactly `size` bytes (padded in `data`)."""
    envelope = {"event_id": "evt_bench", "event_type": "call.answered", "event_sequence": 1,
                "created_at": "2026-11-22T10:03:59.123Z", "company_id": "cmp_x",
                "data": {**answered_data("c1", 0), "pad": ""}}
    text = json.dumps(envelope, separators=(",", ":"))
    envelope["data"]["pad"] = "x" * max(0, size - len(text))
    return json.dumps(envelope, separators=(",", ":"))


def measure_tls_reference():
    harness.progress("reference [tls]: wrk -> nginx TLS")
    rps, non2xx, errors = harness.wrk(work, nginx.url("/wrk"), args.seconds, 32,
                                      lua=harness.lua_post(envelope_body(REFERENCE_BODY_BYTES)))
    report.add_run("tls", f"raw wrk -t2 -c32 POST {REFERENCE_BODY_BYTES} B -> nginx TLS return 200 (HTTP/1.1)", rps, "r/s",
                   non2xx + errors)


def measure_plain_reference():
    harness.progress("reference [plain]: wrk -> nginx plain HTTP")
    rps, non2xx, errors = harness.wrk(work, nginx.plain_url("/"), args.seconds, 32)
    report.add_run("plain", "wrk -t2 -c32 GET -> nginx plain HTTP return 200", rps, "r/s", non2xx + errors)


def drains():
    n = args.deliveries
    nginx_drains = [("drain", 1, args.calls, f"drain of {n} over {args.calls} calls, 1 webhook, nginx TLS", 0.60),
                    ("drain10", args.webhooks, args.calls,
                     f"drain of {n} over {args.calls} calls, {args.webhooks} webhooks, nginx TLS", 0.60),
                    ("chains", 1, args.long_calls, f"drain of {n} over {args.long_calls} calls (long chains), nginx",
                     0.40)]
    nginx_drains = [d for d in nginx_drains if d[0] in args.selected]
    if nginx_drains:
        measure_tls_reference()
        for name, hooks, calls, label, bound in nginx_drains:
            d = drain_figure(name, nginx, hooks, calls, n)
            report.figure(name, label, d.rate, "dl/s", "tls", Target(">=", bound, of_reference=True),
                          drain_detail(d, n, nginx))
            if name == "drain":
                report.figure("drain-startup", f"restart to serving with that backlog of {n}", d.startup, "s")
        measure_tls_reference()
    if "drain-receive" in args.selected:
        harness.progress("reference [receive]: wrk -> switchboard receive")
        raw = ReceiveSink(children, BIN, work, cert, key, "raw", "--quiet")
        body = envelope_body(REFERENCE_BODY_BYTES)
        rps, non2xx, errors = harness.wrk(work, raw.url("/"), args.seconds, 32, lua=harness.lua_post(body))
        report.add_run("receive", "raw wrk -t2 -c32 POST -> switchboard receive (HTTPS)", rps, "r/s", non2xx + errors)
        sink = ReceiveSink(children, BIN, work, cert, key, "drain-sink")
        d = drain_figure("drain-receive", sink, 1, args.calls, n)
        report.figure("drain-receive", f"drain of {n} over {args.calls} calls, 1 webhook, switchboard receive",
                      d.rate, "dl/s", "receive", None, drain_detail(d, n, sink))
        rps, non2xx, errors = harness.wrk(work, raw.url("/"), args.seconds, 32, lua=harness.lua_post(body))
        report.add_run("receive", "raw wrk -t2 -c32 POST -> switchboard receive (HTTPS)", rps, "r/s", non2xx + errors)
        raw.stop()
        sink.stop()


def wrk_with_cpu(server, url, connections, lua, per_request=1):
    """A wrk run against `server`; also returns the server's CPU seconds (user +
    system) per event over the run: on a shared machine throughput varies with
    the neighbours, CPU per event much less."""
    before = harness.cpu_seconds(server.proc.pid)
    rps, non2xx, errors, requests = harness.wrk(work, url, args.seconds, connections, lua=lua, with_total=True)
    used = harness.cpu_seconds(server.proc.pid) - before
    events = requests * per_request
    return rps, non2xx, errors, used / events if events else float("nan")


def api_figures():
    if "api" in args.selected:
        measure_plain_reference()
    server = Server(children, BIN, work, cert, os.path.join(work, "api"), "api")
    if "api" in args.selected:
        harness.progress("api: GET /api/health, then single-event ingest")
        rps, non2xx, errors = harness.wrk(work, f"http://{server.base}/api/health", args.seconds, 32)
        report.figure("health", "GET /api/health (wrk -t2 -c32)", rps, "r/s", "plain",
                      Target(">=", 0.50, of_reference=True), f"non-2xx {non2xx}, socket errors {errors}")
        # What durability allows: each of the 32 connections has one event
        # waiting for a COMMIT, so at most 32 events per fdatasync.
        sync_median, sync = harness.fdatasync_latency(work)
        report.add_run("fsync", f"32 connections / mean fdatasync ({sync * 1e3:.2f} ms; median "
                       f"{sync_median * 1e3:.2f} ms)", 32 / sync, "ev/s")
        event = {"type": "call.answered", "data": answered_data("bench-1", 0)}
        rps, non2xx, errors, cpu = wrk_with_cpu(server, f"http://{server.base}/api/v2/events", 32,
                                                harness.lua_post(json.dumps(event), server.token))
        report.figure("ingest", "durable ingest, one event per request (wrk -t2 -c32)", rps, "ev/s", "plain",
                      Target(">=", 0.30, of_reference=True),
                      f"{rps * sync / 32 * 100:.0f} % of the [fsync] ceiling; server CPU {cpu * 1e6:.0f} µs/event; "
                      f"non-2xx {non2xx}, socket errors {errors}")
    if "batch" in args.selected:
        harness.progress("batch: batch ingest")
        batch = {"events": [{"type": "call.answered", "data": answered_data(f"b{i % 100}", i)} for i in range(1000)]}
        rps, non2xx, errors, cpu = wrk_with_cpu(server, f"http://{server.base}/api/v2/events/batch", 4,
                                                harness.lua_post(json.dumps(batch), server.token), per_request=1000)
        report.figure("batch", "durable ingest, batch API (1,000 per request, wrk -t2 -c4)", rps * 1000, "ev/s",
                      None, Target(">=", 100000),
                      f"server CPU {cpu * 1e6:.1f} µs/event; non-2xx {non2xx}, socket errors {errors}")
    server.stop()
    if "api" in args.selected:
        measure_plain_reference()


def latency_run(server, sink, rate, seconds, per_event):
    """Publishes `rate` events/s for `seconds`; returns sorted publish->receive ms of
    the deliveries that reached `sink` (`per_event` deliveries expected per event)."""
    before = len(sink.lines())
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
    while time.time() < deadline and len(sink.lines()) < before + per_event * len(sent):
        time.sleep(0.05)
    return sorted((line["received_unix_us"] - sent[line["event_id"]]) / 1000.0
                  for line in sink.lines()[before:] if line.get("event_id") in sent)


def pct(values, p):
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


def latency_figures():
    seconds = min(args.seconds, 5)
    sink = ReceiveSink(children, BIN, work, cert, key, "latency-sink")
    server = Server(children, BIN, work, cert, os.path.join(work, "latency"), "latency")
    server.webhook(sink.url("/a"))
    hang_sink = None
    if "latency" in args.selected:
        harness.progress("latency: 1,000 events/s to one webhook")
        alone = latency_run(server, sink, 1000, seconds, 1)
        detail = f"{len(alone)} samples, switchboard receive"
        report.figure("latency-p50", "publish -> receive at 1,000 ev/s, p50", pct(alone, 0.5), "ms", None,
                      Target("<=", 2), detail)
        report.figure("latency-p99", "publish -> receive at 1,000 ev/s, p99", pct(alone, 0.99), "ms", None,
                      Target("<=", 10), detail)
    if "hang" in args.selected:
        # Two healthy webhooks at 500 events/s, without and then with two more
        # that never answer (half of them hang): the same healthy traffic both times.
        harness.progress("hang: 2 healthy webhooks without, then with, 2 hanging ones")
        hang_sink = ReceiveSink(children, BIN, work, cert, key, "hang-sink", "--hang", "--quiet")
        server.webhook(sink.url("/b"))
        healthy_only = latency_run(server, sink, 500, seconds, 2)
        for i in range(2):
            server.webhook(hang_sink.url(f"/h{i}"))
        with_hangs = latency_run(server, sink, 500, seconds, 2)
        ratio = pct(with_hangs, 0.99) / pct(healthy_only, 0.99)
        report.figure("hang", "healthy p99 while 2 of 4 webhooks hang, x the p99 without them", ratio, "x", None,
                      Target("<=", 1.5), f"{pct(with_hangs, 0.99):.2f} ms with ({len(with_hangs)} samples) against "
                      f"{pct(healthy_only, 0.99):.2f} ms without ({len(healthy_only)}), 500 ev/s x 2 healthy")
    server.stop()
    sink.stop()
    if hang_sink:
        hang_sink.stop()


def pending_figures():
    """Memory and restart with a large backlog owed to a failing endpoint."""
    harness.progress(f"pending: storing {args.pending} events for a failing endpoint, then restart")
    fail = ReceiveSink(children, BIN, work, cert, key, "fail-sink", "--status", "500", "--quiet")
    data = os.path.join(work, "pending")
    server = Server(children, BIN, work, cert, data, "pending-load", ["--no-delivery"])
    server.webhook(fail.url("/down"))
    server.publish_backlog(args.pending, 100000)
    server.stop()
    server = Server(children, BIN, work, cert, data, "pending")
    peak = 0.0
    watch_until = time.time() + 20
    while time.time() < watch_until:
        peak = max(peak, harness.rss_mb(server.proc.pid))
        time.sleep(0.2)
    server.stop()
    fail.stop()
    report.figure("pending-rss", f"peak RSS, {args.pending} pending to a failing endpoint (first 20 s)", peak, "MB",
                  None, Target("<=", 300))
    report.figure("pending-restart", f"restart to serving with {args.pending} pending", server.startup, "s", None,
                  Target("<=", 5))


def cluster_bench():
    """Each node count gets a fresh PostgreSQL, sink and key: rounds do not
    inherit each other's state (measured: a second round on the same server
    was up to 2x slower whatever its node count)."""
    pg_script = os.path.join(HERE, "..", "tests", "pg", "pg_cluster.sh")
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
            sink = ReceiveSink(children, BIN, work, cert, key, f"cluster-sink-{count}")
            loader = Server(children, BIN, work, cert, os.path.join(work, f"c{count}-load"), f"c{count}-load",
                            [*common, "--no-delivery"])
            loader.webhook(sink.url(f"/cluster{count}"))
            started = time.time()
            loader.publish_backlog(args.deliveries, args.calls)
            ingest_rate = args.deliveries / (time.time() - started)
            loader.stop()
            subprocess.run(["psql", url, "-q", "-c", "CHECKPOINT"], check=True, capture_output=True)
            nodes = [(os.path.join(work, f"c{count}-n{i}"), f"c{count}-n{i}", common) for i in range(count)]
            rows.append((count, ingest_rate, measure_drain(sink, nodes, args.deliveries, "")))
        finally:
            subprocess.run(["bash", pg_script, "stop", pg_dir], capture_output=True)
    print(f"Switchboard cluster benchmark ({os.cpu_count()} cores shared by PostgreSQL, the nodes and the sink; "
          f"PostgreSQL 15 fsync=on synchronous_commit=on)")
    print(f"{'nodes':>5} {'deliveries/s':>13} {'ingest ev/s':>12}  detail")
    for count, ingest_rate, d in rows:
        print(f"{count:>5} {d.rate:>13.0f} {ingest_rate:>12.0f}  {d.delivered}/{args.deliveries} over {args.calls} "
              f"calls in {d.seconds:.1f} s, {d.duplicates} duplicates (ingest: one API-only node, batches)")


def meta():
    commit = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    version = subprocess.run([BIN, "version"], capture_output=True, text=True).stdout.strip()
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit or "?", "binary": BIN, "version": version, "cpus": os.cpu_count(),
            "load_start": harness.loadavg(), "load_end": "", "seconds": args.seconds,
            "argv": " ".join(sys.argv[1:]), "figures": args.selected,
            "nginx_tls_offers": "http/1.1" if args.sink_http1 else "h2,http/1.1"}


args = parse_args()
BIN = os.path.abspath(args.binary)
harness.exit_on_sigterm()
harness.ensure_package("wrk", "wrk")
work = tempfile.mkdtemp(prefix="sb-bench-")
children = harness.Children()
harness.progress(f"bench: {BIN}, temp directory {work}")
try:
    # One certificate for every sink (switchboard receive and nginx), trusted by
    # the servers through --ca-file.
    cert, key = os.path.join(work, "sink.pem"), os.path.join(work, "sink.key")
    harness.make_certificate(cert, key)
    if args.cluster:
        cluster_bench()
        sys.exit(0)
    report = Report(meta())
    nginx = NginxSink(children, work, cert, key, http2=not args.sink_http1) if {"drain", "drain10", "chains", "api"} & set(
        args.selected) else None
    if {"drain", "drain10", "chains", "drain-receive"} & set(args.selected):
        drains()
    if {"api", "batch"} & set(args.selected):
        api_figures()
    if {"latency", "hang"} & set(args.selected):
        latency_figures()
    if "pending" in args.selected:
        pending_figures()
    if "disk" in args.selected:
        disk_figures(report, children, BIN, work, cert, key, args.disk_units, args.disk_rate, args.disk_seconds)
    report.meta["load_end"] = harness.loadavg()
    report.print()
    if args.json:
        report.write_json(args.json)
finally:
    children.stop_all()
    shutil.rmtree(work, ignore_errors=True)
