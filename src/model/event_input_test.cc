#include "model/event_input.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "model/event_catalog.h"
#include "model/sample_events.h"

namespace switchboard::model {
namespace {

TEST(EventInputTest, AcceptsACallEventAndExtractsItsKeys) {
  auto r = parse_event(boost::json::parse(
      R"({"type":"call.answered","occurred_at":"2026-11-22T10:03:59.120Z","idempotency_key":"k1",
          "data":{"call_id":"c1","direction":"inbound","from":"+919800000001","to":"+918000000002",
                  "status":"in_progress","started_at":"2026-11-22T10:03:40Z",
                  "legs":[{"number":"+919800000009","role":"agent","state":"answered",
                           "started_at":"2026-11-22T10:03:52Z"}],
                  "department":{"id":"dep_1"},"agent_id":"agt_1","n":1.0}})"));
  ASSERT_TRUE(r.has_value()) << r.error().errors[0].field << ": " << r.error().errors[0].message;
  EXPECT_EQ(r->type, "call.answered");
  EXPECT_TRUE(r->sequenced);
  EXPECT_EQ(r->sequence_key, "call:c1");
  EXPECT_EQ(r->idempotency_key, "k1");
  EXPECT_EQ(r->attributes.direction, "inbound");
  EXPECT_EQ(r->attributes.department_id, "dep_1");
  EXPECT_EQ(r->attributes.agent_id, "agt_1");
  EXPECT_EQ(r->data_json,
            R"({"call_id":"c1","direction":"inbound","from":"+919800000001","to":"+918000000002",)"
            R"("status":"in_progress","started_at":"2026-11-22T10:03:40Z",)"
            R"("legs":[{"number":"+919800000009","role":"agent","state":"answered",)"
            R"("started_at":"2026-11-22T10:03:52Z"}],"department":{"id":"dep_1"},"agent_id":"agt_1","n":1})");
}

// Every catalog type accepts its sample data, and only its own sequencing key.
TEST(EventInputTest, EverySampleIsAccepted) {
  for (const EventTypeInfo& info : event_catalog()) {
    boost::json::object body{{"type", info.type}, {"data", sample_event_data(info.type)}};
    auto r = parse_event(body);
    ASSERT_TRUE(r.has_value()) << info.type << ": " << r.error().errors[0].field << " "
                               << r.error().errors[0].message;
    EXPECT_EQ(r->sequenced, info.sequenced) << info.type;
  }
}

// A schema violation is reported with its data path, beside the envelope's own errors.
TEST(EventInputTest, ReportsSchemaErrorsWithDataPaths) {
  auto data = sample_event_data("call.end");
  data["legs"].as_array()[0].as_object()["role"] = "boss";
  data.erase("ended_at");
  auto r = parse_event(boost::json::object{{"type", "call.end"}, {"occurred_at", "soon"}, {"data", data}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, InputFailure::Kind::kInvalid);
  std::vector<std::string> fields;
  for (const auto& e : r.error().errors) fields.push_back(e.field + ":" + e.code);
  EXPECT_EQ(fields, (std::vector<std::string>{"occurred_at:invalid_value", "data.ended_at:required",
                                              "data.legs[0].role:invalid_value"}));
}

TEST(EventInputTest, SequencingFollowsTheCatalog) {
  struct Case {
    std::string body;
    bool sequenced;
    std::string key;
  };
  auto body = [](std::string_view type, std::string_view key, std::string_view id) {
    auto data = sample_event_data(type);
    data[key] = id;
    return boost::json::serialize(boost::json::object{{"type", type}, {"data", data}});
  };
  const std::vector<Case> cases = {
      {body("call.disposition", "call_id", "c1"), false, ""},
      {body("message.read", "conversation_id", "w1"), true, "conversation:w1"},
      {body("call.initiated", "call_id", "c9"), true, "call:c9"},
  };
  for (const auto& c : cases) {
    auto r = parse_event(boost::json::parse(c.body));
    ASSERT_TRUE(r.has_value()) << c.body;
    EXPECT_EQ(r->sequenced, c.sequenced) << c.body;
    EXPECT_EQ(r->sequence_key, c.key) << c.body;
  }
}

TEST(EventInputTest, RefusesBadEventsWithFieldErrors) {
  struct Case {
    std::string body;
    InputFailure::Kind kind;
    std::string field;
    std::string code;
  };
  const std::vector<Case> cases = {
      {R"([])", InputFailure::Kind::kMalformed, "", "invalid_body"},
      {R"({"type":"call.end","data":{"call_id":"c"},"extra":1})", InputFailure::Kind::kMalformed, "extra",
       "unknown_field"},
      {R"({"data":{"call_id":"c"}})", InputFailure::Kind::kInvalid, "type", "required"},
      {R"({"type":"call.started","data":{"call_id":"c"}})", InputFailure::Kind::kInvalid, "type",
       "unknown_event"},
      {R"({"type":7,"data":{"call_id":"c"}})", InputFailure::Kind::kInvalid, "type", "invalid_type"},
      {R"({"type":"call.end"})", InputFailure::Kind::kInvalid, "data", "required"},
      {R"({"type":"call.end","data":[]})", InputFailure::Kind::kInvalid, "data", "invalid_type"},
      {R"({"type":"call.end","data":{}})", InputFailure::Kind::kInvalid, "data.call_id", "required"},
      {R"({"type":"call.end","data":{"call_id":5}})", InputFailure::Kind::kInvalid, "data.call_id",
       "invalid_type"},
      {R"({"type":"message.sent","data":{"call_id":"c"}})", InputFailure::Kind::kInvalid,
       "data.conversation_id", "required"},
      {R"({"type":"call.end","occurred_at":"yesterday","data":{"call_id":"c"}})",
       InputFailure::Kind::kInvalid, "occurred_at", "invalid_value"},
      {R"({"type":"call.end","idempotency_key":"","data":{"call_id":"c"}})", InputFailure::Kind::kInvalid,
       "idempotency_key", "invalid_value"},
      {R"({"type":"call.end","data":{"call_id":"c","big":9007199254740992}})", InputFailure::Kind::kInvalid,
       "data.big", "unsafe_integer"},
      {R"({"type":"call.end","data":{"call_id":"c","x":[1,18446744073709551615]}})",
       InputFailure::Kind::kInvalid, "data.x[1]", "unsafe_integer"},
  };
  for (const auto& c : cases) {
    auto r = parse_event(boost::json::parse(c.body));
    ASSERT_FALSE(r.has_value()) << c.body;
    EXPECT_EQ(r.error().kind, c.kind) << c.body;
    ASSERT_FALSE(r.error().errors.empty());
    EXPECT_EQ(r.error().errors[0].field, c.field) << c.body;
    EXPECT_EQ(r.error().errors[0].code, c.code) << c.body;
  }
}

}  // namespace
}  // namespace switchboard::model
