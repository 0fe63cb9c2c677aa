#include "model/v1_webhook.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "model/sample_events.h"
#include "model/webhook_input_test_util.h"

namespace switchboard::model {
namespace {

namespace json = boost::json;

TEST(V1TypeForEvent, MapsTheCallLifecycle) {
  struct Row {
    std::string_view event;
    std::optional<V1Type> type;
  };
  const Row rows[] = {
      {"call.initiated", V1Type::kIncall},
      {"call.dial_begin", V1Type::kIncall},
      {"call.answered", V1Type::kIncall},
      {"call.end", V1Type::kAfterCall},
      {"call.disposition", V1Type::kDisposition},
      {"call.summary", std::nullopt},
      {"message.sent", std::nullopt},
      {"", std::nullopt},
  };
  for (const Row& row : rows) EXPECT_EQ(v1_type_for_event(row.event), row.type) << row.event;
}

TEST(V1Payload, AllFieldsOfAnInboundCall) {
  json::object data = json::parse(R"({"call_id":"call_1","direction":"inbound","from":"+919876543210",
    "to":"+911140000000","status":"ringing","started_at":"2026-11-22T10:24:22Z",
    "legs":[{"number":"+919876543210","role":"customer","state":"answered","started_at":"2026-11-22T10:24:22Z"},
            {"number":"+918586848544","role":"agent","state":"ringing","started_at":"2026-11-22T10:24:23Z"}],
    "ivr":{"id":"5ee9a795b318a786"},"client_ref_id":"custom_xyz"})")
                          .as_object();
  auto payload = json::parse(v1_payload_json("call.dial_begin", "cmp_1", data, {}));
  const json::object& m = payload.at("myoperator").as_object();
  EXPECT_EQ(m.at("uid"), "call_1");
  EXPECT_EQ(m.at("company_id"), "cmp_1");
  EXPECT_EQ(m.at("clid"), "+919876543210");
  EXPECT_EQ(m.at("call_state"), "2");
  EXPECT_EQ(m.at("event"), "1");
  EXPECT_EQ(m.at("users"), json::array({"918586848544"}));
  EXPECT_EQ(m.at("public_ivr_id"), "5ee9a795b318a786");
  EXPECT_EQ(m.at("client_ref_id"), "custom_xyz");
  EXPECT_EQ(m.size(), v1_legacy_fields().size());
}

TEST(V1Payload, OutboundClidIsTheCalledCustomer) {
  json::object data = {{"call_id", "c"}, {"direction", "outbound"}, {"from", "+911"}, {"to", "+912"}};
  auto values = v1_field_values("call.end", "cmp", data, {"clid", "event", "call_state"});
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0].second, "+912");
  EXPECT_EQ(values[1].second, "2");
  EXPECT_EQ(values[2].second, "4");
}

TEST(V1Payload, SelectedFieldsOnlyInTheirOrder) {
  auto data = sample_event_data("call.disposition");
  auto payload = json::parse(v1_payload_json("call.disposition", "cmp_9", data, {"event", "uid"}));
  const json::object& m = payload.at("myoperator").as_object();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.begin()->key(), "event");
  EXPECT_EQ(m.at("event"), "3");
  EXPECT_EQ(m.at("uid"), data.at("call_id"));
}

TEST(V1Payload, AbsentValuesAreNullAndQueryFormJoinsArrays) {
  json::object data = {{"call_id", "c"},
                       {"legs", json::array({json::object{{"number", "+91111"}, {"role", "agent"}},
                                             json::object{{"number", "+91222"}, {"role", "agent"}}})}};
  auto payload = json::parse(v1_payload_json("call.answered", "cmp", data, {"public_ivr_id"}));
  EXPECT_TRUE(payload.at("myoperator").at("public_ivr_id").is_null());
  auto query = v1_query_fields("call.answered", "cmp", data, {"uid", "users", "client_ref_id"});
  ASSERT_EQ(query.size(), 3u);
  EXPECT_EQ(query[0], (std::pair<std::string, std::string>{"uid", "c"}));
  EXPECT_EQ(query[1], (std::pair<std::string, std::string>{"users", "91111,91222"}));
  EXPECT_EQ(query[2], (std::pair<std::string, std::string>{"client_ref_id", ""}));
}

TEST(V1Payload, EverySampleCallEventMapsWithoutNullUid) {
  for (std::string_view type :
       {"call.initiated", "call.dial_begin", "call.answered", "call.end", "call.disposition"}) {
    auto data = sample_event_data(type);
    auto payload = json::parse(v1_payload_json(type, "cmp", data, {}));
    EXPECT_TRUE(payload.at("myoperator").at("uid").is_string()) << type;
    EXPECT_NE(payload.at("myoperator").at("call_state"), "") << type;
  }
}

struct InputRow {
  const char* body;
  const char* field;  // "" = valid
  const char* code;
};

TEST(V1WebhookInput, CreateValidation) {
  const InputRow rows[] = {
      {R"({"type":"incall","url":"https://example.com/h"})", "", ""},
      {R"({"type":"after_call","url":"https://example.com/h","method":"GET","fields":["uid","clid"],
          "headers":[{"key":"X-Token","value":"abc"}],"query":[{"key":"k","value":"v"}],"enabled":false})",
       "", ""},
      {R"({"url":"https://example.com/h"})", "type", "required"},
      {R"({"type":"calls","url":"https://example.com/h"})", "type", "invalid_value"},
      {R"({"type":"incall"})", "url", "required"},
      {R"({"type":"incall","url":"http://example.com/h"})", "url", "https_required"},
      {R"({"type":"incall","url":"https://example.com/h","fields":["uid","nope"]})", "fields[1]",
       "unknown_field_name"},
      {R"({"type":"incall","url":"https://example.com/h","fields":["uid","uid"]})", "fields[1]",
       "duplicate_key"},
      {R"({"type":"incall","url":"https://example.com/h","method":"PUT"})", "method", "invalid_value"},
      {R"({"type":"incall","url":"https://example.com/h","enabled":"yes"})", "enabled", "invalid_type"},
      {R"({"type":"incall","url":"https://example.com/h","headers":[{"key":"Bad Name","value":"x"}]})",
       "headers[0].key", "invalid_header_name"},
      {R"({"type":"incall","url":"https://example.com/h","headers":[{"key":"Content-Type","value":"x"}]})",
       "headers[0].key", "reserved_header"},
      {R"({"type":"incall","url":"https://example.com/h","query":[{"key":"a","value":""}]})",
       "query[0].value", "invalid_value"},
      {R"({"type":"incall","url":"https://example.com/h","extra":1})", "extra", "unknown_field"},
  };
  for (const InputRow& row : rows) {
    auto parsed = parse_v1_webhook_create(json::parse(row.body));
    if (std::string_view(row.field).empty()) {
      EXPECT_TRUE(parsed.has_value()) << row.body;
      continue;
    }
    ASSERT_FALSE(parsed.has_value()) << row.body;
    EXPECT_EQ(parsed.error().errors.at(0).field, row.field) << row.body;
    EXPECT_EQ(parsed.error().errors.at(0).code, row.code) << row.body;
    // Only a member the contract does not know makes the body malformed (400); the rest is 422.
    EXPECT_EQ(parsed.error().kind == InputFailure::Kind::kMalformed,
              std::string_view(row.code) == "unknown_field")
        << row.body;
  }
}

TEST(V1WebhookInput, HttpsMessageIsTheV2One) {
  auto parsed = parse_v1_webhook_create(json::parse(R"({"type":"incall","url":"ftp://x"})"));
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().errors.at(0).message, kHttpsRequiredMessage);
}

TEST(V1WebhookInput, PatchKeepsMaskedValuesAndUntouchedFields) {
  V1WebhookSpec current;
  current.type = V1Type::kIncall;
  current.url = "https://example.com/a";
  current.headers = {{"X-Token", "secret-1"}};
  current.fields = {"uid"};
  auto parsed = parse_v1_webhook_patch(
      json::parse(R"({"headers":[{"key":"X-Token","value":"********"},{"key":"X-Other","value":"2"}]})"),
      current);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->headers, (std::vector<V1Param>{{"X-Token", "secret-1"}, {"X-Other", "2"}}));
  EXPECT_EQ(parsed->url, current.url);
  EXPECT_EQ(parsed->fields, current.fields);
  auto masked_new =
      parse_v1_webhook_patch(json::parse(R"({"query":[{"key":"new","value":"********"}]})"), current);
  EXPECT_FALSE(masked_new.has_value());
}

// Issue 12 item 5 for v1: a PATCH moving the URL to another origin must enter
// again (or remove) every stored header/query value it would keep.
struct V1OriginCase {
  std::string name;
  std::string body;                  // the PATCH
  std::vector<testing::Err> errors;  // of v1_credentials_for_new_origin, in order
  friend std::ostream& operator<<(std::ostream& out, const V1OriginCase& c) { return out << c.name; }
};

class V1NewOriginRuleTest : public ::testing::TestWithParam<V1OriginCase> {};

TEST_P(V1NewOriginRuleTest, Errors) {
  V1WebhookSpec current;
  current.type = V1Type::kAfterCall;
  current.url = "https://crm.example.com/hooks";
  current.headers = {{"Authorization", "Bearer owner-token"}, {"X-Tenant", "acme"}};
  current.query = {{"api_key", "owner-key"}};
  std::vector<std::string> kept;
  auto parsed = parse_v1_webhook_patch(json::parse(GetParam().body), current, &kept);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().errors.at(0).field;
  std::vector<testing::Err> got;
  for (const FieldError& e : v1_credentials_for_new_origin(current.url, *parsed, kept)) {
    EXPECT_FALSE(e.message.empty());
    got.push_back(testing::Err{e.field, e.code});
  }
  EXPECT_EQ(got, GetParam().errors);
}

const std::vector<testing::Err> kAllV1Kept{{"headers[0].value", "credentials_required"},
                                           {"headers[1].value", "credentials_required"},
                                           {"query[0].value", "credentials_required"}};

INSTANTIATE_TEST_SUITE_P(
    Table, V1NewOriginRuleTest,
    ::testing::ValuesIn(std::vector<V1OriginCase>{
        // Same origin: everything is kept, nothing asked.
        {"NoUrl", R"({"enabled":false})", {}},
        {"SameOriginOtherPath", R"({"url":"https://crm.example.com/v2?x=1"})", {}},
        {"SameOriginDefaultPortAndCase", R"({"url":"https://CRM.example.com:443/hooks"})", {}},
        {"SameOriginMaskedValues",
         R"({"url":"https://crm.example.com/b","headers":[{"key":"Authorization","value":"********"}]})",
         {}},
        // Another origin, only the URL: every stored value is asked for.
        {"OtherHostOnlyUrl", R"({"url":"https://attacker.example.net/hooks"})", kAllV1Kept},
        {"OtherPortOnlyUrl", R"({"url":"https://crm.example.com:8443/hooks"})", kAllV1Kept},
        {"SubdomainOnlyUrl", R"({"url":"https://evil.crm.example.com/hooks"})", kAllV1Kept},
        // Sent back masked: asked for, on the index of the body.
        {"OtherHostMaskedSentBack",
         R"({"url":"https://attacker.example.net/h","headers":[{"key":"X-Tenant","value":"********"},)"
         R"({"key":"Authorization","value":"********"}],"query":[{"key":"api_key","value":"********"}]})",
         {{"headers[0].value", "credentials_required"},
          {"headers[1].value", "credentials_required"},
          {"query[0].value", "credentials_required"}}},
        // Entered again in clear or removed: fine; only what is still kept is asked.
        {"OtherHostAllEnteredAgain",
         R"({"url":"https://new.example.net/h","headers":[{"key":"Authorization","value":"Bearer new"},)"
         R"({"key":"X-Tenant","value":"acme"}],"query":[{"key":"api_key","value":"new-key"}]})",
         {}},
        {"OtherHostAllRemoved", R"({"url":"https://new.example.net/h","headers":[],"query":[]})", {}},
        {"OtherHostHeadersEnteredQueryLeftOut",
         R"({"url":"https://new.example.net/h","headers":[{"key":"Authorization","value":"Bearer new"}]})",
         {{"query[0].value", "credentials_required"}}},
        {"OtherHostOneMaskedOneNew",
         R"({"url":"https://new.example.net/h","headers":[{"key":"Authorization","value":"Bearer new"},)"
         R"({"key":"X-Tenant","value":"********"}],"query":[]})",
         {{"headers[1].value", "credentials_required"}}},
    }),
    testing::CaseName());

}  // namespace
}  // namespace switchboard::model
