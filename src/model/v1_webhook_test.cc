#include "model/v1_webhook.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "model/sample_events.h"

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

}  // namespace
}  // namespace switchboard::model
