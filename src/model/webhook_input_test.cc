// parse_webhook_create: body shape, unknown fields, types, name/description,
// url, events, filters, secret, and several errors at once.
#include "model/webhook_input.h"

#include <gtest/gtest.h>

#include <ostream>

#include "common/crypto.h"
#include "model/event_catalog.h"
#include "model/limits.h"
#include "model/webhook_input_test_util.h"

namespace switchboard::model {
namespace {

using testing::body_with;
using testing::BodyCase;
using testing::json_string;
using testing::Kind;
using testing::parse_json;

class CreateBodyTest : public ::testing::TestWithParam<BodyCase> {};

TEST_P(CreateBodyTest, Outcome) {
  const BodyCase& c = GetParam();
  testing::expect_outcome(parse_webhook_create(parse_json(c.body)), c);
}

std::string text_of(std::size_t length, std::string_view unit = "a") {
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out += unit;
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    Shape, CreateBodyTest,
    ::testing::ValuesIn(std::vector<BodyCase>{
        {"Minimal", std::string(testing::kValidBase), {}},
        {"Array", "[]", {{"", "invalid_body"}}, Kind::kMalformed},
        {"String", R"("url")", {{"", "invalid_body"}}, Kind::kMalformed},
        {"Number", "1", {{"", "invalid_body"}}, Kind::kMalformed},
        {"Null", "null", {{"", "invalid_body"}}, Kind::kMalformed},
        {"Bool", "true", {{"", "invalid_body"}}, Kind::kMalformed},
        {"Empty", "{}", {{"url", "required"}, {"events", "required"}}},
        {"UnknownTopLevel", body_with(R"({"foo":1})"), {{"foo", "unknown_field"}}, Kind::kMalformed},
        {"UnknownStatus",
         body_with(R"({"status":"active"})"),
         {{"status", "unknown_field"}},
         Kind::kMalformed},
        {"UnknownInBodyOrder",
         body_with(R"({"zeta":1,"alpha":2})"),
         {{"zeta", "unknown_field"}, {"alpha", "unknown_field"}},
         Kind::kMalformed},
        // Only the malformed errors: "evnts" leaves "events" missing, which is noise.
        {"UnknownHidesInvalid",
         R"({"url":"http://x","evnts":["call"]})",
         {{"evnts", "unknown_field"}},
         Kind::kMalformed},
        {"UnknownNested",
         body_with(
             R"({"auth":{"type":"api_key","location":"header","foo":1,
                         "keys":[{"name":"K","value":"v","x":1}]},
                      "headers":[{"key":"X-A"},{"key":"X-B","x":2}],"filters":{"foo":[]}})"),
         {{"auth.foo", "unknown_field"},
          {"auth.keys[0].x", "unknown_field"},
          {"headers[1].x", "unknown_field"},
          {"filters.foo", "unknown_field"}},
         Kind::kMalformed},
        {"NameNotString", body_with(R"({"name":5})"), {{"name", "invalid_type"}}},
        {"DescriptionNotString", body_with(R"({"description":[]})"), {{"description", "invalid_type"}}},
        {"UrlNull", body_with(R"({"url":null})"), {{"url", "invalid_type"}}},
        {"UrlNumber", body_with(R"({"url":5})"), {{"url", "invalid_type"}}},
        {"UrlMissing", body_with("{}", {"url"}), {{"url", "required"}}},
        {"UrlEmpty", body_with(R"({"url":""})"), {{"url", "required"}}},
        {"UrlHttp", body_with(R"({"url":"http://example.com"})"), {{"url", "https_required"}}},
        {"UrlUppercaseScheme", body_with(R"({"url":"HTTPS://example.com"})"), {}},
        {"UrlNoHost", body_with(R"({"url":"https://"})"), {{"url", "invalid_url"}}},
        {"AuthNotObject", body_with(R"({"auth":"none"})"), {{"auth", "invalid_type"}}},
        {"HeadersNotArray", body_with(R"({"headers":{}})"), {{"headers", "invalid_type"}}},
        {"EventsNotArray", body_with(R"({"events":"call"})"), {{"events", "invalid_type"}}},
        {"EventsNull", body_with(R"({"events":null})"), {{"events", "invalid_type"}}},
        {"FiltersNotObject", body_with(R"({"filters":[]})"), {{"filters", "invalid_type"}}},
        {"SecretNumber", body_with(R"({"secret":5})"), {{"secret", "invalid_type"}}},
        {"SecretBool", body_with(R"({"secret":true})"), {{"secret", "invalid_type"}}},
        {"OptionalNulls",
         body_with(R"({"name":null,"description":null,"auth":null,"headers":null,
                                        "filters":null,"secret":null})"),
         {}},
        {"EveryTypeWrongAtOnce",
         R"({"name":1,"description":2,"url":3,"auth":4,"headers":5,"events":6,"filters":7,"secret":8})",
         {{"name", "invalid_type"},
          {"description", "invalid_type"},
          {"url", "invalid_type"},
          {"auth", "invalid_type"},
          {"headers", "invalid_type"},
          {"events", "invalid_type"},
          {"filters", "invalid_type"},
          {"secret", "invalid_type"}}},
        // Reported in field order whatever the order of the body.
        {"SeveralErrorsInFieldOrder",
         R"({"secret":"nope","filters":{"direction":["up"]},"events":["call.nope"],
             "headers":[{"key":"X-A"},{"key":"x-a"}],"auth":{"type":"basic","username":"u"},
             "url":"http://example.com","description":5,"name":")" +
             text_of(limits::kMaxNameLength + 1) + R"("})",
         {{"name", "too_long"},
          {"description", "invalid_type"},
          {"url", "https_required"},
          {"auth.password", "required"},
          {"headers[1].key", "duplicate_key"},
          {"events[0]", "unknown_event"},
          {"filters.direction[0]", "invalid_value"},
          {"secret", "invalid_secret"}}},
    }),
    testing::CaseName());

INSTANTIATE_TEST_SUITE_P(
    Text, CreateBodyTest,
    ::testing::ValuesIn(std::vector<BodyCase>{
        {"NameAtLimit", body_with(R"({"name":)" + json_string(text_of(limits::kMaxNameLength)) + "}"), {}},
        {"NameOverLimit",
         body_with(R"({"name":)" + json_string(text_of(limits::kMaxNameLength + 1)) + "}"),
         {{"name", "too_long"}}},
        // Characters, not bytes: 255 two-byte characters fit.
        {"NameMultibyteAtLimit",
         body_with(R"({"name":)" + json_string(text_of(limits::kMaxNameLength, "\xc3\xa9")) + "}"),
         {}},
        {"NameMultibyteOverLimit",
         body_with(R"({"name":)" + json_string(text_of(limits::kMaxNameLength + 1, "\xc3\xa9")) + "}"),
         {{"name", "too_long"}}},
        {"DescriptionAtLimit",
         body_with(R"({"description":)" + json_string(text_of(limits::kMaxDescriptionLength)) + "}"),
         {}},
        {"DescriptionOverLimit",
         body_with(R"({"description":)" + json_string(text_of(limits::kMaxDescriptionLength + 1)) + "}"),
         {{"description", "too_long"}}},
        {"UrlAtLimit",
         body_with(R"({"url":)" + json_string("https://example.com/" + text_of(limits::kMaxUrlLength - 20)) +
                   "}"),
         {}},
        {"UrlOverLimit",
         body_with(R"({"url":)" + json_string("https://example.com/" + text_of(limits::kMaxUrlLength - 19)) +
                   "}"),
         {{"url", "too_long"}}},
    }),
    testing::CaseName());

INSTANTIATE_TEST_SUITE_P(
    Events, CreateBodyTest,
    ::testing::ValuesIn(std::vector<BodyCase>{
        {"Missing", body_with("{}", {"events"}), {{"events", "required"}}},
        {"EmptyArray", body_with(R"({"events":[]})"), {{"events", "required"}}},
        {"Unknown", body_with(R"({"events":["call.nope"]})"), {{"events[0]", "unknown_event"}}},
        {"CaseMatters",
         body_with(R"({"events":["CALL.END","Call"]})"),
         {{"events[0]", "unknown_event"}, {"events[1]", "unknown_event"}}},
        {"EachBadItemByIndex",
         body_with(R"({"events":["call.end","x",5,null,"whatsapp","message.nope"]})"),
         {{"events[1]", "unknown_event"},
          {"events[2]", "invalid_type"},
          {"events[3]", "invalid_type"},
          {"events[5]", "unknown_event"}}},
    }),
    testing::CaseName());

struct EventsCase {
  std::string name;
  std::string events;                      // JSON array
  std::vector<std::string_view> expected;  // event types
  friend std::ostream& operator<<(std::ostream& out, const EventsCase& c) { return out << c.name; }
};

std::vector<std::string_view> all_types() {
  std::vector<std::string_view> out;
  for (const EventTypeInfo& info : event_catalog()) out.push_back(info.type);
  return out;
}

class CreateEventsTest : public ::testing::TestWithParam<EventsCase> {};

TEST_P(CreateEventsTest, ExpandsAndOrders) {
  const auto result = parse_webhook_create(parse_json(body_with(R"({"events":)" + GetParam().events + "}")));
  ASSERT_TRUE(result.has_value()) << ::testing::PrintToString(testing::errors_of(result));
  const std::vector<std::string> expected(GetParam().expected.begin(), GetParam().expected.end());
  EXPECT_EQ(result->spec.events, expected);
}

INSTANTIATE_TEST_SUITE_P(Table, CreateEventsTest,
                         ::testing::ValuesIn(std::vector<EventsCase>{
                             {"One", R"(["call.answered"])", {"call.answered"}},
                             {"CallGroup", R"(["call"])", events_in_group("call")},
                             {"WhatsappGroup", R"(["whatsapp"])", events_in_group("whatsapp")},
                             {"BothGroups", R"(["whatsapp","call"])", all_types()},
                             {"CatalogOrder",
                              R"(["message.received","call.disposition","call.summary"])",
                              {"call.summary", "call.disposition", "message.received"}},
                             {"Duplicates", R"(["call.end","call.end","call.end"])", {"call.end"}},
                             {"GroupAndMember", R"(["call.end","call","call.initiated"])",
                              events_in_group("call")},
                             {"GroupTwice", R"(["whatsapp","whatsapp"])", events_in_group("whatsapp")},
                             {"GroupPlusOther",
                              R"(["conversation.close","call"])",
                              {"call.initiated", "call.dial_begin", "call.answered", "call.end",
                               "call.summary", "call.disposition", "conversation.close"}},
                         }),
                         testing::CaseName());

std::string values(std::size_t count, std::string_view prefix) {
  std::string out = "[";
  for (std::size_t i = 0; i < count; ++i) {
    out += (i ? ",\"" : "\"") + std::string(prefix) + std::to_string(i) + "\"";
  }
  return out + "]";
}

INSTANTIATE_TEST_SUITE_P(
    Filters, CreateBodyTest,
    ::testing::ValuesIn(std::vector<BodyCase>{
        {"Directions", body_with(R"({"filters":{"direction":["inbound","outbound"]}})"), {}},
        {"BadDirection",
         body_with(R"({"filters":{"direction":["inbound","sideways","Inbound",""]}})"),
         {{"filters.direction[1]", "invalid_value"},
          {"filters.direction[2]", "invalid_value"},
          {"filters.direction[3]", "invalid_value"}}},
        {"ListNotArray",
         body_with(R"({"filters":{"direction":"inbound"}})"),
         {{"filters.direction", "invalid_type"}}},
        {"ItemNotString",
         body_with(R"({"filters":{"agent_ids":["a",7]}})"),
         {{"filters.agent_ids[1]", "invalid_type"}}},
        {"EmptyValue",
         body_with(R"({"filters":{"department_ids":[""]}})"),
         {{"filters.department_ids[0]", "invalid_value"}}},
        {"ValueAtLimit",
         body_with(R"({"filters":{"agent_ids":[)" + json_string(text_of(limits::kMaxFilterValueLength)) +
                   "]}}"),
         {}},
        {"ValueOverLimit",
         body_with(R"({"filters":{"agent_ids":[)" + json_string(text_of(limits::kMaxFilterValueLength + 1)) +
                   "]}}"),
         {{"filters.agent_ids[0]", "too_long"}}},
        {"CountAtLimit",
         body_with(R"({"filters":{"agent_ids":)" + values(limits::kMaxFilterValues, "a") + "}}"),
         {}},
        {"CountOverLimit",
         body_with(R"({"filters":{"department_ids":)" + values(limits::kMaxFilterValues + 1, "d") + "}}"),
         {{"filters.department_ids", "too_many"}}},
        {"NullLists",
         body_with(R"({"filters":{"direction":null,"department_ids":null,"agent_ids":null}})"),
         {}},
        {"EmptyObject", body_with(R"({"filters":{}})"), {}},
    }),
    testing::CaseName());

TEST(CreateFiltersTest, DeduplicatedInFirstSeenOrder) {
  const auto result = parse_webhook_create(parse_json(body_with(
      R"({"filters":{"direction":["outbound","inbound","outbound"],"department_ids":["d2","d1","d2","d1"],
          "agent_ids":["a1","A1","a1"]}})")));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->spec.filters.direction, (std::vector<std::string>{"outbound", "inbound"}));
  EXPECT_EQ(result->spec.filters.department_ids, (std::vector<std::string>{"d2", "d1"}));
  EXPECT_EQ(result->spec.filters.agent_ids,
            (std::vector<std::string>{"a1", "A1"}));  // ids are case-sensitive
}

const std::string kValidSecret = "whsec_" + crypto::base64_encode(std::string(32, '\x11'));

INSTANTIATE_TEST_SUITE_P(
    Secret, CreateBodyTest,
    ::testing::ValuesIn(std::vector<BodyCase>{
        {"Invalid", body_with(R"({"secret":"hunter2"})"), {{"secret", "invalid_secret"}}},
        {"TooShort",
         body_with(R"({"secret":"whsec_)" + crypto::base64_encode(std::string(23, 'x')) + "\"}"),
         {{"secret", "invalid_secret"}}},
        {"MaskedOnCreate", body_with(R"({"secret":"********"})"), {{"secret", "invalid_secret"}}},
        {"GenerateIsCaseSensitive", body_with(R"({"secret":"Generate"})"), {{"secret", "invalid_secret"}}},
        {"Empty", body_with(R"({"secret":""})"), {{"secret", "invalid_secret"}}},
    }),
    testing::CaseName());

struct SecretChangeCase {
  std::string name;
  std::string overrides;
  SecretChange::Kind kind;
  std::string value;
  friend std::ostream& operator<<(std::ostream& out, const SecretChangeCase& c) { return out << c.name; }
};

class CreateSecretTest : public ::testing::TestWithParam<SecretChangeCase> {};

TEST_P(CreateSecretTest, Change) {
  const auto result = parse_webhook_create(parse_json(body_with(GetParam().overrides)));
  ASSERT_TRUE(result.has_value()) << ::testing::PrintToString(testing::errors_of(result));
  EXPECT_EQ(result->secret.kind, GetParam().kind);
  EXPECT_EQ(result->secret.value, GetParam().value);
}

INSTANTIATE_TEST_SUITE_P(Table, CreateSecretTest,
                         ::testing::ValuesIn(std::vector<SecretChangeCase>{
                             {"Absent", "{}", SecretChange::Kind::kKeep, ""},
                             {"Null", R"({"secret":null})", SecretChange::Kind::kKeep, ""},
                             {"Generate", R"({"secret":"generate"})", SecretChange::Kind::kGenerate, ""},
                             {"Set", R"({"secret":")" + kValidSecret + "\"}", SecretChange::Kind::kSet,
                              kValidSecret},
                         }),
                         testing::CaseName());

TEST(CreateTest, FullBodyGivesTheSpec) {
  const auto result = parse_webhook_create(parse_json(R"({
      "name":"CRM sync","description":"to the CRM","url":"https://crm.example.com/hooks",
      "auth":{"type":"api_key","location":"header","keys":[{"name":"X-Api-Key","value":"k1"}]},
      "headers":[{"key":"X-Source","value":"switchboard"},{"key":"X-Empty"}],
      "events":["call.summary","call.disposition","message.received"],
      "filters":{"direction":["inbound"],"department_ids":["dep1"],"agent_ids":["ag1"]},
      "secret":"generate"})"));
  ASSERT_TRUE(result.has_value()) << ::testing::PrintToString(testing::errors_of(result));
  WebhookSpec expected;
  expected.name = "CRM sync";
  expected.description = "to the CRM";
  expected.url = "https://crm.example.com/hooks";
  expected.auth.type = AuthType::kApiKey;
  expected.auth.location = ApiKeyLocation::kHeader;
  expected.auth.keys = {{"X-Api-Key", "k1"}};
  expected.headers = {{"X-Source", "switchboard"}, {"X-Empty", ""}};
  expected.events = {"call.summary", "call.disposition", "message.received"};
  expected.filters = {{"inbound"}, {"dep1"}, {"ag1"}};
  EXPECT_EQ(result->spec, expected);
  EXPECT_EQ(result->secret.kind, SecretChange::Kind::kGenerate);
}

TEST(CreateTest, DefaultsForOmittedOptionalFields) {
  const auto result = parse_webhook_create(parse_json(testing::kValidBase));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->spec.name, "");
  EXPECT_EQ(result->spec.description, "");
  EXPECT_EQ(result->spec.auth, WebhookAuth{});
  EXPECT_EQ(result->spec.auth.type, AuthType::kNone);
  EXPECT_TRUE(result->spec.headers.empty());
  EXPECT_EQ(result->spec.filters, WebhookFilters{});
  EXPECT_EQ(result->secret.kind, SecretChange::Kind::kKeep);
}

TEST(CreateTest, UrlIsKeptAsSent) {
  const auto result =
      parse_webhook_create(parse_json(body_with(R"({"url":"HTTPS://Example.com/Hook?a=1"})")));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->spec.url, "HTTPS://Example.com/Hook?a=1");
}

TEST(CreateTest, MessagesForTheUser) {
  const auto result = parse_webhook_create(parse_json(R"({"url":"http://example.com","events":["call"],
      "headers":[{"key":"X-A"},{"key":"x-a"}]})"));
  ASSERT_FALSE(result.has_value());
  const std::vector<FieldError> expected = {
      {"url", "https_required", "Valid HTTPS URL required."},
      {"headers[1].key", "duplicate_key", "Duplicate header key \"x-a\"."},
  };
  EXPECT_EQ(result.error().errors, expected);
}

TEST(CreateTest, InvalidBodyMessage) {
  const auto result = parse_webhook_create(parse_json("[1]"));
  ASSERT_FALSE(result.has_value());
  ASSERT_EQ(result.error().errors.size(), 1u);
  EXPECT_EQ(result.error().errors[0].field, "");
  EXPECT_EQ(result.error().errors[0].code, "invalid_body");
  EXPECT_EQ(result.error().errors[0].message, "The request body must be a JSON object.");
}

}  // namespace
}  // namespace switchboard::model
