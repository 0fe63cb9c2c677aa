-- Tenancy, identity and webhook configuration (PostgreSQL; the same schema
-- as src/store/sqlite/migrations/001_init.sql).
--
-- Conventions for every PostgreSQL migration:
--   * ids are the type-prefixed text ids from common/ids.h, which sort by
--     creation time, so "ORDER BY id" is stable pagination. Every id column
--     (id, company_id, *_id) is TEXT COLLATE "C": comparisons and ORDER BY
--     are bytewise, as in SQLite, whatever the database's default collation
--     (en_US.UTF-8 would sort "a_b" and "ab" differently), and the btree
--     indexes on them serve "id > $after ORDER BY id".
--   * Times are BIGINT unix milliseconds (UTC).
--   * Enumerations are stored as lowercase text with a CHECK constraint,
--     spelled as store/common/column_codec.h spells them.
--   * Secrets (signing secrets, basic-auth passwords, API key values) are
--     stored only in SecretBox-sealed form ("v1.<base64>", ASCII, so TEXT),
--     never in clear.
--   * Company-owned tables carry company_id and a UNIQUE (company_id, id)
--     index for per-company listing and composite foreign keys.
-- schema_migrations itself is created by the migrator, not here.

CREATE TABLE companies (
  id                           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  name                         TEXT    NOT NULL,
  managers_can_manage_webhooks BOOLEAN NOT NULL DEFAULT FALSE,
  created_at                   BIGINT  NOT NULL
);

CREATE TABLE users (
  id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  company_id TEXT COLLATE "C" NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  name       TEXT   NOT NULL,
  email      TEXT   NOT NULL,
  role       TEXT   NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'agent')),
  created_at BIGINT NOT NULL
);

CREATE UNIQUE INDEX users_company_id ON users (company_id, id);
-- One email per company, case-insensitively: two nodes creating the same
-- user race on this index, and the loser gets a unique violation (kConflict).
CREATE UNIQUE INDEX users_company_email ON users (company_id, lower(email));

CREATE TABLE api_tokens (
  id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  company_id TEXT COLLATE "C" NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  user_id    TEXT COLLATE "C",
  kind       TEXT   NOT NULL CHECK (kind IN ('user', 'ingest')),
  token_hash TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  -- A user token belongs to a user of the same company; an ingest token to none.
  FOREIGN KEY (company_id, user_id) REFERENCES users (company_id, id) ON DELETE CASCADE,
  CHECK ((kind = 'user') = (user_id IS NOT NULL))
);

CREATE UNIQUE INDEX api_tokens_token_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_company ON api_tokens (company_id, id);
CREATE INDEX api_tokens_user ON api_tokens (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE webhooks (
  id                         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  company_id                 TEXT COLLATE "C" NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  name                       TEXT    NOT NULL,
  description                TEXT    NOT NULL,
  url                        TEXT    NOT NULL,
  -- JSON text exactly as both stores write it (store/common/webhook_codec.h):
  -- {"type":"none"}
  -- {"type":"basic","username":"…","password":"<sealed>"}
  -- {"type":"api_key","location":"header"|"query","keys":[{"key":"…","value":"<sealed>"}]}
  -- Kept as TEXT, not JSONB, so the bytes round-trip unchanged.
  auth                       TEXT    NOT NULL,
  headers                    TEXT    NOT NULL,  -- [{"key":"…","value":"…"}]
  events                     TEXT    NOT NULL,  -- ["call.answered", …]
  filters                    TEXT    NOT NULL,  -- {"direction":[…],"department_ids":[…],"agent_ids":[…]}
  secret                     TEXT,              -- sealed
  previous_secret            TEXT,              -- sealed
  previous_secret_expires_at BIGINT,
  status                     TEXT    NOT NULL CHECK (status IN ('active', 'inactive', 'failed')),
  consecutive_exhausted      INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_exhausted >= 0),
  created_at                 BIGINT  NOT NULL,
  updated_at                 BIGINT  NOT NULL
);

CREATE UNIQUE INDEX webhooks_company_id ON webhooks (company_id, id);
