#include "model/webhook.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace switchboard::model {

namespace {

// Set by the request builder (src/delivery/request_builder.cc), none secret.
// The signatures are HMACs of one body and timestamp: they reveal nothing of
// the signing secret, and receivers refuse them once the timestamp is older
// than their tolerance; shown, they make the console's ready cURL command of
// an attempt (issue 17 item 8) verify like the attempt did.
constexpr std::array<std::string_view, 10> kPublicRequestHeaders{
    "Content-Type", "User-Agent",        "X-MO-Event-Id",  "X-MO-Delivery-Attempt", "X-MO-Timestamp",
    "webhook-id",   "webhook-timestamp", "X-MO-Signature", "webhook-signature",     "X-MyOperator-Signature",
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

bool is_public_request_header(std::string_view name) {
  return std::any_of(kPublicRequestHeaders.begin(), kPublicRequestHeaders.end(),
                     [&](std::string_view known) { return iequals(known, name); });
}

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

std::string_view to_string(DisabledReason reason) {
  switch (reason) {
    case DisabledReason::kGone:
      return "gone";
  }
  return "gone";  // unreachable
}

std::optional<DisabledReason> parse_disabled_reason(std::string_view text) {
  if (text == to_string(DisabledReason::kGone)) return DisabledReason::kGone;
  return std::nullopt;
}

}  // namespace switchboard::model
