// The request id of each HTTP request: the client's X-Request-Id when it is
// safe to echo and log (1 to model::limits::kMaxRequestIdLength characters of
// [A-Za-z0-9._:-]: nothing that could forge a log field or a header), else a
// new one. The server echoes it in the X-Request-Id header of every answer and
// its log lines carry it (common/logging.h).
//
// Thread-safety: any thread (new_request_id() keeps its state per thread).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::server {

inline constexpr std::string_view kRequestIdHeader = "X-Request-Id";

// True when `id` may be kept as this request's id.
bool is_acceptable_request_id(std::string_view id);

// "req_" and 20 hex digits: a random prefix per thread, then a counter.
std::string new_request_id();

// The client's id when acceptable, else a new one.
std::string choose_request_id(std::optional<std::string_view> from_client);

}  // namespace switchboard::server
