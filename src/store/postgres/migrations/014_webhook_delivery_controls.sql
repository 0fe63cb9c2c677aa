-- Per-webhook delivery controls and receiver signals (issue 16 items 3, 4).
-- delivery_controls: JSON {"timeout_ms":…,"max_in_flight":…,"max_rate":…|null}
-- (store/common/webhook_codec.h); '{}' reads as the defaults (today's behaviour).
-- disabled_reason: why the delivery engine set the webhook `inactive` ('gone':
-- the receiver answered 410); NULL otherwise, cleared when an admin enables it.
ALTER TABLE webhooks ADD COLUMN delivery_controls TEXT NOT NULL DEFAULT '{}';
ALTER TABLE webhooks ADD COLUMN disabled_reason TEXT;
