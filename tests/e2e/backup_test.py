#!/usr/bin/env python3
"""Backup under write load, and restore (issue 15 item 5).

An API-only `switchboard serve --no-delivery` takes batches of events for a
webhook while `switchboard backup` copies its SQLite store. The copy is
restored the way the README says (the file as DATA/switchboard.db beside the
same secret.key) into a fresh data directory, and a normal `serve` there
delivers every event that was acknowledged before the backup began, and
nothing that was never acknowledged. Refusals (target exists, no directory,
no store, a PostgreSQL store) are clear and leave files as they were.
Loopback only; every wait has a deadline.
"""
import hashlib
import os
import shutil
import sys
import tempfile
import threading
import time

from sbtest import (Checks, Process, answered_data, received_ids, request, run_command,
                    start_receiver)

BIN = sys.argv[1]
BATCH = 100

check = Checks()


def backup(*args):
    return run_command(BIN, "backup", *args)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    work = tempfile.mkdtemp(prefix="sb-backup-")
    cert = os.path.join(work, "cert.pem")
    recv_log = os.path.join(work, "receiver.out")
    data = os.path.join(work, "data")
    backups = os.path.join(work, "backups")
    os.makedirs(backups)
    out = os.path.join(backups, "store.backup")
    receiver, port = start_receiver(BIN, recv_log, cert)
    servers = []
    try:
        server = Process(BIN, ["serve", "--listen", "127.0.0.1:0", "--data", data, "--no-delivery",
                               "--allow-private-networks", "--ca-file", cert],
                         os.path.join(work, "server1.out"))
        servers.append(server)
        token = server.wait_for(r"^Owner token: (\S+)").group(1)
        base = server.wait_for(r"^Dashboard: (http://\S+)/$").group(1)
        status, _ = request(base, token, "POST", "/api/v2/webhooks",
                            {"url": f"https://127.0.0.1:{port}/hook", "events": ["call"]})
        assert status == 201, status

        acked = set()
        lock = threading.Lock()
        stop = threading.Event()

        def publish():
            n = 0
            while not stop.is_set() and n < 200000:
                batch = [{"type": "call.answered", "data": answered_data(f"backup-{(n + i) % 89}", n + i)}
                         for i in range(BATCH)]
                status, body = request(base, token, "POST", "/api/v2/events/batch", {"events": batch})
                if status == 202:
                    with lock:
                        acked.update(r["event_id"] for r in body["results"] if "event_id" in r)
                n += BATCH

        publisher = threading.Thread(target=publish)
        publisher.start()
        deadline = time.time() + 60
        while time.time() < deadline and len(acked) < 2000:
            time.sleep(0.01)
        with lock:
            before = set(acked)
        code, said = backup("--data", data, "--out", out)
        with lock:
            during = len(acked) - len(before)
        # Writes went on during the copy and after it.
        deadline = time.time() + 60
        while time.time() < deadline and len(acked) < len(before) + during + 500:
            time.sleep(0.01)
        stop.set()
        publisher.join(timeout=60)
        check("backup under write load succeeds", code == 0 and "backup written to" in said, said.strip())
        check("it names the key the copy needs", "secret.key" in said, said.strip())
        check("events were acknowledged while it ran or after", len(acked) > len(before),
              f"{len(before)} before, {len(acked)} in all")
        mode = os.stat(out).st_mode & 0o777
        check("the copy is readable by its owner only", mode == 0o600, oct(mode))

        # Refusals: clear, nothing replaced, nothing left behind.
        kept = digest(out)
        code, said = backup("--data", data, "--out", out)
        check("a target that exists is refused", code != 0 and "already exists" in said, said.strip())
        check("and kept as it was", digest(out) == kept)
        code, said = backup("--data", data, "--out", os.path.join(work, "missing", "x.backup"))
        check("a target in a missing directory is refused", code != 0 and "no directory" in said, said.strip())
        code, said = backup("--data", os.path.join(work, "empty"), "--out", os.path.join(backups, "y"))
        check("a data directory without a store is refused", code != 0 and "no store at" in said, said.strip())
        code, said = backup("--store", "postgresql://127.0.0.1:1/none", "--out", os.path.join(backups, "z"))
        check("a PostgreSQL store is pointed to pg_dump", code != 0 and "pg_dump" in said, said.strip())
        check("no stray file in the backups directory", sorted(os.listdir(backups)) == ["store.backup"],
              str(sorted(os.listdir(backups))))
        server.stop()

        # Restore as the README says: the copy as DATA/switchboard.db, beside the same key.
        restored = os.path.join(work, "restored")
        os.makedirs(restored, mode=0o700)
        shutil.copyfile(out, os.path.join(restored, "switchboard.db"))
        shutil.copyfile(os.path.join(data, "secret.key"), os.path.join(restored, "secret.key"))
        os.chmod(os.path.join(restored, "secret.key"), 0o600)
        server = Process(BIN, ["serve", "--listen", "127.0.0.1:0", "--data", restored,
                               "--allow-private-networks", "--ca-file", cert],
                         os.path.join(work, "server2.out"))
        servers.append(server)
        server.wait_for(r"^Dashboard: ")
        deadline = time.time() + 120
        missing = before - received_ids(recv_log)
        while missing and time.time() < deadline:
            time.sleep(0.2)
            missing = before - received_ids(recv_log)
        got = received_ids(recv_log) - {""}
        check("the restored store delivers every event acknowledged before the backup", not missing,
              f"{len(before)} before, {len(missing)} missing")
        check("and nothing that was never acknowledged", got <= acked, f"{len(got - acked)} unknown")
        print(f"{len(before)} acknowledged before the backup, {len(got)} delivered from the copy, "
              f"{len(acked)} acknowledged in all")
    finally:
        for server in servers:
            server.stop()
        receiver.stop(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
