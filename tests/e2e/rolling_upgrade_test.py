#!/usr/bin/env python3
"""Rolling upgrade on PostgreSQL, one step (issue 18 item 6; README,
Operations: Rolling upgrade).

The rule: PostgreSQL migrations are additive (new tables, new columns that
are nullable or have a default, new indexes), so a node of the previous
release keeps working on a schema that a newer node has migrated, and a
binary never refuses a database that has migrations it does not know.
`tests/e2e/migrations_additive_test.py` checks every migration file against
that rule.

This test plays one step of an upgrade with the binary under test as the
*old* node: the *new* node's migration (version N+1, additive: a table, a
nullable column on `deliveries` and on `events`, an index, its
schema_migrations row) is applied by psql while the old node runs. Then:
the old node still ingests and delivers; a second node joins on the newer
schema; the old node is stopped gracefully (SIGTERM: it leaves the cluster,
its node row goes) and restarted on the newer schema (not refused), and
delivers again. Every acknowledged event is delivered. A private PostgreSQL
15 on a free loopback port (tests/pg/pg_cluster.sh); every wait has a
deadline.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

from sbtest import Checks, Process, answered_data, received_ids, request, start_receiver

BIN = sys.argv[1]
PG_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg", "pg_cluster.sh")

NEXT_MIGRATION = """
BEGIN;
CREATE TABLE upgrade_probe (id TEXT PRIMARY KEY, note TEXT);
ALTER TABLE deliveries ADD COLUMN upgrade_note TEXT;
ALTER TABLE events ADD COLUMN upgrade_flag BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX deliveries_upgrade_note ON deliveries (upgrade_note) WHERE upgrade_note IS NOT NULL;
INSERT INTO schema_migrations (version, name, applied_at)
  SELECT max(version) + 1, 'upgrade_probe', (extract(epoch FROM now()) * 1000)::bigint FROM schema_migrations;
COMMIT;
"""


def psql(url, sql):
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atc", sql], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"psql failed: {out.stderr}")
    return [line for line in out.stdout.splitlines() if line]


def publish(base, token, tag, count):
    ids = []
    for n in range(count):
        status, body = request(base, token, "POST", "/api/v2/events",
                               {"type": "call.answered", "data": answered_data(f"{tag}-{n % 5}", n)})
        assert status == 202, (status, body)
        ids.append(body["event_id"])
    return ids


def wait_received(log, ids, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline and not set(ids) <= received_ids(log):
        time.sleep(0.1)
    return set(ids) - received_ids(log)


def main():
    check = Checks()
    work = tempfile.mkdtemp(prefix="sb-upgrade-")
    os.chmod(work, 0o755)  # the postgres user must reach its cluster directory inside
    pg_dir = os.path.join(work, "pg")
    subprocess.run(["bash", PG_SCRIPT, "start", pg_dir], check=True)
    url = open(os.path.join(pg_dir, "url")).read().strip()
    key = os.path.join(work, "cluster.key")
    with open(key, "w") as f:
        f.write(os.urandom(32).hex() + "\n")
    os.chmod(key, 0o600)
    cert = os.path.join(work, "cert.pem")
    log = os.path.join(work, "receiver.out")
    receiver, port = start_receiver(BIN, log, cert)
    nodes = []

    def start_node(name):
        node = Process(BIN, ["serve", "--listen", "127.0.0.1:0", "--data", os.path.join(work, name), "--store", url,
                             "--secret-key-file", key, "--allow-private-networks", "--ca-file", cert,
                             "--drain-timeout", "20"], os.path.join(work, name + f"-{len(nodes)}.out"))
        node.base = node.wait_for(r"^Dashboard: (http://\S+)/$").group(1)
        nodes.append(node)
        return node

    try:
        old = start_node("old")
        token = old.wait_for(r"^Owner token: (\S+)").group(1)
        status, hook = request(old.base, token, "POST", "/api/v2/webhooks",
                               {"url": f"https://127.0.0.1:{port}/hook", "events": ["call"]})
        assert status == 201, (status, hook)
        version_before = int(psql(url, "SELECT max(version) FROM schema_migrations")[0])
        first = publish(old.base, token, "before", 20)
        check("old node delivers on its own schema", not wait_received(log, first))

        psql(url, NEXT_MIGRATION)  # the new node's migration, while the old node runs
        version_after = int(psql(url, "SELECT max(version) FROM schema_migrations")[0])
        check("the schema moved one version ahead", version_after == version_before + 1,
              f"{version_before} -> {version_after}")
        second = publish(old.base, token, "after", 20)
        check("old node ingests and delivers on the newer schema", not wait_received(log, second))

        new = start_node("new")
        third = publish(new.base, token, "mixed-new", 10) + publish(old.base, token, "mixed-old", 10)
        check("old and new node deliver side by side", not wait_received(log, third))
        check("two nodes in the cluster", psql(url, "SELECT count(*) FROM nodes") == ["2"])

        # The old node's turn in the rolling upgrade: a graceful stop.
        old.proc.send_signal(15)
        code = old.proc.wait(timeout=60)
        out = open(old.out_path).read()
        check("old node exits 0 on SIGTERM", code == 0, code)
        check("old node left the cluster (its node row removed)",
              "event=left_cluster" in out and psql(url, "SELECT count(*) FROM nodes") == ["1"],
              psql(url, "SELECT id FROM nodes"))
        check("no lease left with the stopped node",
              psql(url, "SELECT count(*) FROM deliveries WHERE lease_owner IS NOT NULL AND lease_owner NOT IN "
                        "(SELECT id FROM nodes)") == ["0"])

        restarted = start_node("old")  # the old binary again, on the newer schema: not refused
        status, ready = request(restarted.base, token, "GET", "/api/ready")
        check("old binary starts on a newer schema and is ready", status == 200 and ready == {"status": "ready"},
              (status, ready))
        fourth = publish(restarted.base, token, "restarted", 20)
        check("restarted old node delivers", not wait_received(log, fourth))
        return check.exit_code()
    finally:
        for node in nodes:
            node.stop()
        receiver.stop(timeout=10)
        subprocess.run(["bash", PG_SCRIPT, "stop", pg_dir], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
