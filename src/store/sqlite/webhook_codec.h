// The JSON text columns of the webhooks table (auth, headers, events,
// filters). Secrets inside them (the basic-auth password and every API key
// value) are sealed with the SecretBox on the way in and opened on the way
// out, so no secret is ever written to the database in clear.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.h"
#include "common/result.h"
#include "model/webhook.h"

namespace switchboard::store::sqlite {

std::string encode_auth(const model::WebhookAuth& auth, const crypto::SecretBox& secrets);
// kInternal when the column is malformed or a sealed value does not open
// (e.g. the store was opened with a different key).
Result<model::WebhookAuth> decode_auth(std::string_view column, const crypto::SecretBox& secrets);

std::string encode_key_values(const std::vector<model::KeyValue>& pairs);
Result<std::vector<model::KeyValue>> decode_key_values(std::string_view column);

std::string encode_strings(const std::vector<std::string>& values);
Result<std::vector<std::string>> decode_strings(std::string_view column);

std::string encode_filters(const model::WebhookFilters& filters);
Result<model::WebhookFilters> decode_filters(std::string_view column);

// A secret column: sealed text, or NULL for no secret.
std::optional<std::string> seal_optional(const std::optional<std::string>& secret,
                                         const crypto::SecretBox& secrets);
Result<std::optional<std::string>> open_optional(const std::optional<std::string>& sealed,
                                                 const crypto::SecretBox& secrets);

}  // namespace switchboard::store::sqlite
