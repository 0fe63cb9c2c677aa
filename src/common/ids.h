// Opaque, type-prefixed identifiers: "wh_01JABCDEF…" (prefix, underscore, 26
// Crockford base32 characters: 48 bits of milliseconds then 80 random bits).
// IDs made later sort after IDs made earlier (to the millisecond), which the
// store uses for stable cursor pagination. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"

namespace switchboard {

std::string new_id(std::string_view prefix, TimePoint now);

// True when `id` has the shape new_id produces for `prefix`.
bool is_valid_id(std::string_view id, std::string_view prefix);

}  // namespace switchboard
