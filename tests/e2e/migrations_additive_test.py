#!/usr/bin/env python3
"""PostgreSQL migrations are additive (README, Operations: Rolling upgrade).

A node of the previous release keeps running while a newer node migrates the
shared database, so a migration may only add: tables, indexes, columns that
are nullable or have a DEFAULT, constraints that every existing row and every
older writer meets. This check fails on a statement that could break an older
node (DROP, RENAME, a column's type changed, SET NOT NULL, a NOT NULL column
without a DEFAULT, TRUNCATE, DELETE/UPDATE of existing rows) unless the file
is listed in NOT_ADDITIVE with what the operator must do, which the README's
"Rolling upgrade" section repeats. The argument (the binary) is not used.
"""
import glob
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MIGRATIONS = os.path.join(ROOT, "src", "store", "postgres", "migrations")

# file name -> what an operator does instead of a rolling upgrade (also in the README).
NOT_ADDITIVE = {
    # Attempts lose their payload copy and the columns the delivery already
    # holds (issue 15): a node of the previous release still writes them.
    "008_lean_attempts.sql": "stop every node of the previous release, start one node of this "
    "release (it migrates), then the rest: pending work waits in the database, nothing is lost",
    # Attempts in compact encodings (issue 15 item 4): the error class and the
    # latency change type; a node of the previous release still writes text.
    "013_compact_attempts.sql": "stop every node of the previous release, start one node of this "
    "release (it migrates), then the rest: pending work waits in the database, nothing is lost",
}

FORBIDDEN = [
    (r"\bDROP\b", "DROP"),
    (r"\bRENAME\b", "RENAME"),
    (r"\bALTER\s+COLUMN\b[^;]*\bTYPE\b", "a column type change"),
    (r"\bSET\s+NOT\s+NULL\b", "SET NOT NULL"),
    (r"\bTRUNCATE\b", "TRUNCATE"),
    (r"^\s*DELETE\s+FROM\b", "DELETE of existing rows"),
    (r"^\s*UPDATE\b", "UPDATE of existing rows"),
]
ADD_COLUMN = re.compile(r"\bADD\s+COLUMN\b([^,;]*)", re.I)


def problems(sql):
    sql = re.sub(r"--[^\n]*", "", sql)
    sql = re.sub(r"\$\$.*?\$\$", "$$ $$", sql, flags=re.S)  # function bodies run later, on new rows
    found = [name for pattern, name in FORBIDDEN if re.search(pattern, sql, re.I | re.M)]
    for column in ADD_COLUMN.findall(sql):
        if re.search(r"\bNOT\s+NULL\b", column, re.I) and not re.search(r"\bDEFAULT\b", column, re.I):
            found.append("ADD COLUMN … NOT NULL without DEFAULT")
    return found


def self_test():
    cases = [
        ("CREATE TABLE t (id TEXT PRIMARY KEY);", []),
        ("ALTER TABLE t ADD COLUMN c TEXT;", []),
        ("ALTER TABLE t ADD COLUMN c TEXT NOT NULL DEFAULT '';", []),
        ("ALTER TABLE t ADD COLUMN c TEXT NOT NULL;", ["ADD COLUMN … NOT NULL without DEFAULT"]),
        ("ALTER TABLE t DROP COLUMN c;", ["DROP"]),
        ("ALTER TABLE t RENAME COLUMN c TO d;", ["RENAME"]),
        ("ALTER TABLE t ALTER COLUMN c TYPE BIGINT;", ["a column type change"]),
        ("ALTER TABLE t ALTER COLUMN c SET NOT NULL;", ["SET NOT NULL"]),
        ("-- DROP is fine in a comment\nCREATE INDEX i ON t (c);", []),
        ("UPDATE t SET c = 1;", ["UPDATE of existing rows"]),
        ("CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  UPDATE t SET c = 1;\nEND $$;", []),
    ]
    ok = True
    for sql, expected in cases:
        if problems(sql) != expected:
            print(f"FAIL self-test {sql!r}: {problems(sql)} != {expected}")
            ok = False
    return ok


def main():
    ok = self_test()
    files = sorted(glob.glob(os.path.join(MIGRATIONS, "*.sql")))
    if not files:
        print("FAIL no migrations found in " + MIGRATIONS)
        return 1
    for path in files:
        name = os.path.basename(path)
        found = problems(open(path).read())
        if found and name not in NOT_ADDITIVE:
            ok = False
            print(f"FAIL {name}: {', '.join(found)} — an older node may break while a newer one migrates. "
                  "Make it additive, or list it in NOT_ADDITIVE with the upgrade procedure and in the README "
                  "(Operations: Rolling upgrade).")
        else:
            print(f"PASS {name}" + (f" (not additive, documented: {NOT_ADDITIVE[name]})" if found else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
