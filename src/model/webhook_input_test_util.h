// Test helpers for the webhook_input*_test.cc tables. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "model/webhook_input.h"

namespace switchboard::model::testing {

// A field error without its message: what most table rows compare.
struct Err {
  std::string field;
  std::string code;
  bool operator==(const Err&) const = default;
  friend std::ostream& operator<<(std::ostream& out, const Err& e) { return out << e.field << ":" << e.code; }
};

using Kind = InputFailure::Kind;

// One row of a body table: a JSON text and what parsing it must give.
struct BodyCase {
  std::string name;         // the test's name: letters, digits and '_'
  std::string body;         // JSON text
  std::vector<Err> errors;  // expected, in order; empty = accepted
  Kind kind = Kind::kInvalid;
  friend std::ostream& operator<<(std::ostream& out, const BodyCase& c) { return out << c.name; }
};

// Names each instantiated case after the row's `name` member.
struct CaseName {
  template <typename Case>
  std::string operator()(const ::testing::TestParamInfo<Case>& info) const {
    return info.param.name;
  }
};

inline boost::json::value parse_json(std::string_view text) { return boost::json::parse(text); }

// The members of a valid create body.
inline constexpr std::string_view kValidBase =
    R"({"url":"https://example.com/hook","events":["call.answered"]})";

// `base` with the members of `overrides` set (added or replaced) and the
// members named in `removed` deleted, as JSON text.
inline std::string body_with(std::string_view overrides, std::initializer_list<std::string_view> removed = {},
                             std::string_view base = kValidBase) {
  boost::json::object object = parse_json(base).as_object();
  const boost::json::value changes = parse_json(overrides);
  for (const auto& member : changes.as_object()) object[member.key()] = member.value();
  for (std::string_view name : removed) object.erase(name);
  return boost::json::serialize(object);
}

// A JSON string literal holding `text` (escaped).
inline std::string json_string(std::string_view text) {
  return boost::json::serialize(boost::json::string(text));
}

// `count` rows of `{"<key_name>":"<prefix>N","<value_name>":"v"}` as a JSON array.
inline std::string rows(std::size_t count, std::string_view key_name, std::string_view value_name,
                        std::string_view prefix) {
  boost::json::array array;
  for (std::size_t i = 0; i < count; ++i) {
    array.push_back(
        boost::json::object{{key_name, std::string(prefix) + std::to_string(i)}, {value_name, "v"}});
  }
  return boost::json::serialize(array);
}

inline std::vector<Err> errors_of(const InputResult<WebhookInput>& result) {
  std::vector<Err> out;
  if (result) return out;
  for (const FieldError& e : result.error().errors) out.push_back(Err{e.field, e.code});
  return out;
}

// Checks `result` against a table row: accepted, or failed with exactly the listed errors.
inline void expect_outcome(const InputResult<WebhookInput>& result, const BodyCase& c) {
  if (c.errors.empty()) {
    EXPECT_TRUE(result.has_value()) << "rejected: " << ::testing::PrintToString(errors_of(result));
    return;
  }
  ASSERT_FALSE(result.has_value()) << "accepted: " << c.body;
  EXPECT_EQ(result.error().kind, c.kind);
  EXPECT_EQ(errors_of(result), c.errors);
  for (const FieldError& e : result.error().errors) EXPECT_FALSE(e.message.empty()) << e.field;
}

}  // namespace switchboard::model::testing
