// Helpers shared by handlers for reading request bodies and query parameters
// and for writing list responses.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "api/http_types.h"
#include "store/store.h"
#include "tl/expected.hpp"

namespace switchboard::api {

// Parses the body as JSON with the depth limit; an empty body parses as
// `empty_as` (e.g. {} for routes whose body is optional). Errors are ready responses.
tl::expected<boost::json::value, Response> parse_json_body(const Request& request,
                                                           std::optional<boost::json::value> empty_as = {});

// Like parse_json_body (no empty body), but every number is read from its text
// (model::parse_ingest_json), so that none is changed on its way to receivers.
// The value is allocated from `storage` (default: the heap).
tl::expected<boost::json::value, Response> parse_exact_json_body(const Request& request,
                                                                 boost::json::storage_ptr storage = {});

// Reads ?limit= (default 50, 1..500) and ?cursor= into a PageRequest.
tl::expected<store::PageRequest, Response> parse_page_request(const Request& request);

std::string encode_cursor(std::string_view last_id);

// {"data":[…],"next_cursor":"…"|null}, with the cursor made from the last id.
template <typename T>
std::string page_response(const store::Page<T>& page,
                          const std::function<boost::json::value(const T&)>& to_json,
                          const std::function<std::string(const T&)>& id_of) {
  boost::json::array data;
  data.reserve(page.items.size());
  for (const auto& item : page.items) data.push_back(to_json(item));
  boost::json::value next = nullptr;
  if (page.has_more && !page.items.empty()) next = encode_cursor(id_of(page.items.back()));
  return boost::json::serialize(
      boost::json::object{{"data", std::move(data)}, {"next_cursor", std::move(next)}});
}

}  // namespace switchboard::api
