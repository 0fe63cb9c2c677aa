// The JSON view of a webhook in API responses. Secrets are masked
// (model::kMaskedSecret): the Basic password, API key values and every custom
// header value (names stay visible); the signing secret appears only when
// `reveal_secret` is given (once, on create and rotate).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string_view>

#include "model/webhook.h"

namespace switchboard::api {

boost::json::object webhook_json(const model::Webhook& webhook,
                                 std::optional<std::string_view> reveal_secret = {});

}  // namespace switchboard::api
