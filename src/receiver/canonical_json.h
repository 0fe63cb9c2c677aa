// What JavaScript's JSON.stringify(JSON.parse(text)) gives, in C++: the
// canonical form the spec promises (spec.md §2 "Event envelope"), so that
// receivers that re-serialize before checking a signature (seed 004) still
// verify. Compact, keys in their original order, raw UTF-8, "\uXXXX" only for
// control characters, numbers formatted as JavaScript formats doubles.
//
// Numbers are re-read from their text (std::from_chars, correctly rounded),
// since Boost.JSON 1.81's own double parsing may be off by an ulp.
// Pure functions; safe to call from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::receiver {

// nullopt when `text` is not valid JSON (or not valid UTF-8), or when an object
// repeats a key (JavaScript would keep only the last value: never canonical).
std::optional<std::string> js_canonical(std::string_view text);

// JavaScript's Number.prototype.toString() for a finite double.
std::string js_number(double value);

}  // namespace switchboard::receiver
