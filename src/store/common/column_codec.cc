#include "store/common/column_codec.h"

#include <array>
#include <utility>

namespace switchboard::store {
namespace {

template <typename Enum, std::size_t N>
using Spellings = std::array<std::pair<Enum, std::string_view>, N>;

constexpr Spellings<model::Role, 4> kRoles{{
    {model::Role::kOwner, "owner"},
    {model::Role::kAdmin, "admin"},
    {model::Role::kManager, "manager"},
    {model::Role::kAgent, "agent"},
}};

constexpr Spellings<model::TokenKind, 2> kTokenKinds{{
    {model::TokenKind::kUser, "user"},
    {model::TokenKind::kIngest, "ingest"},
}};

constexpr Spellings<model::AuthType, 3> kAuthTypes{{
    {model::AuthType::kNone, "none"},
    {model::AuthType::kBasic, "basic"},
    {model::AuthType::kApiKey, "api_key"},
}};

constexpr Spellings<model::ApiKeyLocation, 2> kKeyLocations{{
    {model::ApiKeyLocation::kHeader, "header"},
    {model::ApiKeyLocation::kQuery, "query"},
}};

constexpr Spellings<model::WebhookStatus, 3> kStatuses{{
    {model::WebhookStatus::kActive, "active"},
    {model::WebhookStatus::kInactive, "inactive"},
    {model::WebhookStatus::kFailed, "failed"},
}};

constexpr Spellings<model::DeliveryState, 4> kDeliveryStates{{
    {model::DeliveryState::kPending, "pending"},
    {model::DeliveryState::kDelivered, "delivered"},
    {model::DeliveryState::kExhausted, "exhausted"},
    {model::DeliveryState::kDropped, "dropped"},
}};

template <typename Enum, std::size_t N>
std::string_view spell(const Spellings<Enum, N>& table, Enum value) {
  for (const auto& [candidate, text] : table) {
    if (candidate == value) return text;
  }
  return {};  // unreachable for valid enumerators; the CHECK constraint rejects ""
}

template <typename Enum, std::size_t N>
std::optional<Enum> parse(const Spellings<Enum, N>& table, std::string_view text) {
  for (const auto& [value, candidate] : table) {
    if (candidate == text) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view role_column(model::Role role) { return spell(kRoles, role); }
std::optional<model::Role> role_from_column(std::string_view text) { return parse(kRoles, text); }

std::string_view token_kind_column(model::TokenKind kind) { return spell(kTokenKinds, kind); }
std::optional<model::TokenKind> token_kind_from_column(std::string_view text) {
  return parse(kTokenKinds, text);
}

std::string_view auth_type_column(model::AuthType type) { return spell(kAuthTypes, type); }
std::optional<model::AuthType> auth_type_from_column(std::string_view text) {
  return parse(kAuthTypes, text);
}

std::string_view key_location_column(model::ApiKeyLocation location) {
  return spell(kKeyLocations, location);
}
std::optional<model::ApiKeyLocation> key_location_from_column(std::string_view text) {
  return parse(kKeyLocations, text);
}

std::string_view webhook_status_column(model::WebhookStatus status) { return spell(kStatuses, status); }
std::optional<model::WebhookStatus> webhook_status_from_column(std::string_view text) {
  return parse(kStatuses, text);
}

std::string_view delivery_state_column(model::DeliveryState state) { return spell(kDeliveryStates, state); }
std::optional<model::DeliveryState> delivery_state_from_column(std::string_view text) {
  return parse(kDeliveryStates, text);
}

// The column holds the API's spelling of the error (model/delivery.cc), the one
// table of them: stored rows depend on it, so a spelling is never changed.
std::string_view attempt_error_column(model::AttemptError error) { return model::to_string(error); }
std::optional<model::AttemptError> attempt_error_from_column(std::string_view text) {
  return model::parse_attempt_error(text);
}

}  // namespace switchboard::store
