#!/usr/bin/env python3
"""A 10,000-event burst at max_rate 50 (issue 16 item 4), measured once on loopback.

Starts `switchboard serve` on a fresh data directory and two `switchboard
receive` HTTPS sinks, creates webhook A (max_rate 50) and webhook B
(unlimited), both subscribed to `call`, then publishes 10,000 call.answered
events over 100 calls through POST /api/v2/events/batch (10 batches of 1,000).
Reports, from the arrival times the receivers log (received_unix_us):
- the most arrivals at A in any 1-s window (expected <= 50, a little over
  from network/TLS/scheduling bunching) and A's mean rate and total time
  (~200 s expected);
- whether A received every call's events in per-call order (sequence);
- how long B took (it must not wait behind A);
- how many failed attempts GET /api/v2/webhooks/{A}/failures lists (expected 0)
  and how many deliveries were retries (attempt > 1).

Usage: python3 bench/rate_burst.py [path/to/switchboard] [--events N] [--rate R]
Loopback only; every wait has a deadline.
"""
import argparse
import collections
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from sbtest import Process, answered_data, received, request, start_receiver  # noqa: E402


def most_in_window(times_us, window_us=1_000_000):
    most, first = 0, 0
    for last in range(len(times_us)):
        while times_us[last] - times_us[first] >= window_us:
            first += 1
        most = max(most, last - first + 1)
    return most


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary", nargs="?", default="build/switchboard")
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--calls", type=int, default=100)
    ap.add_argument("--rate", type=int, default=50)
    args = ap.parse_args()
    n, rate = args.events, args.rate

    work = tempfile.mkdtemp(prefix="sb-rate-burst-")
    cert_a, cert_b = os.path.join(work, "a.pem"), os.path.join(work, "b.pem")
    log_a, log_b = os.path.join(work, "a.out"), os.path.join(work, "b.out")
    sink_a, port_a = start_receiver(args.binary, log_a, cert_a)
    sink_b, port_b = start_receiver(args.binary, log_b, cert_b)
    # serve trusts both self-signed sinks: one CA file holding both certificates.
    ca = os.path.join(work, "ca.pem")
    with open(ca, "w") as f:
        f.write(open(cert_a).read() + open(cert_b).read())
    server = Process(args.binary, ["serve", "--listen", "127.0.0.1:0", "--data", os.path.join(work, "data"),
                                   "--allow-private-networks", "--ca-file", ca], os.path.join(work, "serve.out"))
    try:
        token = server.wait_for(r"^Owner token: (\S+)").group(1)
        base = server.wait_for(r"^Dashboard: (http://\S+)/$").group(1)
        status, a = request(base, token, "POST", "/api/v2/webhooks",
                            {"url": f"https://127.0.0.1:{port_a}/a", "events": ["call"], "max_rate": rate})
        assert status == 201, (status, a)
        status, b = request(base, token, "POST", "/api/v2/webhooks",
                            {"url": f"https://127.0.0.1:{port_b}/b", "events": ["call"]})
        assert status == 201, (status, b)
        print(f"A {a['id']} max_rate={a.get('max_rate')}, B {b['id']} max_rate={b.get('max_rate')}")

        published_us = time.time_ns() // 1000
        for start in range(0, n, 1000):
            batch = [{"type": "call.answered", "data": answered_data(f"burst-{i % args.calls}", i)}
                     for i in range(start, min(n, start + 1000))]
            status, body = request(base, token, "POST", "/api/v2/events/batch", {"events": batch}, timeout=120)
            assert status == 202, (status, str(body)[:300])
            results = body["results"]  # EventBatchResults: EventAccepted, or an Error for a refused event
            assert len(results) == len(batch), (len(results), len(batch))
            refused = [r for r in results if "error" in r]
            assert not refused, refused[:3]
        publish_s = (time.time_ns() // 1000 - published_us) / 1e6
        print(f"published {n} events in {publish_s:.1f} s")

        deadline = time.time() + n / rate * 2 + 120
        b_done_s = None
        while time.time() < deadline:
            got_a, got_b = len(received(log_a)), len(received(log_b))
            if b_done_s is None and got_b >= n:
                b_done_s = (max(r["received_unix_us"] for r in received(log_b)) - published_us) / 1e6
                print(f"B has all {n} after {b_done_s:.1f} s (A has {got_a})")
            if got_a >= n and got_b >= n:
                break
            time.sleep(3)

        ra, rb = received(log_a), received(log_b)
        times = sorted(r["received_unix_us"] for r in ra)
        ids_a = {r["event_id"] for r in ra}
        last_seq, out_of_order, no_seq = collections.defaultdict(lambda: -1), 0, 0
        for r in sorted(ra, key=lambda r: r["received_unix_us"]):
            if "sequence" not in r:
                no_seq += 1
                continue
            if r["sequence"] <= last_seq[r["call_id"]]:
                out_of_order += 1
            last_seq[r["call_id"]] = r["sequence"]
        status, failures = request(base, token, "GET", f"/api/v2/webhooks/{a['id']}/failures?limit=100")
        total_a_s = (times[-1] - published_us) / 1e6 if times else float("nan")
        span_a_s = (times[-1] - times[0]) / 1e6 if len(times) > 1 else float("nan")
        print(f"A received {len(ra)} deliveries ({len(ids_a)} distinct events), B {len(rb)}")
        print(f"A most arrivals in any 1-s window: {most_in_window(times)} (limit {rate})")
        print(f"A first..last arrival {span_a_s:.1f} s, mean {(len(times) - 1) / span_a_s:.2f}/s; "
              f"publish to last arrival {total_a_s:.1f} s")
        print(f"A per-call order: {out_of_order} out of order, {no_seq} without sequence, "
              f"{len({r['call_id'] for r in ra})} calls")
        print(f"A retries (attempt > 1): {sum(1 for r in ra if r.get('attempt', 1) > 1)}; "
              f"signature failures: {sum(1 for r in ra if r.get('signatures') == 'failed')}")
        print(f"A failures API: HTTP {status}, {len(failures.get('data', [])) if status == 200 else failures} failed attempts")
        print(f"B publish to last arrival: {b_done_s} s")
        print(f"work dir: {work}")
    finally:
        server.stop()
        sink_a.stop()
        sink_b.stop()


if __name__ == "__main__":
    main()
