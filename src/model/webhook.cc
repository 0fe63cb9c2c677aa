#include "model/webhook.h"

namespace switchboard::model {

std::string_view to_string(AuthType type) {
  switch (type) {
    case AuthType::kNone:
      return "none";
    case AuthType::kBasic:
      return "basic";
    case AuthType::kApiKey:
      return "api_key";
  }
  return "none";  // unreachable: every enumerator is handled above
}

std::string_view to_string(ApiKeyLocation location) {
  switch (location) {
    case ApiKeyLocation::kHeader:
      return "header";
    case ApiKeyLocation::kQuery:
      return "query";
  }
  return "header";  // unreachable
}

std::string_view to_string(WebhookStatus status) {
  switch (status) {
    case WebhookStatus::kActive:
      return "active";
    case WebhookStatus::kInactive:
      return "inactive";
    case WebhookStatus::kFailed:
      return "failed";
  }
  return "active";  // unreachable
}

std::optional<WebhookStatus> parse_webhook_status(std::string_view text) {
  for (WebhookStatus status : {WebhookStatus::kActive, WebhookStatus::kInactive, WebhookStatus::kFailed}) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

}  // namespace switchboard::model
