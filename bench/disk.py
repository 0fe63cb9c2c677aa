#!/usr/bin/env python3
"""Disk figures of the embedded SQLite store (issue 15, item 4; not a test).

1. Bytes on disk per unit, from SQLite's dbstat table (pages of each table and
   its indexes, measured on a stopped store): per stored event beyond its
   payload, per delivered delivery, and per failed attempt beyond its response
   excerpt (headers + body), each from its own store:
     events     --units events published with no webhook;
     delivered  --units events delivered to `switchboard receive` (200);
     failed     --units events to a receiver answering 500, under
                --time-scale 720 (the 24 h window is 2 minutes), until the
                attempts stop (the webhook is marked failed after a few
                exhausted deliveries and its queue pauses).
2. The data directory's size while --rate events/s go for --disk-seconds to an
   endpoint answering 500, with the server default retention of 1 hour under
   --time-scale 720 (5 s; the 24 h window is 2 minutes, after which the
   exhausted deliveries and their events expire) and a purge every 5 s: it
   must level off. Like is compared with like: every sample (a thread, every
   10 s, so the publisher cannot starve it) reads at the same instant the
   data directory's size (database + WAL + shm: what the disk holds) and the
   bytes the rows retention keeps then hold (the live store's pages in use,
   page_count - freelist_count from its header: every table and index, neither
   free pages nor WAL). The steady-state ratio is the mean of directory / rows over
   the samples of the last third of the run (after the first window and
   retention have turned over); the target is <= 2. The largest ratio and
   the directory's peak are printed beside it.

Usage: bench/disk.py [path/to/switchboard] [--units 5000] [--rate 1000] [--disk-seconds 300]
Also run by bench/run.py --only disk. Loopback only.
"""
import argparse
import datetime
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import harness  # noqa: E402
from node import Server, answered_data  # noqa: E402
from report import Report, Target  # noqa: E402
from sinks import ReceiveSink  # noqa: E402

TIME_SCALE = 720  # 24 h -> 2 min; retention 1 h -> 5 s


def table_bytes(db):
    """{table: bytes of its pages and of its indexes' pages} and the freelist, from dbstat."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    owner = {name: tbl for name, tbl in con.execute("SELECT name, tbl_name FROM sqlite_schema")}
    sizes = {}
    for name, size in con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        table = owner.get(name, name)
        sizes[table] = sizes.get(table, 0) + size
    free = con.execute("PRAGMA freelist_count").fetchone()[0] * con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    return sizes, free


def scalar(db, sql):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    value = con.execute(sql).fetchone()[0] or 0
    con.close()
    return value


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def publish(server, n, offset=0, batch=500):
    for start in range(0, n, batch):
        events = [{"type": "call.answered", "data": answered_data(f"disk{(offset + start + i) % 1000}", offset + start + i)}
                  for i in range(min(batch, n - start))]
        status, body = server.api("POST", "/api/v2/events/batch", {"events": events})
        assert status == 202, body


def wait_settled(db_dir, sql, want, timeout=600):
    """Polls the live store (read-only) until `sql` gives `want` or more."""
    db = os.path.join(db_dir, "switchboard.db")
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if scalar(db, sql) >= want:
                return True
        except sqlite3.OperationalError:
            pass
        time.sleep(1)
    return False


def wait_quiet(db_dir, sql, quiet=15, timeout=900):
    """Polls the live store until `sql` stops changing for `quiet` seconds: a
    failing endpoint's webhook is marked `failed` after a few exhausted
    deliveries (spec §4) and its queue pauses, so the attempts stop there."""
    db = os.path.join(db_dir, "switchboard.db")
    deadline = time.time() + timeout
    last, since = None, time.time()
    while time.time() < deadline:
        try:
            value = scalar(db, sql)
        except sqlite3.OperationalError:
            value = last
        if value != last:
            last, since = value, time.time()
        elif time.time() - since >= quiet:
            return
        time.sleep(1)


def unit_figures(ctx, report):
    binary, work, cert, key, children, units = ctx["binary"], ctx["work"], ctx["cert"], ctx["key"], ctx["children"], ctx["units"]
    results = {}
    # Events alone.
    data = os.path.join(work, "disk-events")
    server = Server(children, binary, work, cert, data, "disk-events", ["--no-delivery"])
    publish(server, units)
    server.stop()
    db = os.path.join(data, "switchboard.db")
    sizes, _ = table_bytes(db)
    payload = scalar(db, "SELECT sum(length(payload)) FROM events")
    n = scalar(db, "SELECT count(*) FROM events")
    per_event = (sizes.get("events", 0) + sizes.get("event_sequences", 0) - payload) / n
    results["event"] = per_event
    report.figure("disk-event", "bytes on disk per stored event beyond its payload", per_event, "B", None, None,
                  f"{n} events, mean payload {payload / n:.0f} B (events table + indexes + sequences)")
    # Delivered deliveries.
    ok = ReceiveSink(children, binary, work, cert, key, "disk-ok", "--quiet")
    data = os.path.join(work, "disk-delivered")
    server = Server(children, binary, work, cert, data, "disk-delivered")
    server.webhook(ok.url("/ok"))
    publish(server, units)
    wait_settled(data, "SELECT count(*) FROM deliveries WHERE state = 'delivered'", units)
    server.stop()
    ok.stop()
    db = os.path.join(data, "switchboard.db")
    sizes, _ = table_bytes(db)
    n = scalar(db, "SELECT count(*) FROM deliveries WHERE state = 'delivered'")
    per_delivery = sizes.get("deliveries", 0) / max(n, 1)
    results["delivery"] = per_delivery
    report.figure("disk-delivery", "bytes on disk per delivered delivery", per_delivery, "B", None, None,
                  f"{n} delivered (deliveries table + its indexes)")
    # Failed attempts.
    fail = ReceiveSink(children, binary, work, cert, key, "disk-fail", "--status", "500", "--quiet")
    data = os.path.join(work, "disk-failed")
    server = Server(children, binary, work, cert, data, "disk-failed", ["--time-scale", str(TIME_SCALE)])
    server.webhook(fail.url("/down"))
    publish(server, units)
    wait_quiet(data, "SELECT count(*) FROM attempts")
    server.stop()
    fail.stop()
    db = os.path.join(data, "switchboard.db")
    sizes, _ = table_bytes(db)
    n = scalar(db, "SELECT count(*) FROM attempts")
    excerpt = scalar(db, "SELECT sum(length(response_headers) + length(response_body)) FROM attempts")
    shared = sizes.get("delivery_requests", 0)
    per_attempt = (sizes.get("attempts", 0) - excerpt) / max(n, 1)
    results["attempt"] = per_attempt
    report.figure("disk-attempt", "bytes on disk per failed attempt beyond its response excerpt", per_attempt, "B",
                  None, Target("<=", 300),
                  f"{n} attempts of {units} deliveries, mean excerpt {excerpt / max(n, 1):.0f} B; the request kept "
                  f"once per delivery: {shared / max(units, 1):.0f} B per delivery")
    return results


def live_pages(db):
    """(bytes of the pages in use, bytes of the free pages) of the live store, from its header:
    page_count - freelist_count, read at once (a dbstat walk would hold a read snapshot for
    seconds and keep the WAL from being reset meanwhile)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        size = con.execute("PRAGMA page_size").fetchone()[0]
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        free = con.execute("PRAGMA freelist_count").fetchone()[0]
        return (pages - free) * size, free * size
    finally:
        con.close()


class Sampler(threading.Thread):
    """Every `every` seconds: (t, directory bytes, row bytes), read at the same instant."""

    def __init__(self, data, t0, every=10):
        super().__init__(daemon=True)
        self.data, self.t0, self.every = data, t0, every
        self.samples, self.stopping = [], threading.Event()

    def run(self):
        db = os.path.join(self.data, "switchboard.db")
        while not self.stopping.wait(self.every):
            try:
                rows, free = live_pages(db)
            except sqlite3.Error:
                continue
            t, directory = time.time() - self.t0, dir_bytes(self.data)
            wal = os.path.getsize(db + "-wal") if os.path.exists(db + "-wal") else 0
            self.samples.append((t, directory, rows, wal, free))
            harness.progress(f"disk: {t:.0f} s, directory {directory / 1e6:.1f} MB, rows {rows / 1e6:.1f} MB, "
                             f"WAL {wal / 1e6:.1f} MB, free pages {free / 1e6:.1f} MB")

    def stop(self):
        self.stopping.set()
        self.join()


def steady_figures(ctx, report):
    binary, work, cert, key, children = ctx["binary"], ctx["work"], ctx["cert"], ctx["key"], ctx["children"]
    rate, seconds = ctx["rate"], ctx["seconds"]
    fail = ReceiveSink(children, binary, work, cert, key, "steady-fail", "--status", "500", "--quiet")
    data = os.path.join(work, "disk-steady")
    server = Server(children, binary, work, cert, data, "disk-steady",
                    ["--time-scale", str(TIME_SCALE), "--retention", "3600", "--purge-interval", "5"])
    server.webhook(fail.url("/down"))
    t0 = time.time()
    sampler = Sampler(data, t0)
    sampler.start()
    sent = 0
    batch = max(1, rate // 10)
    while time.time() - t0 < seconds:
        due = int((time.time() - t0) * rate)
        while sent < due and time.time() - t0 < seconds:  # behind schedule: stop on time anyway
            publish(server, batch, sent, batch)
            sent += batch
        time.sleep(0.02)
    sampler.stop()
    server.stop()
    fail.stop()
    samples = sampler.samples
    tail = [s for s in samples if s[0] >= seconds * 2 / 3 and s[2] > 0]
    ratios = [d / r for _, d, r, _, _ in tail]
    steady = sum(ratios) / max(len(ratios), 1)
    peak = max((s[1] for s in samples), default=0)

    def mean(i):
        return sum(s[i] for s in tail) / max(len(tail), 1)

    mean_dir, mean_rows, mean_wal, mean_free = mean(1), mean(2), mean(3), mean(4)
    series = ", ".join(f"{t:.0f}s {d / 1e6:.0f}/{r / 1e6:.0f}MB" for t, d, r, _, _ in samples)
    report.figure("disk-steady", f"data directory over the rows retention keeps, same instant, steady state "
                  f"({rate} ev/s to a 500 endpoint, {seconds} s, retention 1 h at time-scale {TIME_SCALE})",
                  steady, "x", None, Target("<=", 2),
                  f"last third: directory {mean_dir / 1e6:.1f} MB over rows {mean_rows / 1e6:.1f} MB "
                  f"(WAL {mean_wal / 1e6:.1f} MB, free pages {mean_free / 1e6:.1f} MB; largest ratio "
                  f"{max(ratios, default=0):.2f}x), directory peak {peak / 1e6:.1f} MB, "
                  f"{sent} events sent ({sent / seconds:.0f}/s); directory/rows: {series}")


def disk_figures(report, children, binary, work, cert, key, units, rate, seconds):
    ctx = dict(binary=binary, work=work, cert=cert, key=key, children=children, units=units, rate=rate,
               seconds=seconds)
    unit_figures(ctx, report)
    if seconds > 0:
        steady_figures(ctx, report)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary", nargs="?", default=os.path.join(HERE, "..", "build", "switchboard"))
    ap.add_argument("--units", type=int, default=5000, help="events per unit figure")
    ap.add_argument("--rate", type=int, default=1000, help="events/s of the steady-state run")
    ap.add_argument("--disk-seconds", type=int, default=300, help="length of the steady-state run (0: skip)")
    args = ap.parse_args()
    harness.exit_on_sigterm()
    work = tempfile.mkdtemp(prefix="sb-disk-")
    children = harness.Children()
    try:
        cert, key = os.path.join(work, "sink.pem"), os.path.join(work, "sink.key")
        harness.make_certificate(cert, key)
        commit = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        report = Report({"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                         "commit": commit or "?", "cpus": os.cpu_count(), "seconds": "-", "nginx_tls_offers": "-",
                         "argv": " ".join(sys.argv[1:]), "figures": ["disk"], "load_start": harness.loadavg()})
        disk_figures(report, children, os.path.abspath(args.binary), work, cert, key, args.units, args.rate,
                     args.disk_seconds)
        report.meta["load_end"] = harness.loadavg()
        report.print()
    finally:
        children.stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
