// JSON string literals, written once for everything that prints JSON by hand
// instead of through Boost.JSON's serializer: the canonical envelope (where
// the bytes are signed, so the escaping must be exactly JSON.stringify's,
// RFC 8785 §3.2.2.2) and the JSON log lines.
//
// Thread-safety: pure.
#pragma once

#include <string>
#include <string_view>

namespace switchboard {

// Appends `text` to `out` as a quoted JSON string, escaped as
// JSON.stringify does: `"` and `\`, the short escapes \b \f \n \r \t, other
// control characters as \u00XX; every other byte as it is (UTF-8 passes
// through unchanged).
void append_json_string(std::string& out, std::string_view text);

}  // namespace switchboard
