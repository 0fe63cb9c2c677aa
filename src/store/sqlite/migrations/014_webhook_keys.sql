-- Enterprise receivers (issue 16 item 5): a webhook's client certificate for
-- mutual TLS and its Ed25519 signing keys, each one JSON text column, NULL
-- when the webhook has none; the private keys inside are sealed with the
-- secret key like the signing secrets (store/common/webhook_key_codec.h).
-- Additive: existing rows read as "no certificate, no key".
ALTER TABLE webhooks ADD COLUMN client_certificate TEXT;
ALTER TABLE webhooks ADD COLUMN signing_keys TEXT;
