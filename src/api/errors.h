// The API's error vocabulary and the one place that renders error bodies:
//   {"error":{"code":"…","message":"…","field":"…"}[, "errors":[{field,code,message}…]]}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "common/result.h"
#include "model/error_codes.h"
#include "model/webhook_input.h"

namespace switchboard::api {

// The codes error bodies carry (one definition, model/error_codes.h).
namespace error_codes = model::error_codes;

Response error_response(int status, std::string_view code, std::string_view message,
                        std::string_view field = {});

// 400 for a malformed body (unknown field, not an object), 422 for rule violations;
// every field error is listed.
Response input_failure_response(const model::InputFailure& failure);

// Maps a store/service error to its HTTP status and code.
Response error_response(const Error& error);

Response json_response(int status, std::string body);
Response no_content();

}  // namespace switchboard::api
