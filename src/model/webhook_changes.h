// What a change to a webhook makes of its stored state (spec §2): the rules
// the webhook routes apply between parsing a request and the store's narrow
// write. Pure functions over values; no I/O, no clock, no randomness (a
// generated secret and `now` are passed in).
//
// Who owns which part of a stored webhook, and so which write may touch it:
//   - the spec (name, description, url, auth, headers, events, filters) and
//     the signing secrets belong to the company's admins (PATCH, rotate);
//   - status and consecutive_exhausted belong to the delivery engine's health
//     rule (model::should_mark_failed), except that enable/disable set the
//     status, and enabling starts health counting afresh.
// A write changes only its own part (store::WebhookStore), so an edit based
// on an earlier read never puts back a status the engine changed meanwhile.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "model/webhook.h"
#include "model/webhook_input.h"

namespace switchboard::model {

// A webhook's signing secrets: what a secret change replaces together.
struct WebhookSecrets {
  std::optional<std::string> secret;           // whsec_…
  std::optional<std::string> previous_secret;  // still signs until previous_secret_expires_at
  std::optional<TimePoint> previous_secret_expires_at;
  bool operator==(const WebhookSecrets&) const = default;
};

WebhookSecrets secrets_of(const Webhook& webhook);

struct SecretChangeResult {
  WebhookSecrets secrets;
  std::optional<std::string> revealed;  // the new secret, shown once in the answer
};

// Applies a secret change. kKeep keeps everything; kClear removes the secret
// and its predecessor; kGenerate takes `generated`, kSet the given value. A
// secret replaced by a different one keeps signing as previous_secret until
// now + limits::kSecretRotationGrace, so receivers can switch over without
// rejecting deliveries, unless `origin_changes`: the new receiver never knew
// the old secret, so it stops signing at once.
SecretChangeResult apply_secret_change(const WebhookSecrets& current, const SecretChange& change,
                                       std::string_view generated, TimePoint now, bool origin_changes);

// What a PATCH writes: the new spec and, only when the secret changes, the
// new secrets (nullopt leaves the stored ones as they are).
struct WebhookEdit {
  WebhookSpec spec;
  std::optional<WebhookSecrets> secrets;
  std::optional<std::string> revealed;  // a new secret, shown once in the answer
};

// The PATCH rule: nullopt when the request changes nothing (the same spec,
// and a secret change that leaves the secret as it is: 409 `no_changes`).
// `input` must have passed credentials_for_new_origin (webhook_origin.h).
std::optional<WebhookEdit> plan_webhook_patch(const Webhook& current, const WebhookInput& input,
                                              std::string_view generated, TimePoint now);

// A status change with what it does to the health count.
struct StatusChange {
  WebhookStatus status = WebhookStatus::kActive;
  std::optional<int> consecutive_exhausted;  // the count to store; nullopt keeps it
  // Stored as given: an admin's enable or disable clears it (nullopt); only
  // the delivery engine's 410 rule sets one (store::AttemptOutcome::disables_webhook).
  std::optional<DisabledReason> disabled_reason;
  bool operator==(const StatusChange&) const = default;
};

// Enable (target kActive) / disable (kInactive): nullopt when the webhook is
// already in `target` (idempotent: nothing to write). Enabling, also from
// `failed`, resets consecutive_exhausted to 0; disabling keeps it.
std::optional<StatusChange> plan_status_change(WebhookStatus current, WebhookStatus target);

}  // namespace switchboard::model
