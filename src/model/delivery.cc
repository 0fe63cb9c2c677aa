#include "model/delivery.h"

#include <array>
#include <utility>

namespace switchboard::model {
namespace {

constexpr std::array<std::pair<DeliveryState, std::string_view>, 4> kStates{{
    {DeliveryState::kPending, "pending"},
    {DeliveryState::kDelivered, "delivered"},
    {DeliveryState::kExhausted, "exhausted"},
    {DeliveryState::kDropped, "dropped"},
}};

constexpr std::array<std::pair<AttemptError, std::string_view>, 9> kErrors{{
    {AttemptError::kNone, "none"},
    {AttemptError::kHttpStatus, "http_status"},
    {AttemptError::kTimeout, "timeout"},
    {AttemptError::kConnect, "connect"},
    {AttemptError::kTls, "tls"},
    {AttemptError::kDns, "dns"},
    {AttemptError::kRedirect, "redirect"},
    {AttemptError::kRefused, "refused"},
    {AttemptError::kOther, "other"},
}};

}  // namespace

std::string_view to_string(DeliveryState state) {
  for (const auto& [value, text] : kStates) {
    if (value == state) return text;
  }
  return "pending";  // unreachable: every enumerator is listed above
}

std::optional<DeliveryState> parse_delivery_state(std::string_view text) {
  for (const auto& [value, spelling] : kStates) {
    if (spelling == text) return value;
  }
  return std::nullopt;
}

std::string_view to_string(AttemptError error) {
  for (const auto& [value, text] : kErrors) {
    if (value == error) return text;
  }
  return "other";  // unreachable
}

std::optional<AttemptError> parse_attempt_error(std::string_view text) {
  for (const auto& [value, spelling] : kErrors) {
    if (spelling == text) return value;
  }
  return std::nullopt;
}

std::span<const AttemptError> attempt_failure_kinds() {
  static constexpr auto kFailures = [] {
    std::array<AttemptError, kErrors.size() - 1> failures{};
    std::size_t n = 0;
    for (const auto& [value, text] : kErrors) {
      if (value != AttemptError::kNone) failures[n++] = value;
    }
    return failures;
  }();
  return kFailures;
}

Delivery pending_delivery(std::string id, const Event& event, const std::string& webhook_id, TimePoint due,
                          TimePoint window_start) {
  Delivery delivery;
  delivery.id = std::move(id);
  delivery.company_id = event.company_id;
  delivery.webhook_id = webhook_id;
  delivery.event_id = event.id;
  delivery.event_type = event.type;
  if (event.sequence) {
    delivery.ordering_key = event.sequence_key;
    delivery.sequence = event.sequence;
  }
  delivery.state = DeliveryState::kPending;
  delivery.event_time = window_start;
  delivery.next_attempt_at = due;
  delivery.created_at = due;
  delivery.updated_at = due;
  return delivery;
}

Delivery redelivery_of(const Delivery& original, std::string id, TimePoint now) {
  Delivery created;
  created.id = std::move(id);
  created.company_id = original.company_id;
  created.webhook_id = original.webhook_id;
  created.event_id = original.event_id;
  created.event_type = original.event_type;
  created.ordering_key = original.ordering_key;
  created.sequence = original.sequence;
  created.state = DeliveryState::kPending;
  created.event_time = now;  // a fresh retry window
  created.next_attempt_at = now;
  created.created_at = now;
  created.updated_at = now;
  return created;
}

}  // namespace switchboard::model
