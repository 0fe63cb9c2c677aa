-- Data retention (issue 15, item 1): a company's own retention, in seconds;
-- NULL follows the server default (serve --retention). The purge walks each
-- company's events oldest first on events_company_created, and deleting an
-- event cascades through deliveries_event, attempts_delivery and
-- v1_deliveries_event, indexes that exist already.
ALTER TABLE companies ADD COLUMN retention_seconds INTEGER CHECK (retention_seconds IS NULL OR retention_seconds > 0);

-- Pending deliveries by event, for "does this expired event still have a
-- delivery inside its window?" without reading the event's other deliveries.
CREATE INDEX deliveries_event_pending ON deliveries (event_id, event_time) WHERE state = 'pending';
