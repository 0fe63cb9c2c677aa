#!/usr/bin/env python3
"""PostgreSQL batch ingest alone: one API-only node on a private PostgreSQL 15
(tests/pg/pg_cluster.sh, its fast test settings: fsync off), one webhook,
N events published in batches of 1,000 over 1,000 calls. Prints events/s.
A measurement, not a test. Loopback only.

Usage: bench/pg_ingest.py SWITCHBOARD_BINARY [EVENTS]   (default 20000)
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from sbtest import Process, answered_data, request  # noqa: E402

BIN = sys.argv[1]
EVENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
PG = os.path.join(HERE, "..", "tests", "pg", "pg_cluster.sh")

work = tempfile.mkdtemp(prefix="sb-pg-ingest-")
os.chmod(work, 0o755)  # the postgres user must reach its cluster directory
subprocess.run(["bash", PG, "start", work + "/pg"], check=True, capture_output=True)
node = None
try:
    url = open(work + "/pg/url").read().strip()
    key = work + "/cluster.key"
    with open(key, "w") as f:
        f.write(os.urandom(32).hex())
    os.chmod(key, 0o600)
    node = Process(BIN, ["serve", "--listen", "127.0.0.1:0", "--data", work + "/node", "--store", url,
                         "--secret-key-file", key, "--no-delivery", "--ingest-rate-limit", "0"], work + "/node.out")
    base = node.wait_for(r"^Dashboard: (http://\S+)/$").group(1)
    token = node.wait_for(r"^Owner token: (\S+)").group(1)
    request(base, token, "POST", "/api/v2/webhooks", {"url": "https://127.0.0.1:9/hook", "events": ["call"]})
    started = time.time()
    for offset in range(0, EVENTS, 1000):
        events = [{"type": "call.answered", "data": answered_data(f"c-{(offset + i) % 1000}", offset + i)}
                  for i in range(min(1000, EVENTS - offset))]
        status, body = request(base, token, "POST", "/api/v2/events/batch", {"events": events}, timeout=120)
        assert status == 202, (status, str(body)[:300])
    seconds = time.time() - started
    print(f"{EVENTS} events in {seconds:.2f} s: {EVENTS / seconds:.0f} events/s "
          f"(batches of 1000, one webhook, 1000 calls, PostgreSQL fsync off)")
finally:
    if node:
        node.stop()
    subprocess.run(["bash", PG, "stop", work + "/pg"], capture_output=True)
    shutil.rmtree(work, ignore_errors=True)
