-- Tenancy, identity and webhook configuration.
--
-- Conventions for every migration:
--   * STRICT tables; ids are the type-prefixed text ids from common/ids.h,
--     which sort by creation time, so "ORDER BY id" is stable pagination.
--   * Times are INTEGER unix milliseconds (UTC).
--   * Enumerations are stored as lowercase text with a CHECK constraint.
--   * Secrets (signing secrets, basic-auth passwords, API key values) are
--     stored only in SecretBox-sealed form ("v1.<base64>"), never in clear.
--   * Company-owned tables carry company_id and a UNIQUE (company_id, id)
--     index: it serves per-company listing by id and lets child tables
--     (events, deliveries, attempts in later migrations) reference
--     (company_id, id) so that a row can never point into another company.
-- schema_migrations itself is created by the migrator, not here.

CREATE TABLE companies (
  id                           TEXT    NOT NULL PRIMARY KEY,
  name                         TEXT    NOT NULL,
  managers_can_manage_webhooks INTEGER NOT NULL DEFAULT 0
                                       CHECK (managers_can_manage_webhooks IN (0, 1)),
  created_at                   INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
  id         TEXT    NOT NULL PRIMARY KEY,
  company_id TEXT    NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  name       TEXT    NOT NULL,
  email      TEXT    NOT NULL,
  role       TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'agent')),
  created_at INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX users_company_id ON users (company_id, id);
CREATE UNIQUE INDEX users_company_email ON users (company_id, lower(email));

CREATE TABLE api_tokens (
  id         TEXT    NOT NULL PRIMARY KEY,
  company_id TEXT    NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  user_id    TEXT,
  kind       TEXT    NOT NULL CHECK (kind IN ('user', 'ingest')),
  token_hash TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  -- A user token belongs to a user of the same company; an ingest token to none.
  FOREIGN KEY (company_id, user_id) REFERENCES users (company_id, id) ON DELETE CASCADE,
  CHECK ((kind = 'user') = (user_id IS NOT NULL))
) STRICT;

CREATE UNIQUE INDEX api_tokens_token_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_company ON api_tokens (company_id, id);
CREATE INDEX api_tokens_user ON api_tokens (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE webhooks (
  id                         TEXT    NOT NULL PRIMARY KEY,
  company_id                 TEXT    NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  name                       TEXT    NOT NULL,
  description                TEXT    NOT NULL,
  url                        TEXT    NOT NULL,
  -- {"type":"none"}
  -- {"type":"basic","username":"…","password":"<sealed>"}
  -- {"type":"api_key","location":"header"|"query","keys":[{"key":"…","value":"<sealed>"}]}
  auth                       TEXT    NOT NULL CHECK (json_valid(auth)),
  headers                    TEXT    NOT NULL CHECK (json_valid(headers)),  -- [{"key":"…","value":"…"}]
  events                     TEXT    NOT NULL CHECK (json_valid(events)),   -- ["call.answered", …]
  filters                    TEXT    NOT NULL CHECK (json_valid(filters)),  -- {"direction":[…],"department_ids":[…],"agent_ids":[…]}
  secret                     TEXT,             -- sealed
  previous_secret            TEXT,             -- sealed
  previous_secret_expires_at INTEGER,
  status                     TEXT    NOT NULL CHECK (status IN ('active', 'inactive', 'failed')),
  consecutive_exhausted      INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_exhausted >= 0),
  created_at                 INTEGER NOT NULL,
  updated_at                 INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX webhooks_company_id ON webhooks (company_id, id);
