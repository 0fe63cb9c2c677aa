-- Data retention (issue 15, item 1); as the SQLite store's 007_retention.sql.
ALTER TABLE companies ADD COLUMN retention_seconds BIGINT CHECK (retention_seconds IS NULL OR retention_seconds > 0);

CREATE INDEX deliveries_event_pending ON deliveries (event_id, event_time) WHERE state = 'pending';
