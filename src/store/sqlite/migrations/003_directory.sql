-- The company directory: agents and departments, named by the ids the
-- telephony side publishes in events (agent_id, department_id). Ids are
-- chosen by the client, so they are unique per company only: the key is
-- (company_id, id), which also serves per-company listing by id and the
-- per-event lookups of call.summary enrichment at ingest.

CREATE TABLE departments (
  company_id TEXT    NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  id         TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (company_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE agents (
  company_id    TEXT    NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  id            TEXT    NOT NULL,
  name          TEXT    NOT NULL,
  email         TEXT,
  extension     TEXT,
  number        TEXT,
  -- A department of the same company. The store clears it when the
  -- department is deleted (a composite ON DELETE SET NULL would null company_id too).
  department_id TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (company_id, id)
) STRICT, WITHOUT ROWID;

CREATE INDEX agents_department ON agents (company_id, department_id) WHERE department_id IS NOT NULL;
