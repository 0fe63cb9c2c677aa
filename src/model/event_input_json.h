// Reading a publish request's JSON exactly (POST /api/v2/events and
// /events/batch), so that the `data` receivers get holds every number with
// the value that was published. Pure: no clock, no I/O; safe from any thread.
//
// Why not boost::json::parse: Boost.JSON 1.81 turns an integer beyond the
// int64/uint64 range (18446744073709551616, a 30-digit id) into the nearest
// double without telling, and its own double parsing may be off by an ulp
// (-926382.0315842781 came back as -926382.031584278). Here every number is
// read from its text instead (classify_json_number), and becomes:
//   - an int64 when written as a plain integer within ±(2^53 − 1);
//   - otherwise the double JavaScript's JSON.parse gives (correctly rounded),
//     when that double's shortest spelling (what JSON.stringify prints) has
//     exactly the published value: 1.0 → 1, 1E2 → 100, 1.5e3 → 1500, -0 → 0;
//   - +/-infinity when the value is beyond ±(2^53 − 1), however it is spelled
//     (9007199254740992, 1e20, 1e400, 9007199254740992.5): no JSON number
//     reads back as infinity, so parse_event reports it as `unsafe_integer`;
//   - NaN when JavaScript would read another value (0.1000000000000000000001
//     → 0.1, 1e-400 → 0): reported as `imprecise_number`.
// So the JSON.stringify form written by to_js_json() (model/envelope.h)
// denotes exactly the published values, and data already in that form is
// delivered byte for byte.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace switchboard::model {

enum class JsonNumberClass {
  kExact,          // JavaScript reads this value; `value` holds it
  kUnsafeInteger,  // |value| > 2^53 − 1
  kImprecise,      // JavaScript would read another value (too many digits, or underflow)
};

struct JsonNumber {
  JsonNumberClass kind = JsonNumberClass::kExact;
  bool negative = false;
  // For kExact: int64 for a plain integer literal, else double.
  boost::json::value value;
};

// `text` must be a JSON number (RFC 8259 grammar), as the parser delivers it.
JsonNumber classify_json_number(std::string_view text);

// Parses `text` like boost::json::parse with `max_depth`, but reads numbers as
// described above (the sentinels ±infinity and NaN mark refused ones). On a
// syntax error, too deep nesting or trailing data, sets `ec` (Boost.JSON's
// codes: error::too_deep, …) and returns null. The value is allocated from
// `storage` (default: the heap); a request's body parsed into a
// boost::json::monotonic_resource costs no malloc/free per node.
boost::json::value parse_ingest_json(std::string_view text, std::size_t max_depth,
                                     boost::system::error_code& ec, boost::json::storage_ptr storage = {});

// How a number parse_ingest_json marked is reported: "" for an accepted one,
// else "unsafe_integer" or "imprecise_number".
std::string_view refused_number_code(const boost::json::value& number);

}  // namespace switchboard::model
