// The v2 event envelope and its byte-exact JSON form.
//
// Receivers that re-serialize (seed 004's example) must still verify our
// signatures, so the bytes we send must equal JSON.stringify(JSON.parse(body)):
// compact, keys in our order, raw UTF-8, short escapes (\" \\ \b \f \n \r \t)
// and \u00xx only for other control characters, numbers as JavaScript prints
// them. to_js_json() writes any JSON value that way. Pure functions, no I/O.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "model/delivery.h"

namespace switchboard::model {

// Largest integer JavaScript represents exactly (2^53 − 1). Larger integers
// would change in a receiver's JSON.parse, so ingest refuses them.
inline constexpr long long kMaxSafeInteger = 9007199254740991LL;

// Appends `value` to `out` exactly as JSON.stringify would print it.
void append_js_json(std::string& out, const boost::json::value& value);
std::string to_js_json(const boost::json::value& value);

// {"event_id":…,"event_type":…,"event_sequence":N (only when
// set),"created_at":…,"company_id":…,"data":<data_json>} `data_json` must already be in to_js_json form.
std::string compose_envelope(const Event& event, std::string_view data_json);

}  // namespace switchboard::model
