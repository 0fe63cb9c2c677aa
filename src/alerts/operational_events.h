// The operational events that alert channels subscribe to (issue 16 item 2):
// one spelling each, the order they are listed in, and which ones a channel
// gets when it names none (all but the opt-in delivery.exhausted).
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace switchboard::alerts {

enum class OperationalEvent {
  kWebhookFailed,
  kWebhookDisabled,
  kWebhookDegraded,
  kWebhookRecovered,
  kDeliveryExhausted
};

inline constexpr std::array<OperationalEvent, 5> kAllOperationalEvents = {
    OperationalEvent::kWebhookFailed, OperationalEvent::kWebhookDisabled, OperationalEvent::kWebhookDegraded,
    OperationalEvent::kWebhookRecovered, OperationalEvent::kDeliveryExhausted};

inline constexpr std::string_view to_string(OperationalEvent event) {
  switch (event) {
    case OperationalEvent::kWebhookFailed:
      return "webhook.failed";
    case OperationalEvent::kWebhookDisabled:
      return "webhook.disabled";
    case OperationalEvent::kWebhookDegraded:
      return "webhook.degraded";
    case OperationalEvent::kWebhookRecovered:
      return "webhook.recovered";
    case OperationalEvent::kDeliveryExhausted:
      return "delivery.exhausted";
  }
  return "";
}

inline std::optional<OperationalEvent> parse_operational_event(std::string_view text) {
  for (OperationalEvent event : kAllOperationalEvents)
    if (to_string(event) == text) return event;
  return std::nullopt;
}

// delivery.exhausted can be many: a channel gets it only when it asks.
inline constexpr bool subscribed_by_default(OperationalEvent event) {
  return event != OperationalEvent::kDeliveryExhausted;
}

}  // namespace switchboard::alerts
