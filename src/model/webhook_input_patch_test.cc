// parse_webhook_patch: partial updates, whole-field replacement, masked
// secrets, validation of the merged result.
#include <gtest/gtest.h>

#include <ostream>

#include "common/crypto.h"
#include "model/event_catalog.h"
#include "model/webhook_input.h"
#include "model/webhook_input_test_util.h"

namespace switchboard::model {
namespace {

using testing::Kind;
using testing::parse_json;

WebhookSpec basic_spec() {
  WebhookSpec spec;
  spec.name = "CRM sync";
  spec.description = "to the CRM";
  spec.url = "https://crm.example.com/hooks";
  spec.auth.type = AuthType::kBasic;
  spec.auth.username = "user";
  spec.auth.password = "stored-password";
  spec.headers = {{"X-Source", "switchboard"}, {"X-Empty", ""}};
  spec.events = {"call.summary", "call.disposition", "message.received"};
  spec.filters = {{"inbound"}, {"dep1"}, {"ag1", "ag2"}};
  return spec;
}

WebhookSpec api_key_spec() {
  WebhookSpec spec = basic_spec();
  spec.auth = WebhookAuth{};
  spec.auth.type = AuthType::kApiKey;
  spec.auth.location = ApiKeyLocation::kHeader;
  spec.auth.keys = {{"X-Api-Key", "stored-k1"}, {"X-Tenant", "stored-k2"}};
  return spec;
}

WebhookSpec none_spec() {
  WebhookSpec spec = basic_spec();
  spec.auth = WebhookAuth{};
  return spec;
}

InputResult<WebhookInput> patch(std::string_view body, const WebhookSpec& current) {
  return parse_webhook_patch(parse_json(body), current);
}

// What a client that read basic_spec() sends back unchanged (secrets masked).
constexpr std::string_view kBasicEcho = R"({
    "name":"CRM sync","description":"to the CRM","url":"https://crm.example.com/hooks",
    "auth":{"type":"basic","username":"user","password":"********"},
    "headers":[{"key":"X-Source","value":"switchboard"},{"key":"X-Empty","value":""}],
    "events":["call.summary","call.disposition","message.received"],
    "filters":{"direction":["inbound"],"department_ids":["dep1"],"agent_ids":["ag1","ag2"]}})";

TEST(PatchTest, EmptyBodyChangesNothing) {
  for (const WebhookSpec& current : {basic_spec(), api_key_spec(), none_spec()}) {
    const auto result = patch("{}", current);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->spec, current);
    EXPECT_EQ(result->secret.kind, SecretChange::Kind::kKeep);
  }
}

TEST(PatchTest, EchoOfCurrentValuesIsEqualToCurrent) {
  const auto result = patch(kBasicEcho, basic_spec());
  ASSERT_TRUE(result.has_value()) << ::testing::PrintToString(testing::errors_of(result));
  EXPECT_EQ(result->spec, basic_spec());
  EXPECT_EQ(result->secret.kind, SecretChange::Kind::kKeep);
}

TEST(PatchTest, EchoWithGroupsAndMaskedApiKeysIsEqualToCurrent) {
  WebhookSpec current = api_key_spec();
  current.events.clear();
  for (std::string_view type : events_in_group("call")) current.events.emplace_back(type);
  const auto result = patch(R"({"auth":{"type":"api_key","location":"header",
      "keys":[{"name":"X-Api-Key","value":"********"},{"name":"X-Tenant","value":"********"}]},
      "events":["call"],"secret":"********"})",
                            current);
  ASSERT_TRUE(result.has_value()) << ::testing::PrintToString(testing::errors_of(result));
  EXPECT_EQ(result->spec, current);
  EXPECT_EQ(result->secret.kind, SecretChange::Kind::kKeep);
}

TEST(PatchTest, EchoWithMaskedHeaderValuesIsEqualToCurrent) {
  // What GET shows of basic_spec(): every secret value masked, names in clear.
  const auto result = patch(R"({"auth":{"type":"basic","username":"user","password":"********"},
      "headers":[{"key":"X-Source","value":"********"},{"key":"X-Empty","value":"********"}]})",
                            basic_spec());
  ASSERT_TRUE(result.has_value()) << ::testing::PrintToString(testing::errors_of(result));
  EXPECT_EQ(result->spec, basic_spec());
}

TEST(PatchTest, MaskedHeaderValuesKeepStoredValuesByKeyInAnyCaseAndOthersReplace) {
  WebhookSpec current = basic_spec();
  current.headers = {{"Authorization", "Bearer stored-token"}, {"X-Source", "switchboard"}};
  // One header edited, one kept (renamed in case, moved), one new, one removed.
  const auto result = patch(R"({"auth":{"type":"none"},"headers":[
      {"key":"X-New","value":"n"},{"key":"authorization","value":"********"}]})",
                            current);
  ASSERT_TRUE(result.has_value()) << ::testing::PrintToString(testing::errors_of(result));
  const std::vector<KeyValue> expected = {{"X-New", "n"}, {"authorization", "Bearer stored-token"}};
  EXPECT_EQ(result->spec.headers, expected);
}

struct MergeCase {
  std::string name;
  std::string body;
  void (*apply)(WebhookSpec&);  // the change expected on basic_spec()
  friend std::ostream& operator<<(std::ostream& out, const MergeCase& c) { return out << c.name; }
};

class PatchMergeTest : public ::testing::TestWithParam<MergeCase> {};

TEST_P(PatchMergeTest, ChangesOnlyWhatWasSent) {
  const auto result = patch(GetParam().body, basic_spec());
  ASSERT_TRUE(result.has_value()) << ::testing::PrintToString(testing::errors_of(result));
  WebhookSpec expected = basic_spec();
  GetParam().apply(expected);
  EXPECT_EQ(result->spec, expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PatchMergeTest,
    ::testing::ValuesIn(std::vector<MergeCase>{
        {"Name", R"({"name":"New"})", [](WebhookSpec& s) { s.name = "New"; }},
        {"NameNull", R"({"name":null})", [](WebhookSpec& s) { s.name.clear(); }},
        {"DescriptionEmpty", R"({"description":""})", [](WebhookSpec& s) { s.description.clear(); }},
        {"Url", R"({"url":"HTTPS://new.example.com/x"})",
         [](WebhookSpec& s) { s.url = "HTTPS://new.example.com/x"; }},
        {"HeadersReplacedWhole", R"({"headers":[{"key":"X-New","value":"1"}]})",
         [](WebhookSpec& s) {
           s.headers = {{"X-New", "1"}};
         }},
        {"HeadersEmpty", R"({"headers":[]})", [](WebhookSpec& s) { s.headers.clear(); }},
        {"HeadersNull", R"({"headers":null})", [](WebhookSpec& s) { s.headers.clear(); }},
        {"EventsReplacedWhole", R"({"events":["message.read","call.end"]})",
         [](WebhookSpec& s) {
           s.events = {"call.end", "message.read"};
         }},
        {"FiltersReplacedWhole", R"({"filters":{"agent_ids":["ag9"]}})",
         [](WebhookSpec& s) {
           s.filters = {{}, {}, {"ag9"}};
         }},
        {"FiltersNull", R"({"filters":null})", [](WebhookSpec& s) { s.filters = {}; }},
        {"AuthNone", R"({"auth":{"type":"none"}})", [](WebhookSpec& s) { s.auth = {}; }},
        {"AuthNull", R"({"auth":null})", [](WebhookSpec& s) { s.auth = {}; }},
        {"BasicNewUsernameMaskedPassword",
         R"({"auth":{"type":"basic","username":"u2","password":"********"}})",
         [](WebhookSpec& s) { s.auth.username = "u2"; }},
        {"BasicNewPassword", R"({"auth":{"type":"basic","username":"user","password":"fresh"}})",
         [](WebhookSpec& s) { s.auth.password = "fresh"; }},
        {"SwitchToApiKey",
         R"({"auth":{"type":"api_key","location":"query","keys":[{"name":"k","value":"v"}]}})",
         [](WebhookSpec& s) {
           s.auth = {AuthType::kApiKey, "", "", ApiKeyLocation::kQuery, {{"k", "v"}}};
         }},
        {"SeveralAtOnce", R"({"name":"N","events":["whatsapp"],"headers":[]})",
         [](WebhookSpec& s) {
           s.name = "N";
           s.headers.clear();
           s.events = {"message.sent",        "message.received",  "message.delivered",
                       "message.read",        "message.failed",    "message.link_tracking",
                       "conversation.assign", "conversation.close"};
         }},
    }),
    testing::CaseName());

struct PatchErrorCase {
  std::string name;
  WebhookSpec (*current)();
  std::string body;
  std::vector<testing::Err> errors;
  Kind kind = Kind::kInvalid;
  friend std::ostream& operator<<(std::ostream& out, const PatchErrorCase& c) { return out << c.name; }
};

class PatchErrorTest : public ::testing::TestWithParam<PatchErrorCase> {};

TEST_P(PatchErrorTest, Rejected) {
  const PatchErrorCase& c = GetParam();
  const auto result = patch(c.body, c.current());
  ASSERT_FALSE(result.has_value()) << c.body;
  EXPECT_EQ(result.error().kind, c.kind);
  EXPECT_EQ(testing::errors_of(result), c.errors);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PatchErrorTest,
    ::testing::ValuesIn(std::vector<PatchErrorCase>{
        {"NotObject", basic_spec, "[]", {{"", "invalid_body"}}, Kind::kMalformed},
        {"Null", basic_spec, "null", {{"", "invalid_body"}}, Kind::kMalformed},
        {"UnknownField",
         basic_spec,
         R"({"name":"x","status":"inactive"})",
         {{"status", "unknown_field"}},
         Kind::kMalformed},
        {"UrlNull", basic_spec, R"({"url":null})", {{"url", "invalid_type"}}},
        {"UrlEmpty", basic_spec, R"({"url":""})", {{"url", "required"}}},
        {"UrlHttp", basic_spec, R"({"url":"http://crm.example.com"})", {{"url", "https_required"}}},
        {"EventsNull", basic_spec, R"({"events":null})", {{"events", "invalid_type"}}},
        {"EventsEmpty", basic_spec, R"({"events":[]})", {{"events", "required"}}},
        {"NameNumber", basic_spec, R"({"name":1})", {{"name", "invalid_type"}}},
        {"SecretInvalid", basic_spec, R"({"secret":"whsec_short"})", {{"secret", "invalid_secret"}}},
        // The merged spec is validated as a whole.
        {"SwitchToBasicWithoutPassword",
         none_spec,
         R"({"auth":{"type":"basic","username":"u"}})",
         {{"auth.password", "required"}}},
        {"MaskedPasswordWhenCurrentIsNone",
         none_spec,
         R"({"auth":{"type":"basic","username":"u","password":"********"}})",
         {{"auth.password", "invalid_value"}}},
        {"MaskedPasswordWhenCurrentIsApiKey",
         api_key_spec,
         R"({"auth":{"type":"basic","username":"u","password":"********"}})",
         {{"auth.password", "invalid_value"}}},
        {"MaskedKeyWhenCurrentIsBasic",
         basic_spec,
         R"({"auth":{"type":"api_key","location":"header",
                     "keys":[{"name":"X-Api-Key","value":"********"}]}})",
         {{"auth.keys[0].value", "invalid_value"}}},
        {"MaskedKeyWithUnknownName",
         api_key_spec,
         R"({"auth":{"type":"api_key","location":"header","keys":[{"name":"X-Api-Key","value":"********"},
                                                                   {"name":"X-New","value":"********"}]}})",
         {{"auth.keys[1].value", "invalid_value"}}},
        {"MaskedHeaderWithUnknownKey",
         basic_spec,
         R"({"headers":[{"key":"X-Source","value":"********"},{"key":"X-Other","value":"********"}]})",
         {{"headers[1].value", "invalid_value"}}},
        {"MaskedHeaderWithoutKey",
         basic_spec,
         R"({"headers":[{"value":"********"}]})",
         {{"headers[0].key", "required"}}},
        {"SecretKeepIsNotAValue", basic_spec, R"({"secret":"Keep"})", {{"secret", "invalid_secret"}}},
        {"MaskedKeyWithoutName",
         api_key_spec,
         R"({"auth":{"type":"api_key","location":"header","keys":[{"value":"********"}]}})",
         {{"auth.keys[0].name", "required"}, {"auth.keys[0].value", "invalid_value"}}},
        // Only the auth is sent, yet the stored headers now clash with it.
        {"BasicClashesWithStoredAuthorizationHeader",
         [] {
           WebhookSpec s = none_spec();
           s.headers = {{"X-Source", "sb"}, {"authorization", "Bearer t"}};
           return s;
         },
         R"({"auth":{"type":"basic","username":"u","password":"p"}})",
         {{"headers[1].key", "reserved_header"}}},
        {"ApiKeyClashesWithStoredHeader",
         basic_spec,
         R"({"auth":{"type":"api_key","location":"header","keys":[{"name":"x-source","value":"k"}]}})",
         {{"headers[0].key", "duplicate_key"}}},
        // Only the headers are sent, yet they clash with the stored auth.
        {"HeaderClashesWithStoredBasic",
         basic_spec,
         R"({"headers":[{"key":"Authorization","value":"x"}]})",
         {{"headers[0].key", "reserved_header"}}},
        {"HeaderClashesWithStoredApiKey",
         api_key_spec,
         R"({"headers":[{"key":"X-TENANT","value":"x"}]})",
         {{"headers[0].key", "duplicate_key"}}},
        {"SeveralAtOnce",
         basic_spec,
         R"({"url":"https://","auth":{"type":"basic","username":""},"events":["nope"],"secret":1})",
         {{"url", "invalid_url"},
          {"auth.username", "required"},
          {"auth.password", "required"},
          {"events[0]", "unknown_event"},
          {"secret", "invalid_type"}}},
    }),
    testing::CaseName());

TEST(PatchTest, MaskedApiKeyValuesKeepStoredValuesByNameInAnyCase) {
  const auto result = patch(R"({"auth":{"type":"api_key","location":"query","keys":[
      {"name":"x-tenant","value":"********"},{"name":"X-New","value":"n"},
      {"name":"X-API-KEY","value":"********"}]}})",
                            api_key_spec());
  ASSERT_TRUE(result.has_value()) << ::testing::PrintToString(testing::errors_of(result));
  const std::vector<KeyValue> expected = {
      {"x-tenant", "stored-k2"}, {"X-New", "n"}, {"X-API-KEY", "stored-k1"}};
  EXPECT_EQ(result->spec.auth.keys, expected);
  EXPECT_EQ(result->spec.auth.location, ApiKeyLocation::kQuery);
}

TEST(PatchTest, SwitchingAwayFromBasicDropsTheStoredHeaderClash) {
  WebhookSpec current = basic_spec();
  const auto result =
      patch(R"({"auth":{"type":"none"},"headers":[{"key":"Authorization","value":"Bearer t"}]})", current);
  ASSERT_TRUE(result.has_value()) << ::testing::PrintToString(testing::errors_of(result));
  EXPECT_EQ(result->spec.auth, WebhookAuth{});
  EXPECT_EQ(result->spec.headers, (std::vector<KeyValue>{{"Authorization", "Bearer t"}}));
}

const std::string kNewSecret = "whsec_" + crypto::base64_encode(std::string(32, '\x22'));

struct SecretCase {
  std::string name;
  std::string body;
  SecretChange::Kind kind;
  std::string value;
  bool decided;  // an explicit choice (what a change of origin asks for)
  friend std::ostream& operator<<(std::ostream& out, const SecretCase& c) { return out << c.name; }
};

class PatchSecretTest : public ::testing::TestWithParam<SecretCase> {};

TEST_P(PatchSecretTest, Change) {
  const auto result = patch(GetParam().body, basic_spec());
  ASSERT_TRUE(result.has_value()) << ::testing::PrintToString(testing::errors_of(result));
  EXPECT_EQ(result->secret.kind, GetParam().kind);
  EXPECT_EQ(result->secret.value, GetParam().value);
  EXPECT_EQ(result->secret.decided, GetParam().decided);
  EXPECT_EQ(result->spec, basic_spec());
}

INSTANTIATE_TEST_SUITE_P(
    Table, PatchSecretTest,
    ::testing::ValuesIn(std::vector<SecretCase>{
        {"Absent", "{}", SecretChange::Kind::kKeep, "", false},
        {"Masked", R"({"secret":"********"})", SecretChange::Kind::kKeep, "", false},
        {"Keep", R"({"secret":"keep"})", SecretChange::Kind::kKeep, "", true},
        {"Null", R"({"secret":null})", SecretChange::Kind::kClear, "", true},
        {"Generate", R"({"secret":"generate"})", SecretChange::Kind::kGenerate, "", true},
        {"Set", R"({"secret":")" + kNewSecret + "\"}", SecretChange::Kind::kSet, kNewSecret, true},
    }),
    testing::CaseName());

// Which stored secret values a PATCH keeps rather than receives anew: what a
// change of the URL's origin asks to enter again (webhook_origin.h).
struct KeptCase {
  std::string name;
  WebhookSpec (*current)();
  std::string body;
  std::vector<std::string> kept;
  friend std::ostream& operator<<(std::ostream& out, const KeptCase& c) { return out << c.name; }
};

class PatchKeptTest : public ::testing::TestWithParam<KeptCase> {};

TEST_P(PatchKeptTest, KeptCredentials) {
  const auto result = patch(GetParam().body, GetParam().current());
  ASSERT_TRUE(result.has_value()) << ::testing::PrintToString(testing::errors_of(result));
  EXPECT_EQ(result->kept_credentials, GetParam().kept);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PatchKeptTest,
    ::testing::ValuesIn(std::vector<KeptCase>{
        // Left out: every stored non-empty secret value is kept (X-Empty has none).
        {"BasicLeftOut", basic_spec, R"({"name":"n"})", {"auth.password", "headers[0].value"}},
        {"ApiKeysLeftOut",
         api_key_spec,
         R"({"name":"n"})",
         {"auth.keys[0].value", "auth.keys[1].value", "headers[0].value"}},
        {"NoneLeftOut", none_spec, R"({"name":"n"})", {"headers[0].value"}},
        // Sent back masked: kept, at the path of the merged spec.
        {"MaskedPasswordAndHeader",
         basic_spec,
         R"({"auth":{"type":"basic","username":"u","password":"********"},
             "headers":[{"key":"X-Empty","value":""},{"key":"X-Source","value":"********"}]})",
         {"auth.password", "headers[1].value"}},
        {"MaskedKeyAmongNew",
         api_key_spec,
         R"({"auth":{"type":"api_key","location":"header",
                     "keys":[{"name":"X-New","value":"n"},{"name":"X-Tenant","value":"********"}]},
             "headers":[]})",
         {"auth.keys[1].value"}},
        // Sent anew or removed: nothing kept.
        {"AllNew",
         basic_spec,
         R"({"auth":{"type":"basic","username":"u","password":"p2"},
             "headers":[{"key":"X-Source","value":"s2"}]})",
         {}},
        {"AllRemoved", basic_spec, R"({"auth":{"type":"none"},"headers":null})", {}},
    }),
    testing::CaseName());

}  // namespace
}  // namespace switchboard::model
