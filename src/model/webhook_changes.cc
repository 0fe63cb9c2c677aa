#include "model/webhook_changes.h"

#include "model/limits.h"
#include "model/webhook_origin.h"

namespace switchboard::model {

WebhookSecrets secrets_of(const Webhook& webhook) {
  return WebhookSecrets{webhook.secret, webhook.previous_secret, webhook.previous_secret_expires_at};
}

SecretChangeResult apply_secret_change(const WebhookSecrets& current, const SecretChange& change,
                                       std::string_view generated, TimePoint now, bool origin_changes) {
  std::string next;
  switch (change.kind) {
    case SecretChange::Kind::kKeep:
      return SecretChangeResult{current, std::nullopt};
    case SecretChange::Kind::kClear:
      return SecretChangeResult{WebhookSecrets{}, std::nullopt};
    case SecretChange::Kind::kGenerate:
      next = std::string(generated);
      break;
    case SecretChange::Kind::kSet:
      next = change.value;
      break;
  }
  WebhookSecrets out = current;
  if (origin_changes) {
    out.previous_secret.reset();
    out.previous_secret_expires_at.reset();
  } else if (current.secret && *current.secret != next) {
    out.previous_secret = current.secret;
    out.previous_secret_expires_at = now + limits::kSecretRotationGrace;
  }
  out.secret = next;
  return SecretChangeResult{std::move(out), std::move(next)};
}

namespace {

// Whether `change` leaves a webhook holding `secret` with the same secret.
bool keeps_secret(const std::optional<std::string>& secret, const SecretChange& change) {
  switch (change.kind) {
    case SecretChange::Kind::kKeep:
      return true;
    case SecretChange::Kind::kClear:
      return !secret;
    case SecretChange::Kind::kSet:
      return secret && *secret == change.value;
    case SecretChange::Kind::kGenerate:
      return false;
  }
  return false;
}

}  // namespace

std::optional<WebhookEdit> plan_webhook_patch(const Webhook& current, const WebhookInput& input,
                                              std::string_view generated, TimePoint now) {
  if (input.spec == current.spec && keeps_secret(current.secret, input.secret)) return std::nullopt;
  WebhookEdit edit;
  edit.spec = input.spec;
  if (input.secret.kind != SecretChange::Kind::kKeep) {
    const bool origin_changes = !same_origin(current.spec.url, input.spec.url);
    SecretChangeResult changed =
        apply_secret_change(secrets_of(current), input.secret, generated, now, origin_changes);
    edit.secrets = std::move(changed.secrets);
    edit.revealed = std::move(changed.revealed);
  }
  return edit;
}

std::optional<StatusChange> plan_status_change(WebhookStatus current, WebhookStatus target) {
  if (current == target) return std::nullopt;
  StatusChange change{target, std::nullopt};
  if (target == WebhookStatus::kActive) change.consecutive_exhausted = 0;
  return change;
}

}  // namespace switchboard::model
