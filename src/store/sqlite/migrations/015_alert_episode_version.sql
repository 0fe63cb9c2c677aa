-- Failure alerts across nodes (issue 16 item 2): an episode's state is saved
-- only if nobody saved it since it was read (compare-and-set on `version`,
-- store/alert_store.h), so when two nodes see the same webhook turn failed
-- only one sends webhook.failed. Additive: existing rows start at version 1;
-- an older node still writes rows (the default fills the column) without the
-- guard, as before, until it is upgraded too.
ALTER TABLE alert_episodes ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
