// How model enumerations are spelled in the columns of both stores (SQLite
// and PostgreSQL spell them alike). The spellings are part of the on-disk
// format (the CHECK constraints in both backends' migrations list them), so
// they are defined here, independent of any display names.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "model/delivery.h"
#include "model/identity.h"
#include "model/webhook.h"

namespace switchboard::store {

std::string_view role_column(model::Role role);
std::optional<model::Role> role_from_column(std::string_view text);

std::string_view token_kind_column(model::TokenKind kind);
std::optional<model::TokenKind> token_kind_from_column(std::string_view text);

std::string_view auth_type_column(model::AuthType type);
std::optional<model::AuthType> auth_type_from_column(std::string_view text);

std::string_view key_location_column(model::ApiKeyLocation location);
std::optional<model::ApiKeyLocation> key_location_from_column(std::string_view text);

std::string_view webhook_status_column(model::WebhookStatus status);
std::optional<model::WebhookStatus> webhook_status_from_column(std::string_view text);

std::string_view delivery_state_column(model::DeliveryState state);
std::optional<model::DeliveryState> delivery_state_from_column(std::string_view text);

std::string_view attempt_error_column(model::AttemptError error);
std::optional<model::AttemptError> attempt_error_from_column(std::string_view text);

}  // namespace switchboard::store
