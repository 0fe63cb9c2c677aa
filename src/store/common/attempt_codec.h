// How a failed attempt's request is kept without repeating what every
// attempt of the delivery shares (issue 15, item 2). Both backends store:
//  - the payload once, in the event: an attempt's request_body column is
//    NULL when the body sent was the event's envelope (always, today);
//  - the request URL and headers once per delivery (`delivery_requests`,
//    written by the delivery's first failed attempt), and per attempt only
//    what differs from them: the URL when it differs (NULL otherwise), and
//    the headers as a delta object {"<index>": "<value>", …} over the
//    delivery's headers (the attempt number and timestamps), or the full
//    JSON array when the header list changed shape (the webhook was edited).
// And the rest of the row in compact encodings (issue 15, item 4: a failed
// attempt within 300 bytes beyond its response excerpt): the error class as a
// small integer, the error message only when it is not the one its status
// implies ("HTTP 500"), the latency in whole microseconds.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "model/delivery.h"

namespace switchboard::store {

// What an attempt row keeps of its request, given the delivery's template.
struct StoredRequest {
  std::optional<std::string> url;  // nullopt: the template's
  std::string headers;             // a delta object, or a full array
};

// `template_headers` and `headers` are JSON arrays of [name, value]
// (model::Attempt::request_headers). A delta is used when both are arrays of
// the same length with the same names in the same order; otherwise the full
// array is kept.
StoredRequest compact_request(std::string_view template_url, std::string_view template_headers,
                              std::string_view url, std::string_view headers);

// The inverse: the attempt's headers as a JSON array. `stored` is what
// compact_request returned (or a full array written before this format);
// kInternal when a delta does not fit its template.
Result<std::string> expand_request_headers(std::string_view template_headers, std::string_view stored);

// The error class as stored: a fixed small number per class (none 0,
// http_status 1, timeout 2, connect 3, tls 4, dns 5, redirect 6, refused 7,
// other 8). Stored rows and the migrations that convert the older text
// column depend on these numbers: never renumber, only add.
std::int64_t attempt_error_code(model::AttemptError error);
std::optional<model::AttemptError> attempt_error_from_code(std::int64_t code);

// The error message as stored: nullopt (NULL) when it is the message the
// HTTP client gives an HTTP status failure ("HTTP <status_code>"), which
// expand_error_message() rebuilds; otherwise the message itself.
std::optional<std::string> compact_error_message(model::AttemptError error, std::optional<int> status_code,
                                                 const std::string& message);
std::string expand_error_message(const std::optional<std::string>& stored, std::optional<int> status_code);

// The latency as stored: whole microseconds (rounded), and back in milliseconds.
std::int64_t latency_column(double latency_ms);
double latency_from_column(std::int64_t latency_us);

}  // namespace switchboard::store
