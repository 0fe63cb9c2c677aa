// parse_webhook_create: the auth object.
#include <gtest/gtest.h>

#include "model/limits.h"
#include "model/webhook_input.h"
#include "model/webhook_input_test_util.h"

namespace switchboard::model {
namespace {

using testing::BodyCase;
using testing::json_string;
using testing::Kind;
using testing::parse_json;

class AuthTest : public ::testing::TestWithParam<BodyCase> {};

TEST_P(AuthTest, Outcome) {
  const BodyCase& c = GetParam();
  testing::expect_outcome(parse_webhook_create(parse_json(c.body)), c);
}

std::string with_auth(std::string_view auth_json) {
  return testing::body_with("{\"auth\":" + std::string(auth_json) + "}");
}

std::string basic(std::string_view username, std::string_view password) {
  return with_auth(R"({"type":"basic","username":)" + json_string(username) + R"(,"password":)" +
                   json_string(password) + "}");
}

std::string api_key(std::string_view location, std::string_view keys_json) {
  return with_auth(R"({"type":"api_key","location":")" + std::string(location) + R"(","keys":)" +
                   std::string(keys_json) + "}");
}

std::string key(std::string_view name, std::string_view value) {
  return R"({"name":)" + json_string(name) + R"(,"value":)" + json_string(value) + "}";
}

INSTANTIATE_TEST_SUITE_P(
    Type, AuthTest,
    ::testing::ValuesIn(std::vector<BodyCase>{
        {"None", with_auth(R"({"type":"none"})"), {}},
        {"Null", with_auth("null"), {}},
        {"NotObject", with_auth(R"("basic")"), {{"auth", "invalid_type"}}},
        {"TypeMissing", with_auth("{}"), {{"auth.type", "required"}}},
        {"TypeNotString", with_auth(R"({"type":1})"), {{"auth.type", "invalid_type"}}},
        {"TypeNull", with_auth(R"({"type":null})"), {{"auth.type", "invalid_type"}}},
        {"TypeUnknown", with_auth(R"({"type":"bearer"})"), {{"auth.type", "invalid_value"}}},
        {"TypeWrongCase", with_auth(R"({"type":"Basic"})"), {{"auth.type", "invalid_value"}}},
        {"TypeHyphen", with_auth(R"({"type":"api-key"})"), {{"auth.type", "invalid_value"}}},
        {"UnknownField",
         with_auth(R"({"type":"none","token":"t"})"),
         {{"auth.token", "unknown_field"}},
         Kind::kMalformed},
        {"NoneWithEveryOtherField",
         with_auth(R"({"type":"none","username":"u","password":"p","location":"header","keys":[]})"),
         {{"auth.username", "not_allowed"},
          {"auth.password", "not_allowed"},
          {"auth.location", "not_allowed"},
          {"auth.keys", "not_allowed"}}},
        {"NoneWithNullField",
         with_auth(R"({"type":"none","username":null})"),
         {{"auth.username", "not_allowed"}}},
    }),
    testing::CaseName());

INSTANTIATE_TEST_SUITE_P(
    Basic, AuthTest,
    ::testing::ValuesIn(std::vector<BodyCase>{
        {"Valid", basic("user", "pass"), {}},
        {"UsernameMissing", with_auth(R"({"type":"basic","password":"p"})"), {{"auth.username", "required"}}},
        {"UsernameEmpty", basic("", "p"), {{"auth.username", "required"}}},
        {"UsernameNotString",
         with_auth(R"({"type":"basic","username":5,"password":"p"})"),
         {{"auth.username", "invalid_type"}}},
        {"UsernameAtLimit", basic(std::string(limits::kMaxUsernameLength, 'u'), "p"), {}},
        {"UsernameOverLimit",
         basic(std::string(limits::kMaxUsernameLength + 1, 'u'), "p"),
         {{"auth.username", "too_long"}}},
        {"UsernameWithColon", basic("a:b", "p"), {{"auth.username", "invalid_value"}}},
        {"PasswordMissing", with_auth(R"({"type":"basic","username":"u"})"), {{"auth.password", "required"}}},
        {"PasswordEmpty", basic("u", ""), {{"auth.password", "required"}}},
        {"PasswordNull",
         with_auth(R"({"type":"basic","username":"u","password":null})"),
         {{"auth.password", "invalid_type"}}},
        {"PasswordWithColon", basic("u", "p:a:ss"), {}},
        {"PasswordAtLimit", basic("u", std::string(limits::kMaxPasswordLength, 'p')), {}},
        {"PasswordOverLimit",
         basic("u", std::string(limits::kMaxPasswordLength + 1, 'p')),
         {{"auth.password", "too_long"}}},
        // Nothing stored to keep on create.
        {"MaskedPasswordOnCreate", basic("u", "********"), {{"auth.password", "invalid_value"}}},
        {"BothMissing",
         with_auth(R"({"type":"basic"})"),
         {{"auth.username", "required"}, {"auth.password", "required"}}},
        {"WithApiKeyFields",
         with_auth(R"({"type":"basic","keys":[],"location":"query","username":"u","password":"p"})"),
         {{"auth.location", "not_allowed"}, {"auth.keys", "not_allowed"}}},
    }),
    testing::CaseName());

std::string eleven_keys() { return testing::rows(limits::kMaxApiKeys + 1, "name", "value", "X-K"); }

INSTANTIATE_TEST_SUITE_P(
    ApiKey, AuthTest,
    ::testing::ValuesIn(std::vector<BodyCase>{
        {"Header", api_key("header", "[" + key("X-Api-Key", "k") + "]"), {}},
        {"Query", api_key("query", "[" + key("api_key", "k") + "]"), {}},
        {"MaxKeys", api_key("header", testing::rows(limits::kMaxApiKeys, "name", "value", "X-K")), {}},
        {"OneKeyTooMany", api_key("header", eleven_keys()), {{"auth.keys", "too_many"}}},
        {"NoKeys", api_key("header", "[]"), {{"auth.keys", "too_few"}}},
        {"KeysMissing", with_auth(R"({"type":"api_key","location":"header"})"), {{"auth.keys", "required"}}},
        {"KeysNotArray", api_key("header", R"({"name":"K","value":"v"})"), {{"auth.keys", "invalid_type"}}},
        {"KeysNull", api_key("header", "null"), {{"auth.keys", "invalid_type"}}},
        {"LocationMissing",
         with_auth(R"({"type":"api_key","keys":[{"name":"K","value":"v"}]})"),
         {{"auth.location", "required"}}},
        {"LocationUnknown", api_key("body", "[" + key("K", "v") + "]"), {{"auth.location", "invalid_value"}}},
        {"LocationWrongCase",
         api_key("Header", "[" + key("K", "v") + "]"),
         {{"auth.location", "invalid_value"}}},
        {"LocationNotString",
         with_auth(R"({"type":"api_key","location":1,"keys":[{"name":"K","value":"v"}]})"),
         {{"auth.location", "invalid_type"}}},
        {"RowNotObject",
         api_key("header", R"(["K=v",{"name":"K","value":"v"}])"),
         {{"auth.keys[0]", "invalid_type"}}},
        {"RowUnknownField",
         api_key("header", R"([{"name":"K","value":"v"},{"name":"L","value":"v","in":"x"}])"),
         {{"auth.keys[1].in", "unknown_field"}},
         Kind::kMalformed},
        {"RowKeyInsteadOfName",
         api_key("header", R"([{"key":"K","value":"v"}])"),
         {{"auth.keys[0].key", "unknown_field"}},
         Kind::kMalformed},
        {"NameMissing",
         api_key("header", R"([{"name":"K","value":"v"},{"value":"v"}])"),
         {{"auth.keys[1].name", "required"}}},
        {"NameEmpty", api_key("query", "[" + key("", "v") + "]"), {{"auth.keys[0].name", "required"}}},
        {"NameNotString",
         api_key("header", R"([{"name":7,"value":"v"}])"),
         {{"auth.keys[0].name", "invalid_type"}}},
        {"ValueMissing", api_key("header", R"([{"name":"K"}])"), {{"auth.keys[0].value", "required"}}},
        {"ValueEmpty", api_key("header", "[" + key("K", "") + "]"), {{"auth.keys[0].value", "required"}}},
        {"ValueNotString",
         api_key("header", R"([{"name":"K","value":1}])"),
         {{"auth.keys[0].value", "invalid_type"}}},
        {"NameAndValueMissing",
         api_key("header", "[{}]"),
         {{"auth.keys[0].name", "required"}, {"auth.keys[0].value", "required"}}},
        {"HeaderNameInvalid",
         api_key("header", "[" + key("X Api Key", "v") + "]"),
         {{"auth.keys[0].name", "invalid_header_name"}}},
        {"QueryNameAnyText", api_key("query", "[" + key("api key[]", "v") + "]"), {}},
        {"HeaderNameReserved",
         api_key("header", "[" + key("content-type", "v") + "]"),
         {{"auth.keys[0].name", "reserved_header"}}},
        {"QueryNameNotReserved", api_key("query", "[" + key("Content-Type", "v") + "]"), {}},
        {"HeaderAuthorizationAllowed", api_key("header", "[" + key("Authorization", "Bearer t") + "]"), {}},
        {"NameAtLimit",
         api_key("header", "[" + key(std::string(limits::kMaxHeaderKeyLength, 'k'), "v") + "]"),
         {}},
        {"NameOverLimit",
         api_key("header", "[" + key(std::string(limits::kMaxHeaderKeyLength + 1, 'k'), "v") + "]"),
         {{"auth.keys[0].name", "too_long"}}},
        {"ValueAtLimit",
         api_key("header", "[" + key("K", std::string(limits::kMaxHeaderValueLength, 'v')) + "]"),
         {}},
        {"ValueOverLimit",
         api_key("header", "[" + key("K", std::string(limits::kMaxHeaderValueLength + 1, 'v')) + "]"),
         {{"auth.keys[0].value", "too_long"}}},
        {"HeaderValueWithNewline",
         api_key("header", "[" + key("K", "a\r\nb") + "]"),
         {{"auth.keys[0].value", "invalid_header_value"}}},
        {"QueryValueWithNewline", api_key("query", "[" + key("k", "a\nb") + "]"), {}},
        {"DuplicatesDifferingInCase",
         api_key("header", "[" + key("X-Key", "1") + "," + key("X-Other", "2") + "," + key("x-key", "3") +
                               "," + key("X-OTHER", "4") + "," + key("X-KEY", "5") + "]"),
         {{"auth.keys[2].name", "duplicate_key"},
          {"auth.keys[3].name", "duplicate_key"},
          {"auth.keys[4].name", "duplicate_key"}}},
        {"QueryDuplicates",
         api_key("query", "[" + key("k", "1") + "," + key("K", "2") + "]"),
         {{"auth.keys[1].name", "duplicate_key"}}},
        {"TooManyStillChecksRows",
         api_key("header",
                 [] {
                   std::string rows = eleven_keys();
                   rows.pop_back();
                   return rows + "," + key("x-k0", "v") + "]";
                 }()),
         {{"auth.keys", "too_many"}, {"auth.keys[11].name", "duplicate_key"}}},
        // With the location broken, only location-independent rules apply.
        {"BadLocationStillChecksRows",
         api_key("cookie", "[" + key("X K", "v") + "," + key("x k", "") + "]"),
         {{"auth.location", "invalid_value"},
          {"auth.keys[1].name", "duplicate_key"},
          {"auth.keys[1].value", "required"}}},
        {"MaskedValueOnCreate",
         api_key("header", "[" + key("K", "********") + "]"),
         {{"auth.keys[0].value", "invalid_value"}}},
        {"WithBasicFields",
         with_auth(R"({"type":"api_key","username":"u","password":"p","location":"header",
                       "keys":[{"name":"K","value":"v"}]})"),
         {{"auth.username", "not_allowed"}, {"auth.password", "not_allowed"}}},
    }),
    testing::CaseName());

TEST(AuthTest, BasicSpec) {
  const auto result = parse_webhook_create(parse_json(basic("user", "p:ss")));
  ASSERT_TRUE(result.has_value());
  WebhookAuth expected;
  expected.type = AuthType::kBasic;
  expected.username = "user";
  expected.password = "p:ss";
  EXPECT_EQ(result->spec.auth, expected);
}

TEST(AuthTest, ApiKeySpec) {
  const auto result = parse_webhook_create(
      parse_json(api_key("query", "[" + key("api_key", "k1") + "," + key("sig", "k2") + "]")));
  ASSERT_TRUE(result.has_value());
  WebhookAuth expected;
  expected.type = AuthType::kApiKey;
  expected.location = ApiKeyLocation::kQuery;
  expected.keys = {{"api_key", "k1"}, {"sig", "k2"}};
  EXPECT_EQ(result->spec.auth, expected);
}

TEST(AuthTest, NotAllowedMessageNamesTheAuthType) {
  const auto result = parse_webhook_create(parse_json(with_auth(R"({"type":"none","keys":[]})")));
  ASSERT_FALSE(result.has_value());
  ASSERT_EQ(result.error().errors.size(), 1u);
  EXPECT_EQ(result.error().errors[0].message, "auth.keys is only used with api_key auth.");
}

}  // namespace
}  // namespace switchboard::model
