// Helpers shared by the fuzz targets (fuzz/*_fuzz.cc): invariant checks that
// survive NDEBUG, and the checks every InputFailure must pass.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "model/webhook_input.h"

namespace switchboard::fuzz {

// Prints the broken invariant and aborts: libFuzzer reports the abort as a
// crash and saves the input that caused it.
[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", file, line, what);
  std::abort();
}

#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::switchboard::fuzz::fail(#condition, __FILE__, __LINE__))

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// {before, after} the first `separator`; {text, ""} when there is none.
inline std::pair<std::string_view, std::string_view> split_once(std::string_view text,
                                                                std::string_view separator) {
  const auto at = text.find(separator);
  if (at == std::string_view::npos) return {text, {}};
  return {text.substr(0, at), text.substr(at + separator.size())};
}

// What every refused body must look like (model/webhook_input.h): at least one
// error, each with a code and a sentence; a rule violation (422) names its
// field. A malformed body (400) may be refused as a whole, with no field, and
// an unknown member's field is its own name, which JSON allows to be "".
inline void check_failure(const model::InputFailure& failure) {
  FUZZ_CHECK(!failure.errors.empty());
  for (const auto& error : failure.errors) {
    FUZZ_CHECK(!error.code.empty());
    FUZZ_CHECK(!error.message.empty());
    if (failure.kind == model::InputFailure::Kind::kInvalid && error.code != "unknown_field") {
      FUZZ_CHECK(!error.field.empty());
    }
  }
}

}  // namespace switchboard::fuzz
