// RFC 3339 timestamps in UTC with milliseconds: "2026-11-22T10:03:59.123Z".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace switchboard {

std::string format_rfc3339(TimePoint t);
// Accepts "Z" or "+hh:mm"/"-hh:mm" offsets and 0–9 fraction digits (truncated to ms).
std::optional<TimePoint> parse_rfc3339(std::string_view text);

}  // namespace switchboard
