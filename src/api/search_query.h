// What a console search text names (GET /api/v2/search?q=, issue 17 item 9):
// an event id, a delivery id, or else a call id and, when it looks like one,
// a phone number. A pure rule (table-tested in search_query_test.cc); the
// handler (search_handlers.cc) runs the lookups it asks for.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::api {

// The longest search text taken (longer → 422 too_long).
inline constexpr std::size_t kMaxSearchText = 128;

struct SearchQuery {
  std::string text;                  // trimmed
  bool event_id = false;             // evt_… : that event
  bool delivery_id = false;          // dlv_… : that delivery
  bool call_id = false;              // the events of a call / conversation with this id
  std::optional<std::string> phone;  // digits (and nothing else) to find in events' payloads
};

// nullopt for an empty text (after trimming spaces).
std::optional<SearchQuery> classify_search(std::string_view text);

}  // namespace switchboard::api
