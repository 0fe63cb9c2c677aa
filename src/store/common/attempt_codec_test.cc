// compact_request / expand_request_headers as a table: what an attempt row
// keeps of its request, and that expanding gives back exactly what was sent.
#include "store/common/attempt_codec.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>

namespace switchboard::store {
namespace {

constexpr std::string_view kUrl = "https://example.com/hook";
constexpr std::string_view kTemplate =
    R"([["Content-Type","application/json"],["X-MO-Delivery-Attempt","1"],["X-MO-Timestamp","1700000000"]])";

struct CompactCase {
  std::string name;
  std::string url, headers;
  std::optional<std::string> stored_url;
  std::string stored_headers;
  friend std::ostream& operator<<(std::ostream& out, const CompactCase& c) { return out << c.name; }
};

class CompactRequestTest : public ::testing::TestWithParam<CompactCase> {};

TEST_P(CompactRequestTest, KeepsOnlyWhatDiffersAndExpandsBack) {
  const CompactCase& c = GetParam();
  StoredRequest stored = compact_request(kUrl, kTemplate, c.url, c.headers);
  EXPECT_EQ(stored.url, c.stored_url);
  EXPECT_EQ(stored.headers, c.stored_headers);
  auto expanded = expand_request_headers(kTemplate, stored.headers);
  ASSERT_TRUE(expanded) << expanded.error().message;
  EXPECT_EQ(*expanded, c.headers);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CompactRequestTest,
    ::testing::Values(
        CompactCase{"same_as_template", std::string(kUrl), std::string(kTemplate), std::nullopt, "{}"},
        CompactCase{"later_attempt", std::string(kUrl),
                    R"([["Content-Type","application/json"],["X-MO-Delivery-Attempt","7"],)"
                    R"(["X-MO-Timestamp","1700003600"]])",
                    std::nullopt, R"({"1":"7","2":"1700003600"})"},
        CompactCase{"url_changed", "https://example.com/other", std::string(kTemplate),
                    "https://example.com/other", "{}"},
        CompactCase{"header_added", std::string(kUrl),
                    R"([["Content-Type","application/json"],["X-MO-Delivery-Attempt","2"],)"
                    R"(["X-MO-Timestamp","1700000000"],["X-Extra","***"]])",
                    std::nullopt,
                    R"([["Content-Type","application/json"],["X-MO-Delivery-Attempt","2"],)"
                    R"(["X-MO-Timestamp","1700000000"],["X-Extra","***"]])"},
        CompactCase{
            "header_renamed", std::string(kUrl),
            R"([["Content-Type","application/json"],["X-Other","1"],["X-MO-Timestamp","1700000000"]])",
            std::nullopt,
            R"([["Content-Type","application/json"],["X-Other","1"],["X-MO-Timestamp","1700000000"]])"},
        CompactCase{"no_headers", std::string(kUrl), "[]", std::nullopt, "[]"}),
    [](const auto& info) { return info.param.name; });

struct ExpandCase {
  std::string name;
  std::string stored;
  bool ok;
  friend std::ostream& operator<<(std::ostream& out, const ExpandCase& c) { return out << c.name; }
};

class ExpandRequestHeadersTest : public ::testing::TestWithParam<ExpandCase> {};

TEST_P(ExpandRequestHeadersTest, RefusesDeltasThatDoNotFit) {
  const ExpandCase& c = GetParam();
  EXPECT_EQ(expand_request_headers(kTemplate, c.stored).has_value(), c.ok);
}

INSTANTIATE_TEST_SUITE_P(Cases, ExpandRequestHeadersTest,
                         ::testing::Values(ExpandCase{"full_array_before_migration", "[]", true},
                                           ExpandCase{"index_past_end", R"({"3":"x"})", false},
                                           ExpandCase{"index_not_a_number", R"({"a":"x"})", false},
                                           ExpandCase{"value_not_a_string", R"({"1":7})", false},
                                           ExpandCase{"not_json", "{", false}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace switchboard::store
