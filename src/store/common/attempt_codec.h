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
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

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

}  // namespace switchboard::store
