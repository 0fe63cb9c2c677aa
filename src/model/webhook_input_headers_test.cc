// parse_webhook_create: custom header rows.
#include <gtest/gtest.h>

#include "model/limits.h"
#include "model/webhook_input.h"
#include "model/webhook_input_test_util.h"

namespace switchboard::model {
namespace {

using testing::body_with;
using testing::BodyCase;
using testing::Kind;
using testing::parse_json;

class HeadersTest : public ::testing::TestWithParam<BodyCase> {};

TEST_P(HeadersTest, Outcome) {
  const BodyCase& c = GetParam();
  testing::expect_outcome(parse_webhook_create(parse_json(c.body)), c);
}

std::string with_headers(std::string_view headers_json, std::string_view extra = "") {
  return body_with("{\"headers\":" + std::string(headers_json) + std::string(extra) + "}");
}

std::string header(std::string_view key, std::string_view value) {
  return R"({"key":)" + testing::json_string(key) + R"(,"value":)" + testing::json_string(value) + "}";
}

// 11 rows, the last one a duplicate of the first.
std::string eleven_with_duplicate() {
  std::string out = testing::rows(10, "key", "value", "X-H");
  out.pop_back();
  return out + R"(,{"key":"x-h0"}])";
}

INSTANTIATE_TEST_SUITE_P(
    Table, HeadersTest,
    ::testing::ValuesIn(std::vector<BodyCase>{
        {"NoRows", with_headers("[]"), {}},
        {"Null", with_headers("null"), {}},
        {"MaxRows", with_headers(testing::rows(limits::kMaxCustomHeaders, "key", "value", "X-H")), {}},
        {"OneRowTooMany",
         with_headers(testing::rows(limits::kMaxCustomHeaders + 1, "key", "value", "X-H")),
         {{"headers", "too_many"}}},
        // Rows are still checked when there are too many.
        {"TooManyAndDuplicate",
         with_headers(eleven_with_duplicate()),
         {{"headers", "too_many"}, {"headers[10].key", "duplicate_key"}}},
        {"ValueOptional",
         with_headers(R"([{"key":"X-A"},{"key":"X-B","value":null},{"key":"X-C","value":""}])"),
         {}},
        {"KeyMissing", with_headers(R"([{"value":"v"}])"), {{"headers[0].key", "required"}}},
        // On create there is no stored value for a masked one to keep.
        {"MaskedValueOnCreate",
         with_headers(R"([{"key":"X-A","value":"********"}])"),
         {{"headers[0].value", "invalid_value"}}},
        {"KeyEmpty",
         with_headers(R"([{"key":"X-A"},{"key":"","value":"v"}])"),
         {{"headers[1].key", "required"}}},
        {"KeyNull", with_headers(R"([{"key":null}])"), {{"headers[0].key", "invalid_type"}}},
        {"KeyNumber", with_headers(R"([{"key":5}])"), {{"headers[0].key", "invalid_type"}}},
        {"ValueNumber", with_headers(R"([{"key":"X-A","value":5}])"), {{"headers[0].value", "invalid_type"}}},
        {"RowNotObject",
         with_headers(R"(["X-A: 1",{"key":"X-B"},[]])"),
         {{"headers[0]", "invalid_type"}, {"headers[2]", "invalid_type"}}},
        {"UnknownRowField",
         with_headers(R"([{"key":"X-A"},{"key":"X-B","x":1}])"),
         {{"headers[1].x", "unknown_field"}},
         Kind::kMalformed},
        {"NameAsKey",
         with_headers(R"([{"name":"X-A","value":"v"}])"),
         {{"headers[0].name", "unknown_field"}},
         Kind::kMalformed},
        {"KeyAtLimit",
         with_headers("[" + header(std::string(limits::kMaxHeaderKeyLength, 'k'), "v") + "]"),
         {}},
        {"KeyOverLimit",
         with_headers("[" + header(std::string(limits::kMaxHeaderKeyLength + 1, 'k'), "v") + "]"),
         {{"headers[0].key", "too_long"}}},
        {"KeyWithSpace", with_headers(R"([{"key":"X A"}])"), {{"headers[0].key", "invalid_header_name"}}},
        {"KeyWithColon", with_headers(R"([{"key":"X-A:"}])"), {{"headers[0].key", "invalid_header_name"}}},
        {"KeyWithNewline",
         with_headers(R"([{"key":"X-A\r\nX-B"}])"),
         {{"headers[0].key", "invalid_header_name"}}},
        {"KeyNonAscii", with_headers(R"([{"key":"X-\u00e9"}])"), {{"headers[0].key", "invalid_header_name"}}},
        {"KeyAllTokenChars", with_headers(R"([{"key":"!#$%&'*+-.^_`|~09azAZ"}])"), {}},
        {"ValueAtLimit",
         with_headers("[" + header("X-A", std::string(limits::kMaxHeaderValueLength, 'v')) + "]"),
         {}},
        {"ValueOverLimit",
         with_headers("[" + header("X-A", std::string(limits::kMaxHeaderValueLength + 1, 'v')) + "]"),
         {{"headers[0].value", "too_long"}}},
        {"ValueCrLf",
         with_headers(R"([{"key":"X-A","value":"a\r\nX-Evil: 1"}])"),
         {{"headers[0].value", "invalid_header_value"}}},
        {"ValueLf",
         with_headers(R"([{"key":"X-A","value":"a\nb"}])"),
         {{"headers[0].value", "invalid_header_value"}}},
        {"ValueCr",
         with_headers(R"([{"key":"X-A","value":"a\rb"}])"),
         {{"headers[0].value", "invalid_header_value"}}},
        {"ValueNul",
         with_headers(R"([{"key":"X-A","value":"a\u0000b"}])"),
         {{"headers[0].value", "invalid_header_value"}}},
        {"ValueControl",
         with_headers(R"([{"key":"X-A","value":"a\u0001b"}])"),
         {{"headers[0].value", "invalid_header_value"}}},
        {"ValueDelete",
         with_headers(R"([{"key":"X-A","value":"a\u007fb"}])"),
         {{"headers[0].value", "invalid_header_value"}}},
        {"ValueTabSpaceAndUtf8", with_headers(R"([{"key":"X-A","value":" a\tb c \u00e9 "}])"), {}},
        {"DuplicateSameCase",
         with_headers(R"([{"key":"X-A"},{"key":"X-A"}])"),
         {{"headers[1].key", "duplicate_key"}}},
        {"DuplicatesDifferingInCase",
         with_headers(R"([{"key":"X-A"},{"key":"x-a"},{"key":"X-B"},{"key":"X-a"},{"key":"x-b"}])"),
         {{"headers[1].key", "duplicate_key"},
          {"headers[3].key", "duplicate_key"},
          {"headers[4].key", "duplicate_key"}}},
        {"DuplicateAfterBrokenRows",
         with_headers(R"([{"key":5},{"key":"X-A"},{"value":"v"},{"key":"X-A"}])"),
         {{"headers[0].key", "invalid_type"},
          {"headers[2].key", "required"},
          {"headers[3].key", "duplicate_key"}}},
        {"ReservedHost",
         with_headers(R"([{"key":"host","value":"evil"}])"),
         {{"headers[0].key", "reserved_header"}}},
        {"ReservedContentTypeUpper",
         with_headers(R"([{"key":"CONTENT-TYPE","value":"text/plain"}])"),
         {{"headers[0].key", "reserved_header"}}},
        {"ReservedContentLength",
         with_headers(R"([{"key":"Content-Length","value":"1"}])"),
         {{"headers[0].key", "reserved_header"}}},
        {"ReservedSignatures",
         with_headers(
             R"([{"key":"x-myoperator-signature"},{"key":"X-MO-SIGNATURE"},{"key":"Webhook-Signature"},
                          {"key":"webhook-ID"},{"key":"X-Mo-Timestamp"}])"),
         {{"headers[0].key", "reserved_header"},
          {"headers[1].key", "reserved_header"},
          {"headers[2].key", "reserved_header"},
          {"headers[3].key", "reserved_header"},
          {"headers[4].key", "reserved_header"}}},
        {"ReservedHopByHop",
         with_headers(R"([{"key":"connection"},{"key":"Transfer-Encoding"},{"key":"te"},{"key":"Upgrade"}])"),
         {{"headers[0].key", "reserved_header"},
          {"headers[1].key", "reserved_header"},
          {"headers[2].key", "reserved_header"},
          {"headers[3].key", "reserved_header"}}},
        // A reserved name is reported as reserved on every row, not as a duplicate.
        {"ReservedTwice",
         with_headers(R"([{"key":"Host"},{"key":"HOST"}])"),
         {{"headers[0].key", "reserved_header"}, {"headers[1].key", "reserved_header"}}},
        {"KeyAndValueBothBad",
         with_headers(R"([{"key":"X A","value":"a\nb"}])"),
         {{"headers[0].key", "invalid_header_name"}, {"headers[0].value", "invalid_header_value"}}},
    }),
    testing::CaseName());

INSTANTIATE_TEST_SUITE_P(
    WithAuth, HeadersTest,
    ::testing::ValuesIn(std::vector<BodyCase>{
        {"AuthorizationWithoutAuth", with_headers(R"([{"key":"Authorization","value":"Bearer t"}])"), {}},
        {"AuthorizationWithBasic",
         with_headers(R"([{"key":"X-A"},{"key":"authorization","value":"Bearer t"}])",
                      R"(,"auth":{"type":"basic","username":"u","password":"p"})"),
         {{"headers[1].key", "reserved_header"}}},
        {"AuthorizationWithApiKey",
         with_headers(
             R"([{"key":"Authorization","value":"Bearer t"}])",
             R"(,"auth":{"type":"api_key","location":"header","keys":[{"name":"X-Key","value":"k"}]})"),
         {}},
        {"SameAsHeaderApiKey",
         with_headers(
             R"([{"key":"X-Other"},{"key":"x-api-key","value":"v"}])",
             R"(,"auth":{"type":"api_key","location":"header","keys":[{"name":"X-Api-Key","value":"k"}]})"),
         {{"headers[1].key", "duplicate_key"}}},
        {"SameAsQueryApiKey",
         with_headers(
             R"([{"key":"X-Api-Key","value":"v"}])",
             R"(,"auth":{"type":"api_key","location":"query","keys":[{"name":"X-Api-Key","value":"k"}]})"),
         {}},
        // Without a valid auth type there is nothing to compare the headers with.
        {"BrokenAuthSkipsCrossChecks",
         with_headers(R"([{"key":"Authorization"}])", R"(,"auth":{"type":"bearer","username":"u"})"),
         {{"auth.type", "invalid_value"}}},
    }),
    testing::CaseName());

TEST(HeadersTest, RowsKeptInOrderWithEmptyDefaultValue) {
  const auto result = parse_webhook_create(
      parse_json(with_headers(R"([{"key":"X-B","value":"2"},{"key":"X-A"},{"key":"x-c","value":null}])")));
  ASSERT_TRUE(result.has_value()) << ::testing::PrintToString(testing::errors_of(result));
  const std::vector<KeyValue> expected = {{"X-B", "2"}, {"X-A", ""}, {"x-c", ""}};
  EXPECT_EQ(result->spec.headers, expected);
}

TEST(HeadersTest, DuplicateMessageNamesTheKey) {
  const auto result = parse_webhook_create(parse_json(with_headers(R"([{"key":"X-A"},{"key":"X-A"}])")));
  ASSERT_FALSE(result.has_value());
  ASSERT_EQ(result.error().errors.size(), 1u);
  EXPECT_EQ(result.error().errors[0].message, "Duplicate header key \"X-A\".");
}

}  // namespace
}  // namespace switchboard::model
