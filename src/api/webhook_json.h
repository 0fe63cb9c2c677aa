// The JSON view of a webhook in API responses. Secrets are masked
// (model::kMaskedSecret): the Basic password, API key values and every custom
// header value (names stay visible); the signing secret appears only when
// `reveal_secret` is given (once, on create and rotate). `failing_since`: when
// the webhook's current run of failed attempts began (store::ConsoleReads),
// shown as `failing_since` (null while its newest outcome is not a failure).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string_view>

#include "common/clock.h"
#include "model/webhook.h"

namespace switchboard::api {

boost::json::object webhook_json(const model::Webhook& webhook,
                                 std::optional<std::string_view> reveal_secret = {},
                                 std::optional<TimePoint> failing_since = {});

}  // namespace switchboard::api
