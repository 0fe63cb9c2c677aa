-- Search by call id (issue 17 item 9, GET /api/v2/search): a company's
-- events of one call or conversation, newest first. Only sequenced events
-- (those with a call / conversation id) are in it.
CREATE INDEX events_sequence_key ON events (company_id, sequence_key, created_at)
  WHERE sequence_key <> '';
