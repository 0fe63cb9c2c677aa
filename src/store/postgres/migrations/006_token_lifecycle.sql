-- Token lifecycle (issue 12 item 9): tokens can expire and be revoked, their
-- last use is recorded (at most once a minute), users can be deactivated.
-- A short, non-secret hint of the token text helps recognise a token in a list.
ALTER TABLE api_tokens ADD COLUMN hint TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN revoked_at BIGINT;
ALTER TABLE users ADD COLUMN deactivated_at BIGINT;

-- GET /tokens of one user (a non-admin sees only their own), by id.
CREATE INDEX api_tokens_company_user ON api_tokens (company_id, user_id, id) WHERE user_id IS NOT NULL;
