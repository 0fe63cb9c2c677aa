#!/usr/bin/env python3
"""`switchboard purge` offline (issue 15 item 1: the CLI can run a purge).

An API-only `serve --no-delivery` stores events of two calls and stops. Half
of them are then made older than the retention (their created_at moved back
two hours in the SQLite file, as time would), and `switchboard purge --data
DIR --retention 3600` deletes exactly those, prints what it did, and leaves
the others; a second purge finds nothing; a server starts on the purged
store. Bad input (a retention out of range, a directory without a store)
is refused with a clear message and deletes nothing. Loopback only.
"""
import os
import sqlite3
import sys
import tempfile
import time

from sbtest import Checks, Process, run_command, answered_data, request

BIN = sys.argv[1]
EVENTS = 20
HOURS_2_MS = 2 * 3600 * 1000

check = Checks()


def purge(*args):
    return run_command(BIN, "purge", *args)


def event_ids(db):
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM events")}


def start(work, data, name):
    server = Process(BIN, ["serve", "--listen", "127.0.0.1:0", "--data", data, "--no-delivery"],
                     os.path.join(work, name + ".out"))
    return server


def main():
    work = tempfile.mkdtemp(prefix="sb-purge-")
    data = os.path.join(work, "data")
    db = os.path.join(data, "switchboard.db")
    server = start(work, data, "server1")
    try:
        token = server.wait_for(r"^Owner token: (\S+)").group(1)
        base = server.wait_for(r"^Dashboard: (http://\S+)/$").group(1)
        batch = [{"type": "call.answered", "data": answered_data(f"purge-{i % 2}", i)} for i in range(EVENTS)]
        status, body = request(base, token, "POST", "/api/v2/events/batch", {"events": batch})
        check("events stored", status == 202, status)
        stored = [r["event_id"] for r in body["results"] if "event_id" in r]
        check("every event acknowledged", len(stored) == EVENTS, len(stored))
    finally:
        server.stop()

    # Half of them two hours old, as if time had passed (milliseconds or seconds, as stored).
    old = set(stored[: EVENTS // 2])
    with sqlite3.connect(db) as conn:
        sample = conn.execute("SELECT created_at FROM events LIMIT 1").fetchone()[0]
        shift = HOURS_2_MS if sample > time.time() * 100 else HOURS_2_MS // 1000
        conn.executemany("UPDATE events SET created_at = created_at - ? WHERE id = ?", [(shift, i) for i in old])

    rc, out = purge("--data", data, "--retention", "10")
    check("a retention under an hour is refused", rc != 0 and "retention" in out.lower(), out.strip())
    check("... and nothing is deleted", event_ids(db) == set(stored))
    nowhere = os.path.join(work, "nowhere")
    rc, out = purge("--data", nowhere, "--retention", "3600")
    check("a directory without a store is refused", rc != 0 and "no store at" in out, out.strip())
    check("... and no store is made there", not os.path.exists(os.path.join(nowhere, "switchboard.db")))

    rc, out = purge("--data", data, "--retention", "3600")
    check("purge runs", rc == 0, out.strip())
    check("it says what it deleted", f"purged {len(old)} expired events" in out, out.strip())
    left = event_ids(db)
    check("exactly the expired events are gone", left == set(stored) - old, f"{len(left)} left")
    rc, out = purge("--data", data, "--retention", "3600")
    check("a second purge finds nothing", rc == 0 and "purged 0 expired events" in out, out.strip())

    server = start(work, data, "server2")
    try:
        server.wait_for(r"^Dashboard: ")
        check("a server starts on the purged store", True)
    finally:
        server.stop()
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
