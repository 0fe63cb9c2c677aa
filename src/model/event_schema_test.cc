#include "model/event_schema.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <functional>

#include "model/event_catalog.h"
#include "model/sample_events.h"

namespace switchboard::model {
namespace {

namespace json = boost::json;

constexpr std::string_view kRemove = "<remove>";

// The sample data of `type` (valid) with the value at JSON pointer `pointer`
// replaced by `value_json` (or removed with kRemove).
json::object mutated(std::string_view type, std::string_view pointer, std::string_view value_json) {
  json::value data = sample_event_data(type);
  if (pointer.empty()) return data.as_object();
  const auto slash = pointer.rfind('/');
  const std::string_view parent_pointer = pointer.substr(0, slash);
  const std::string key(pointer.substr(slash + 1));
  boost::system::error_code ec;
  json::value* parent = parent_pointer.empty() ? &data : data.find_pointer(parent_pointer, ec);
  EXPECT_NE(parent, nullptr) << pointer;
  if (!parent) return {};
  if (parent->is_array()) {
    parent->as_array().at(std::stoul(key)) = json::parse(value_json);
  } else if (value_json == kRemove) {
    parent->as_object().erase(key);
  } else {
    parent->as_object()[key] = json::parse(value_json);
  }
  return data.as_object();
}

std::vector<FieldError> validate(std::string_view type, const json::object& data) {
  const EventSchema* schema = find_event_schema(type);
  EXPECT_NE(schema, nullptr) << type;
  return schema ? validate_event_data(*schema, data) : std::vector<FieldError>{};
}

TEST(EventSchemaTest, OneSchemaPerCatalogEventInCatalogOrder) {
  const auto& schemas = event_schemas();
  ASSERT_EQ(schemas.size(), event_catalog().size());
  for (std::size_t i = 0; i < schemas.size(); ++i) {
    EXPECT_EQ(schemas[i].type, event_catalog()[i].type);
    EXPECT_EQ(find_event_schema(schemas[i].type), &schemas[i]);
  }
  EXPECT_EQ(find_event_schema("call.started"), nullptr);
}

TEST(EventSchemaTest, EveryFieldIsDescribed) {
  std::function<void(const std::vector<FieldSpec>&, const std::string&)> walk;
  walk = [&](const std::vector<FieldSpec>& fields, const std::string& path) {
    for (const FieldSpec& f : fields) {
      EXPECT_FALSE(f.description.empty()) << path << "." << f.name;
      if (f.kind == FieldKind::kEnum) {
        EXPECT_FALSE(f.values.empty()) << path << "." << f.name;
      }
      walk(f.fields, path + "." + f.name);
    }
  };
  for (const EventSchema& schema : event_schemas()) walk(schema.fields, std::string(schema.type));
}

// The key every event is sequenced by is required in every schema.
TEST(EventSchemaTest, SequenceKeysAreRequired) {
  for (const EventTypeInfo& info : event_catalog()) {
    const std::string key = info.group == "call" ? "call_id" : "conversation_id";
    const auto errors = validate(info.type, mutated(info.type, "/" + key, kRemove));
    ASSERT_FALSE(errors.empty()) << info.type;
    EXPECT_EQ(errors[0].field, "data." + key);
    EXPECT_EQ(errors[0].code, "required");
  }
}

TEST(EventSchemaTest, SamplesAreValid) {
  for (const EventTypeInfo& info : event_catalog()) {
    const auto errors = validate(info.type, sample_event_data(info.type));
    EXPECT_TRUE(errors.empty()) << info.type << ": " << errors[0].field << " " << errors[0].message;
  }
}

struct Row {
  std::string_view type;
  std::string_view pointer;
  std::string_view value;
  std::string_view field;  // "" when the data stays valid
  std::string_view code;
};

// One row per rule: the sample data with one change, and the first error it must give.
const Row kRows[] = {
    // Identifiers and strings.
    {"call.initiated", "/call_id", "5", "data.call_id", "invalid_type"},
    {"call.initiated", "/call_id", R"("")", "data.call_id", "required"},
    {"call.initiated", "/call_id",
     R"("cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc1")",
     "data.call_id", "too_long"},
    {"call.initiated", "/call_id", "null", "data.call_id", "required"},
    // Enumerations.
    {"call.initiated", "/direction", kRemove, "data.direction", "required"},
    {"call.initiated", "/direction", R"("sideways")", "data.direction", "invalid_value"},
    {"call.initiated", "/direction", R"("outbound")", "", ""},
    {"call.initiated", "/status", R"("completed")", "data.status", "invalid_value"},
    {"call.dial_begin", "/status", R"("in_progress")", "", ""},  // dialing a transfer target
    {"call.answered", "/status", R"("ringing")", "data.status", "invalid_value"},
    {"call.end", "/status", R"("in_progress")", "data.status", "invalid_value"},
    {"call.end", "/status", R"("missed")", "", ""},
    {"call.end", "/hangup_by", R"("nobody")", "data.hangup_by", "invalid_value"},
    // Phone numbers.
    {"call.initiated", "/from", R"("12ab")", "data.from", "invalid_phone"},
    {"call.initiated", "/from", R"("+")", "data.from", "invalid_phone"},
    {"call.initiated", "/from", R"("+123456789012345678901")", "data.from", "invalid_phone"},
    {"call.initiated", "/from", R"("anonymous")", "", ""},
    {"call.initiated", "/from", R"("918586848544")", "", ""},
    {"call.initiated", "/to", kRemove, "data.to", "required"},
    // Times.
    {"call.initiated", "/started_at", kRemove, "data.started_at", "required"},
    {"call.initiated", "/started_at", R"("yesterday")", "data.started_at", "invalid_time"},
    {"call.initiated", "/started_at", "1763805819", "data.started_at", "invalid_type"},
    {"call.initiated", "/started_at", R"("2026-11-22T15:33:40+05:30")", "", ""},
    {"call.answered", "/answered_at", R"("2026-11-22T10:00:00.000Z")", "data.answered_at", "invalid_value"},
    {"call.end", "/ended_at", R"("2026-11-22T10:03:50.000Z")", "data.ended_at", "invalid_value"},
    {"call.end", "/legs/1/ended_at", R"("2026-11-22T10:00:00.000Z")", "data.legs[1].ended_at",
     "invalid_value"},
    {"call.end", "/legs/1/answered_at", R"("2026-11-22T10:03:00.000Z")", "data.legs[1].answered_at",
     "invalid_value"},
    // What ended events must carry, and what earlier events need not.
    {"call.end", "/ended_at", kRemove, "data.ended_at", "required"},
    {"call.end", "/duration_sec", kRemove, "data.duration_sec", "required"},
    {"call.summary", "/ended_at", kRemove, "data.ended_at", "required"},
    {"call.answered", "/duration_sec", kRemove, "", ""},
    {"call.end", "/answered_at", kRemove, "", ""},        // telephony may not know it
    {"call.end", "/legs/1/answered_at", "null", "", ""},  // nor per leg
    {"call.end", "/recording_url", kRemove, "", ""},
    // Integers.
    {"call.end", "/duration_sec", "-1", "data.duration_sec", "invalid_type"},
    {"call.end", "/duration_sec", "1.5", "data.duration_sec", "invalid_type"},
    {"call.end", "/duration_sec", R"("42")", "data.duration_sec", "invalid_type"},
    {"call.end", "/duration_sec", "42.0", "", ""},
    // Legs.
    {"call.initiated", "/legs", kRemove, "data.legs", "required"},
    {"call.initiated", "/legs", "[]", "data.legs", "too_few"},
    {"call.initiated", "/legs", R"("legs")", "data.legs", "invalid_type"},
    {"call.initiated", "/legs/0", R"("leg")", "data.legs[0]", "invalid_type"},
    {"call.initiated", "/legs/0/role", R"("supervisor")", "data.legs[0].role", "invalid_value"},
    {"call.initiated", "/legs/0/number", kRemove, "data.legs[0].number", "required"},
    {"call.initiated", "/legs/0/state", R"("on_hold")", "data.legs[0].state", "invalid_value"},
    {"call.initiated", "/legs/0/started_at", kRemove, "data.legs[0].started_at", "required"},
    {"call.dial_begin", "/legs/1/agent_id", "7", "data.legs[1].agent_id", "invalid_type"},
    {"call.end", "/legs/1/state", R"("ringing")", "data.legs[1].state", "invalid_value"},
    {"call.end", "/legs/1/ended_at", kRemove, "data.legs[1].ended_at", "required"},
    {"call.answered", "/legs",
     R"([{"number":"+919800000009","role":"agent","state":"ringing","started_at":"2026-11-22T10:03:52Z"}])",
     "data.legs", "invalid_value"},
    // Recording, IVR, queue.
    {"call.end", "/recording_url", "null", "", ""},
    {"call.end", "/recording_url", R"("ftp://rec.example.com/a.mp3")", "data.recording_url", "invalid_url"},
    {"call.end", "/recording_url", R"("recording.mp3")", "data.recording_url", "invalid_url"},
    {"call.end", "/recording_url", R"("https://rec.example.com/a.mp3")", "", ""},
    {"call.initiated", "/ivr", R"("main")", "data.ivr", "invalid_type"},
    {"call.initiated", "/ivr/id", kRemove, "data.ivr.id", "required"},
    {"call.initiated", "/ivr/inputs", "[1]", "data.ivr.inputs[0]", "invalid_type"},
    {"call.initiated", "/ivr/inputs",
     R"(["1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1",
         "1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1","1"])",
     "data.ivr.inputs", "too_many"},
    {"call.initiated", "/queue/name", kRemove, "data.queue.name", "required"},
    {"call.initiated", "/queue/wait_sec", R"("3")", "data.queue.wait_sec", "invalid_type"},
    // call.summary: agent_id/department_id as published, agent{}/department{} as enriched.
    {"call.summary", "/agent", kRemove, "", ""},
    {"call.summary", "/agent", R"("Asha")", "data.agent", "invalid_type"},
    {"call.summary", "/agent/email", "5", "data.agent.email", "invalid_type"},
    {"call.summary", "/department/id", R"("")", "data.department.id", "invalid_value"},
    {"call.summary", "/agent_id", "[]", "data.agent_id", "invalid_type"},
    // call.disposition.
    {"call.disposition", "/disposition", kRemove, "data.disposition", "required"},
    {"call.disposition", "/agent_id", kRemove, "data.agent_id", "required"},
    {"call.disposition", "/status", R"("in_progress")", "data.status", "invalid_value"},
    {"call.disposition", "/from", kRemove, "", ""},
    // Unknown fields pass through.
    {"call.end", "/custom", R"({"crm_id":7,"tags":["a"]})", "", ""},
    {"message.sent", "/custom", "true", "", ""},
    // Messages.
    {"message.sent", "/message_id", kRemove, "data.message_id", "required"},
    {"message.sent", "/status", R"("read")", "data.status", "invalid_value"},
    {"message.sent", "/timestamp", kRemove, "data.timestamp", "required"},
    {"message.sent", "/direction", R"("inbound")", "data.direction", "invalid_value"},
    {"message.received", "/direction", R"("outbound")", "data.direction", "invalid_value"},
    {"message.sent", "/message_type", R"("fax")", "data.message_type", "invalid_value"},
    {"message.received", "/message_type", kRemove, "data.message_type", "required"},
    {"message.delivered", "/message_type", kRemove, "", ""},
    {"message.read", "/text", kRemove, "", ""},
    {"message.sent", "/text", kRemove, "data.text", "required"},
    {"message.sent", "/message_type", R"("template")", "data.template", "required"},
    {"message.sent", "/template", R"({"name":"offer"})", "data.template.language", "required"},
    {"message.sent", "/template", R"({"name":"offer","language":"en","category":"spam"})",
     "data.template.category", "invalid_value"},
    {"message.sent", "/media", R"({"url":"photo.jpg"})", "data.media.url", "invalid_url"},
    {"message.failed", "/failure_code", kRemove, "data.failure_code", "required"},
    {"message.failed", "/failure_code", R"("oops")", "data.failure_code", "invalid_value"},
    {"message.failed", "/failure_reason", kRemove, "data.failure_reason", "required"},
    // Campaign messages.
    {"message.sent", "/source", R"("lccmpapi")", "data.myop_ref_id", "required"},
    {"message.link_tracking", "/source", R"("lccmpapi")", "data.myop_ref_id", "required"},
    {"message.sent", "/source", R"("agent")", "", ""},
    // Tracked links.
    {"message.link_tracking", "/url", kRemove, "data.url", "required"},
    {"message.link_tracking", "/url", R"("not a url")", "data.url", "invalid_url"},
    {"message.link_tracking", "/customer_number", kRemove, "data.customer_number", "required"},
    // Conversations.
    {"conversation.assign", "/agent_id", kRemove, "data.agent_id", "required"},
    {"conversation.assign", "/timestamp", R"("now")", "data.timestamp", "invalid_time"},
    {"conversation.close", "/closed_by", R"("bot")", "data.closed_by", "invalid_value"},
    {"conversation.close", "/message_count", "-3", "data.message_count", "invalid_type"},
};

TEST(EventSchemaTest, OneRowPerRule) {
  for (const Row& row : kRows) {
    SCOPED_TRACE(std::string(row.type) + " " + std::string(row.pointer) + " = " + std::string(row.value));
    const auto errors = validate(row.type, mutated(row.type, row.pointer, row.value));
    if (row.field.empty()) {
      EXPECT_TRUE(errors.empty()) << errors[0].field << " " << errors[0].code << ": " << errors[0].message;
      continue;
    }
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors[0].field, row.field);
    EXPECT_EQ(errors[0].code, row.code);
    EXPECT_NE(errors[0].message.find(std::string(row.field)), std::string::npos) << errors[0].message;
  }
}

TEST(EventSchemaTest, ReportsEveryBrokenRuleWithItsPath) {
  const auto errors = validate(
      "call.end",
      json::parse(
          R"({"call_id":"c1","direction":"in","from":"x","legs":[{"role":"boss","state":"answered"}]})")
          .as_object());
  std::vector<std::string> got;
  for (const auto& e : errors) got.push_back(e.field + ":" + e.code);
  const std::vector<std::string> expected = {
      "data.direction:invalid_value",
      "data.from:invalid_phone",
      "data.to:required",
      "data.status:required",
      "data.started_at:required",
      "data.ended_at:required",
      "data.duration_sec:required",
      "data.legs[0].number:required",
      "data.legs[0].role:invalid_value",
      "data.legs[0].state:invalid_value",
      "data.legs[0].started_at:required",
      "data.legs[0].ended_at:required",
  };
  EXPECT_EQ(got, expected);
}

TEST(EventSchemaTest, ErrorsAreBounded) {
  json::array legs;
  for (int i = 0; i < 45; ++i) legs.push_back(json::object{});  // five required fields missing in each
  auto data = sample_event_data("call.end");
  data["legs"] = legs;
  EXPECT_EQ(validate("call.end", data).size(), kMaxDataErrors);
}

TEST(EventSchemaTest, PhoneNumbers) {
  for (std::string_view ok :
       {"+919876543210", "918586848544", "101", "1", "anonymous", "+12345678901234567890"})
    EXPECT_TRUE(is_valid_phone(ok)) << ok;
  for (std::string_view bad :
       {"", "+", "++91", "+91 98765", "91-98765", "Anonymous", "+123456789012345678901", "abc"})
    EXPECT_FALSE(is_valid_phone(bad)) << bad;
}

TEST(EventSchemaTest, Urls) {
  for (std::string_view ok : {"https://example.com/a?b=1", "http://rec.example.com:8080/x.mp3"})
    EXPECT_TRUE(is_valid_event_url(ok)) << ok;
  for (std::string_view bad : {"", "example.com", "ftp://example.com", "https://", "mailto:a@example.com"})
    EXPECT_FALSE(is_valid_event_url(bad)) << bad;
  EXPECT_FALSE(is_valid_event_url("https://example.com/" + std::string(2048, 'a')));
}

TEST(EventSchemaTest, JsonSchemaListsRequiredFieldsAndAllowsNullForOptionalOnes) {
  const json::object schema = event_data_json_schema(*find_event_schema("call.end"));
  EXPECT_EQ(schema.at("type"), "object");
  const auto& required = schema.at("required").as_array();
  EXPECT_NE(std::find(required.begin(), required.end(), json::value("ended_at")), required.end());
  EXPECT_EQ(std::find(required.begin(), required.end(), json::value("recording_url")), required.end());
  const auto& props = schema.at("properties").as_object();
  EXPECT_EQ(props.at("direction").at("enum"), json::parse(R"(["inbound","outbound"])"));
  EXPECT_EQ(props.at("recording_url").at("type"), json::parse(R"(["string","null"])"));
  EXPECT_EQ(props.at("legs").at("items").at("properties").at("role").at("enum"),
            json::parse(R"(["agent","customer"])"));
  EXPECT_EQ(props.at("legs").at("minItems"), 1);
}

}  // namespace
}  // namespace switchboard::model
