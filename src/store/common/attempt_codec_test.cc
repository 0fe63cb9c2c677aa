// compact_request / expand_request_headers as a table: what an attempt row
// keeps of its request, and that expanding gives back exactly what was sent;
// and the compact encodings of the rest of the row (error class, message,
// latency), each a table of stored form and round trip.
#include "store/common/attempt_codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

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

// The stored numbers are on-disk format (and the migrations' CASE lists):
// this table pins every one.
TEST(AttemptErrorCodeTest, EveryClassHasItsFixedNumberAndRoundTrips) {
  using model::AttemptError;
  const std::vector<std::pair<AttemptError, std::int64_t>> cases = {
      {AttemptError::kNone, 0},     {AttemptError::kHttpStatus, 1}, {AttemptError::kTimeout, 2},
      {AttemptError::kConnect, 3},  {AttemptError::kTls, 4},        {AttemptError::kDns, 5},
      {AttemptError::kRedirect, 6}, {AttemptError::kRefused, 7},    {AttemptError::kOther, 8}};
  for (const auto& [error, code] : cases) {
    EXPECT_EQ(attempt_error_code(error), code) << model::to_string(error);
    EXPECT_EQ(attempt_error_from_code(code), error) << code;
  }
  EXPECT_EQ(attempt_error_from_code(-1), std::nullopt);
  EXPECT_EQ(attempt_error_from_code(9), std::nullopt);
}

struct MessageCase {
  std::string name;
  model::AttemptError error;
  std::optional<int> status_code;
  std::string message;
  std::optional<std::string> stored;
  friend std::ostream& operator<<(std::ostream& out, const MessageCase& c) { return out << c.name; }
};

class ErrorMessageTest : public ::testing::TestWithParam<MessageCase> {};

TEST_P(ErrorMessageTest, KeepsOnlyWhatTheStatusDoesNotSay) {
  const MessageCase& c = GetParam();
  EXPECT_EQ(compact_error_message(c.error, c.status_code, c.message), c.stored);
  EXPECT_EQ(expand_error_message(c.stored, c.status_code), c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ErrorMessageTest,
    ::testing::Values(
        MessageCase{"http_500", model::AttemptError::kHttpStatus, 500, "HTTP 500", std::nullopt},
        MessageCase{"http_404", model::AttemptError::kHttpStatus, 404, "HTTP 404", std::nullopt},
        MessageCase{"other_text", model::AttemptError::kHttpStatus, 500, "HTTP 500 (gateway)",
                    "HTTP 500 (gateway)"},
        MessageCase{"status_mismatch", model::AttemptError::kHttpStatus, 502, "HTTP 500", "HTTP 500"},
        MessageCase{"redirect", model::AttemptError::kRedirect, 301, "redirect not followed (HTTP 301)",
                    "redirect not followed (HTTP 301)"},
        MessageCase{"timeout_no_status", model::AttemptError::kTimeout, std::nullopt, "Operation timed out",
                    "Operation timed out"},
        MessageCase{"empty_with_status", model::AttemptError::kOther, 500, "", ""},
        MessageCase{"http_message_other_class", model::AttemptError::kOther, 500, "HTTP 500", "HTTP 500"}),
    [](const ::testing::TestParamInfo<MessageCase>& info) { return info.param.name; });

TEST(LatencyColumnTest, WholeMicrosecondsRoundTripToTheMicrosecond) {
  const std::vector<std::pair<double, std::int64_t>> cases = {
      {0.0, 0}, {12.5, 12500}, {3.53034, 3530}, {3.5306, 3531}, {30000.0, 30000000}, {0.0004, 0}};
  for (const auto& [ms, us] : cases) {
    EXPECT_EQ(latency_column(ms), us) << ms;
    EXPECT_NEAR(latency_from_column(latency_column(ms)), ms, 0.0005) << ms;
  }
}

}  // namespace
}  // namespace switchboard::store
