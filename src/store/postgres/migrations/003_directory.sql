-- The company directory (PostgreSQL; the same schema as
-- src/store/sqlite/migrations/003_directory.sql): agents and departments,
-- named by the ids the telephony side publishes in events. Ids are chosen by
-- the client, so they are unique per company only: the key is
-- (company_id, id).

CREATE TABLE departments (
  company_id TEXT COLLATE "C" NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  id         TEXT COLLATE "C" NOT NULL,
  name       TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (company_id, id)
);

CREATE TABLE agents (
  company_id    TEXT COLLATE "C" NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  id            TEXT COLLATE "C" NOT NULL,
  name          TEXT   NOT NULL,
  email         TEXT,
  extension     TEXT,
  number        TEXT,
  -- A department of the same company. The store clears it when the
  -- department is deleted, in the same transaction.
  department_id TEXT COLLATE "C",
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  PRIMARY KEY (company_id, id)
);
CREATE INDEX agents_department ON agents (company_id, department_id) WHERE department_id IS NOT NULL;
