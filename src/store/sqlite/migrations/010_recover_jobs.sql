-- Recover (issue 16 item 7): background jobs that resend a webhook's exhausted
-- deliveries since a time (store.h RecoverJobs). A job is created `running`
-- and, in one transaction with the deliveries it queues, becomes `done` (or
-- `failed` with nothing queued); one left `running` by a crash is run again.
CREATE TABLE recover_jobs (
  id          TEXT    NOT NULL PRIMARY KEY,
  company_id  TEXT    NOT NULL,
  webhook_id  TEXT    NOT NULL,
  since       INTEGER NOT NULL,  -- unix ms
  status      TEXT    NOT NULL,  -- running | done | failed
  queued      INTEGER NOT NULL DEFAULT 0,
  total       INTEGER NOT NULL DEFAULT 0,
  capped      INTEGER NOT NULL DEFAULT 0,
  error       TEXT    NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  finished_at INTEGER,
  FOREIGN KEY (company_id, webhook_id) REFERENCES webhooks (company_id, id) ON DELETE CASCADE
);
CREATE INDEX recover_jobs_webhook ON recover_jobs (company_id, webhook_id);
CREATE INDEX recover_jobs_running ON recover_jobs (created_at) WHERE status = 'running';

-- A webhook's exhausted deliveries by creation time: what a recover reads.
CREATE INDEX deliveries_exhausted ON deliveries (company_id, webhook_id, created_at, id) WHERE state = 'exhausted';
