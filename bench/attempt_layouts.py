#!/usr/bin/env python3
"""Bytes per failed attempt of candidate SQLite layouts of the attempt log (issue 15, item 4; not a test).

Takes the attempts of a store (e.g. the `disk-failed` store bench/disk.py makes), re-inserts them in
time order, 200 per transaction (as the recorder batches), into one fresh database per layout, and
prints each layout's bytes per attempt beyond its response excerpt (dbstat: the table and its indexes).
Migration 011_compact_attempts chose the layout from these figures (docs/benchmarks.md).

Usage: bench/attempt_layouts.py path/to/switchboard.db   (a store from before 011: text error classes)
"""
import os
import sqlite3
import sys
import tempfile

ERRORS = {"none": 0, "http_status": 1, "timeout": 2, "connect": 3, "tls": 4, "dns": 5, "redirect": 6,
          "refused": 7, "other": 8}
COLUMNS = ("id, webhook_id, delivery_id, attempt, at, status_code, error, error_message, latency, request_url, "
           "request_headers, request_body, response_headers, response_body")
TEXT = "error TEXT NOT NULL, error_message TEXT NOT NULL, latency REAL NOT NULL"
COMPACT = "error INTEGER NOT NULL, error_message TEXT, latency INTEGER NOT NULL"
REST = ("request_url TEXT, request_headers TEXT NOT NULL, request_body TEXT, response_headers TEXT NOT NULL, "
        "response_body TEXT NOT NULL")


def table(key_first, encodings, tail=""):
    return f"CREATE TABLE attempts ({key_first}, at INTEGER NOT NULL, status_code INTEGER, {encodings}, {REST}{tail})"


ROWID_KEYS = "id TEXT NOT NULL, webhook_id TEXT NOT NULL, delivery_id TEXT NOT NULL, attempt INTEGER NOT NULL"
DLV_KEYS = "delivery_id TEXT NOT NULL, attempt INTEGER NOT NULL, id TEXT NOT NULL, webhook_id TEXT NOT NULL"
WH_KEYS = "webhook_id TEXT NOT NULL, id TEXT NOT NULL, delivery_id TEXT NOT NULL, attempt INTEGER NOT NULL"
LAYOUTS = [
    ("before 011: rowid, id primary key, (webhook, id), (delivery)", False,
     table(ROWID_KEYS.replace("id TEXT NOT NULL", "id TEXT NOT NULL PRIMARY KEY", 1), TEXT) + " STRICT; "
     "CREATE INDEX w ON attempts (webhook_id, id); CREATE INDEX d ON attempts (delivery_id)"),
    ("WITHOUT ROWID (delivery, attempt, id), unique (webhook, id)", False,
     table(DLV_KEYS, TEXT, ", PRIMARY KEY (delivery_id, attempt, id)") + " STRICT, WITHOUT ROWID; "
     "CREATE UNIQUE INDEX w ON attempts (webhook_id, id)"),
    ("same, compact encodings", True,
     table(DLV_KEYS, COMPACT, ", PRIMARY KEY (delivery_id, attempt, id)") + " STRICT, WITHOUT ROWID; "
     "CREATE UNIQUE INDEX w ON attempts (webhook_id, id)"),
    ("WITHOUT ROWID (webhook, id), (delivery, attempt), compact", True,
     table(WH_KEYS, COMPACT, ", PRIMARY KEY (webhook_id, id)") + " STRICT, WITHOUT ROWID; "
     "CREATE INDEX d ON attempts (delivery_id, attempt)"),
    ("rowid, unique (webhook, id), (delivery, attempt)", False,
     table(ROWID_KEYS, TEXT) + " STRICT; "
     "CREATE UNIQUE INDEX w ON attempts (webhook_id, id); CREATE INDEX d ON attempts (delivery_id, attempt)"),
    ("same, compact encodings (011)", True,
     table(ROWID_KEYS, COMPACT) + " STRICT; "
     "CREATE UNIQUE INDEX w ON attempts (webhook_id, id); CREATE INDEX d ON attempts (delivery_id, attempt)"),
]


def compact(row):
    (id_, webhook, delivery, attempt, at, status, error, message, latency, *rest) = row
    if error == "http_status" and status is not None and message == f"HTTP {status}":
        message = None
    return (id_, webhook, delivery, attempt, at, status, ERRORS[error], message, round(latency * 1000), *rest)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    source = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    rows = source.execute(f"SELECT {COLUMNS.replace('latency', 'latency_ms')} FROM attempts ORDER BY at, id").fetchall()
    n = len(rows)
    if n == 0:
        sys.exit("no attempts")
    excerpt = sum(len(r[12]) + len(r[13]) for r in rows)
    print(f"{n} attempts, mean response excerpt {excerpt / n:.0f} B")
    work = tempfile.mkdtemp(prefix="sb-layouts-")
    for i, (name, compact_encodings, ddl) in enumerate(LAYOUTS):
        path = os.path.join(work, f"{i}.db")
        con = sqlite3.connect(path)
        con.executescript(ddl)
        values = [compact(r) if compact_encodings else r for r in rows]
        for start in range(0, n, 200):
            with con:
                con.executemany(f"INSERT INTO attempts ({COLUMNS}) VALUES ({', '.join('?' * 14)})",
                                values[start:start + 200])
        parts = con.execute("SELECT name, sum(pgsize) FROM dbstat WHERE name != 'sqlite_schema' GROUP BY name").fetchall()
        con.close()
        os.remove(path)
        total = sum(size for _, size in parts)
        detail = ", ".join(f"{part} {size / n:.0f}" for part, size in parts)
        print(f"{(total - excerpt) / n:5.0f} B  {name}  ({detail})")
    os.rmdir(work)


if __name__ == "__main__":
    main()
