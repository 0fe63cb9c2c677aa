#include "model/event_input.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/time_format.h"
#include "model/event_catalog.h"
#include "model/event_input_json.h"
#include "model/limits.h"
#include "model/sample_events.h"

namespace switchboard::model {
namespace {

const OccurredAtRange kAnyTime = OccurredAtRange::unbounded();

TEST(EventInputTest, AcceptsACallEventAndExtractsItsKeys) {
  auto r = parse_event(
      boost::json::parse(
          R"({"type":"call.answered","occurred_at":"2026-11-22T10:03:59.120Z","idempotency_key":"k1",
          "data":{"call_id":"c1","direction":"inbound","from":"+919800000001","to":"+918000000002",
                  "status":"in_progress","started_at":"2026-11-22T10:03:40Z",
                  "legs":[{"number":"+919800000009","role":"agent","state":"answered",
                           "started_at":"2026-11-22T10:03:52Z"}],
                  "department":{"id":"dep_1"},"agent_id":"agt_1","n":1.0}})"),
      kAnyTime);
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
    auto r = parse_event(body, kAnyTime);
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
  auto r = parse_event(boost::json::object{{"type", "call.end"}, {"occurred_at", "soon"}, {"data", data}},
                       kAnyTime);
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
    auto r = parse_event(boost::json::parse(c.body), kAnyTime);
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
    auto r = parse_event(boost::json::parse(c.body), kAnyTime);
    ASSERT_FALSE(r.has_value()) << c.body;
    EXPECT_EQ(r.error().kind, c.kind) << c.body;
    ASSERT_FALSE(r.error().errors.empty());
    EXPECT_EQ(r.error().errors[0].field, c.field) << c.body;
    EXPECT_EQ(r.error().errors[0].code, c.code) << c.body;
  }
}

// A publish body as text: a valid call.end with `fields` (JSON text, e.g. "\"n\":1") added to its data.
std::string call_end_body(std::string_view fields) {
  std::string data = boost::json::serialize(sample_event_data("call.end"));
  data.pop_back();  // '}'
  return R"({"type":"call.end","data":)" + data + "," + std::string(fields) + "}}";
}

InputResult<EventInput> publish_text(std::string_view body, const OccurredAtRange& range = kAnyTime) {
  boost::system::error_code ec;
  auto value = parse_ingest_json(body, limits::kMaxJsonDepth, ec);
  EXPECT_FALSE(ec) << ec.message() << ": " << body;
  return parse_event(value, range);
}

// Issue 12 item 3: numbers at and around every boundary, spelled every way.
// "" as `delivered` means refused with `code`.
TEST(EventInputNumbersTest, EveryNumberIsDeliveredWithItsPublishedValueOrRefused) {
  struct Case {
    std::string published;
    std::string delivered;  // its spelling in data_json; "" when refused
    std::string code;       // when refused
  };
  const std::vector<Case> cases = {
      // ±(2^53 − 1) and one beyond, however spelled.
      {"9007199254740991", "9007199254740991", ""},
      {"-9007199254740991", "-9007199254740991", ""},
      {"9007199254740992", "", "unsafe_integer"},
      {"-9007199254740992", "", "unsafe_integer"},
      {"9007199254740991.0", "9007199254740991", ""},
      {"9.007199254740991e15", "9007199254740991", ""},
      {"9.007199254740992E15", "", "unsafe_integer"},
      {"9007199254740991.5", "", "unsafe_integer"},
      {"90071992547409910e-1", "9007199254740991", ""},
      // 2^63 − 1, 2^63, 2^64 − 1, 2^64, −2^63, −2^63 − 1, 30 digits: Boost.JSON's int64/uint64/double.
      {"9223372036854775807", "", "unsafe_integer"},
      {"9223372036854775808", "", "unsafe_integer"},
      {"18446744073709551615", "", "unsafe_integer"},
      {"18446744073709551616", "", "unsafe_integer"},
      {"-9223372036854775808", "", "unsafe_integer"},
      {"-9223372036854775809", "", "unsafe_integer"},
      {"123456789012345678901234567890", "", "unsafe_integer"},
      {"-123456789012345678901234567890", "", "unsafe_integer"},
      // Exponents: the value decides, not the spelling.
      {"1e20", "", "unsafe_integer"},
      {"1E2", "100", ""},
      {"1.5e3", "1500", ""},
      {"100e-2", "1", ""},
      {"1e400", "", "unsafe_integer"},
      {"-1e400", "", "unsafe_integer"},
      {"1.7976931348623157e308", "", "unsafe_integer"},
      {"1e-400", "", "imprecise_number"},
      {"1e999999999", "", "unsafe_integer"},
      {"1e-999999999", "", "imprecise_number"},
      // Zero in every spelling is JSON.stringify's 0.
      {"0", "0", ""},
      {"-0", "0", ""},
      {"0.0", "0", ""},
      {"-0.0", "0", ""},
      {"0e7", "0", ""},
      // Fractions keep their value, in JavaScript's spelling.
      {"42.0", "42", ""},
      {"12.50", "12.5", ""},
      {"0.1", "0.1", ""},
      {"-926382.0315842781", "-926382.0315842781", ""},  // Boost.JSON alone read -926382.031584278
      {"0.14692838191928317", "0.14692838191928317", ""},
      {"0.30000000000000004", "0.30000000000000004", ""},
      {"0.000001", "0.000001", ""},
      {"1E-7", "1e-7", ""},
      {"1.5e-7", "1.5e-7", ""},
      {"5e-324", "5e-324", ""},
      {"123456789.125", "123456789.125", ""},
      // …or are refused when JavaScript would read another value.
      {"0.1000000000000000000001", "", "imprecise_number"},
      {"0.10000000000000001", "", "imprecise_number"},
      {"2.2250738585072011e-308", "", "imprecise_number"},
      {"9007199254740990.5", "", "imprecise_number"},
      {"-1.00000000000000000001", "", "imprecise_number"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.published);
    auto r = publish_text(call_end_body("\"n\":" + c.published));
    if (c.delivered.empty()) {
      ASSERT_FALSE(r.has_value());
      ASSERT_EQ(r.error().errors.size(), 1u);
      EXPECT_EQ(r.error().errors[0].field, "data.n");
      EXPECT_EQ(r.error().errors[0].code, c.code);
      EXPECT_EQ(classify_json_number(c.published).kind,
                c.code == "unsafe_integer" ? JsonNumberClass::kUnsafeInteger : JsonNumberClass::kImprecise);
    } else {
      ASSERT_TRUE(r.has_value()) << r.error().errors[0].field << " " << r.error().errors[0].code;
      EXPECT_TRUE(r->data_json.ends_with(",\"n\":" + c.delivered + "}")) << r->data_json;
      EXPECT_EQ(classify_json_number(c.published).kind, JsonNumberClass::kExact);
    }
  }
}

// Data already in JSON.stringify form is kept byte for byte, whatever it holds.
TEST(EventInputNumbersTest, CanonicalDataIsKeptByteForByte) {
  const std::string extra =
      R"("n":[9007199254740991,-9007199254740991,0,-1,0.1,-926382.0315842781,1.5e-7,1e-7,5e-324,)"
      R"(123456789.125,0.30000000000000004],"s":"caf\u00e9 \"q\" \\ \n \u001f €","o":{"a":{"b":[{"c":1.25}]}})";
  auto r = publish_text(call_end_body(extra));
  ASSERT_TRUE(r.has_value()) << r.error().errors[0].field;
  std::string expected = boost::json::serialize(sample_event_data("call.end"));
  expected.pop_back();
  // The body's \u00e9 is the raw UTF-8 é in JSON.stringify form.
  std::string canonical_extra = extra;
  canonical_extra.replace(canonical_extra.find("\\u00e9"), 6, "\xc3\xa9");
  EXPECT_EQ(r->data_json, expected + "," + canonical_extra + "}");
}

TEST(EventInputNumbersTest, RefusedNumbersAreReportedWithTheirPathAnywhereInData) {
  struct Case {
    std::string fields;
    std::vector<std::string> errors;  // field:code, in order
  };
  const std::vector<Case> cases = {
      {R"("duration_sec":18446744073709551616)",
       {"data.duration_sec:unsafe_integer"}},  // only as unsafe, not also as "not an integer ≥ 0"
      {R"("x":{"legs":[1,2,{"duration":-9223372036854775809}]})", {"data.x.legs[2].duration:unsafe_integer"}},
      {R"("a":[[[1e400]]],"b":{"c":0.1000000000000000000001})",
       {"data.a[0][0][0]:unsafe_integer", "data.b.c:imprecise_number"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.fields);
    auto r = publish_text(call_end_body(c.fields));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, InputFailure::Kind::kInvalid);
    std::vector<std::string> got;
    for (const auto& e : r.error().errors) got.push_back(e.field + ":" + e.code);
    EXPECT_EQ(got, c.errors);
  }
}

TEST(EventInputNumbersTest, ARefusedNumberInASchemaFieldOfALegIsReportedOnce) {
  auto data = sample_event_data("call.end");
  data["legs"].as_array()[0].as_object()["duration_sec"] = "@N@";
  std::string body = boost::json::serialize(boost::json::object{{"type", "call.end"}, {"data", data}});
  body.replace(body.find("\"@N@\""), 5, "1e20");
  auto r = publish_text(body);
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(r.error().errors.size(), 1u);
  EXPECT_EQ(r.error().errors[0].field, "data.legs[0].duration_sec");
  EXPECT_EQ(r.error().errors[0].code, "unsafe_integer");
}

// Values built without parse_ingest_json (Boost.JSON's parser, code) are judged by value.
TEST(EventInputNumbersTest, ValuesFromBoostsOwnParserAreJudgedByValue) {
  for (std::string_view n : {"18446744073709551616", "-9223372036854775809", "1e20", "1e400",
                             "123456789012345678901234567890", "9007199254740992"}) {
    auto r = parse_event(boost::json::parse(call_end_body("\"n\":" + std::string(n))), kAnyTime);
    ASSERT_FALSE(r.has_value()) << n;
    EXPECT_EQ(r.error().errors[0].code, "unsafe_integer") << n;
  }
}

TEST(EventInputNumbersTest, ParseIngestJsonRefusesWhatBoostRefuses) {
  struct Case {
    std::string text;
    boost::json::error error;
  };
  const std::vector<Case> cases = {
      {"{", boost::json::error::incomplete},
      {"{} x", boost::json::error::extra_data},
      {std::string(33, '[') + std::string(33, ']'), boost::json::error::too_deep},
      // Boost.JSON refuses exponents it cannot count: a malformed body (400), not a number to judge.
      {"[1e99999999999999999999]", boost::json::error::exponent_overflow},
  };
  for (const auto& c : cases) {
    boost::system::error_code ec;
    parse_ingest_json(c.text, limits::kMaxJsonDepth, ec);
    EXPECT_EQ(ec, c.error) << c.text;
  }
  boost::system::error_code ec;
  auto v = parse_ingest_json(R"({"a":"x","b":[true,null,{"c":-5}],"a":2})", limits::kMaxJsonDepth, ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(boost::json::serialize(v),
            R"({"a":2,"b":[true,null,{"c":-5}]})");  // JSON.parse keeps the last "a"
}

// Issue 12 item 8: occurred_at within [now − 24 h, now + 5 min], scaled like the retry window.
TEST(EventInputOccurredAtTest, OccurredAtMustBeWithinTheWindowOfTheServersClock) {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  const TimePoint now = *parse_rfc3339("2026-12-02T01:00:00.000Z");
  struct Case {
    double time_scale;
    std::optional<std::string> occurred_at;
    bool accepted;
  };
  const auto at = [&](milliseconds offset) { return std::optional(format_rfc3339(now + offset)); };
  const std::vector<Case> cases = {
      {1, std::nullopt, true},  // absent: now
      {1, at(milliseconds(0)), true},
      {1, at(-hours(24)), true},
      {1, at(-hours(24) - milliseconds(1)), false},
      {1, at(-hours(23)), true},
      {1, at(minutes(5)), true},
      {1, at(minutes(5) + milliseconds(1)), false},
      {1, std::string("2020-01-01T00:00:00Z"), false},
      {1, std::string("9999-12-31T23:59:59.999Z"), false},
      {1, std::string("2026-12-02T06:29:00+05:30"), true},  // offsets count: 00:59 UTC
      {3600, at(-milliseconds(24000)), true},               // 24 h / 3600
      {3600, at(-milliseconds(24001)), false},
      {3600, at(milliseconds(83)), true},  // 5 min / 3600 ≈ 83 ms
      {3600, at(milliseconds(84)), false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message() << "scale " << c.time_scale << " " << c.occurred_at.value_or("(absent)"));
    auto data = sample_event_data("call.end");
    boost::json::object body{{"type", "call.end"}, {"data", data}};
    if (c.occurred_at) body["occurred_at"] = *c.occurred_at;
    auto r = parse_event(body, OccurredAtRange::around(now, RetryPolicy::v2(c.time_scale)));
    ASSERT_EQ(r.has_value(), c.accepted) << (r ? "" : r.error().errors[0].message);
    if (!c.accepted) {
      ASSERT_EQ(r.error().errors.size(), 1u);
      EXPECT_EQ(r.error().errors[0].field, "occurred_at");
      EXPECT_EQ(r.error().errors[0].code, "occurred_at_out_of_range");
    }
  }
  auto r = parse_event(boost::json::object{{"type", "call.end"},
                                           {"occurred_at", "2020-01-01T00:00:00Z"},
                                           {"data", sample_event_data("call.end")}},
                       OccurredAtRange::around(now, RetryPolicy::v2()));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().errors[0].message,
            "occurred_at must be at most 24 h before and 5 min after the time it is received (between "
            "2026-12-01T01:00:00.000Z and 2026-12-02T01:05:00.000Z).");
}

TEST(EventInputOccurredAtTest, PolicyDurationsAreWrittenForPeople) {
  using namespace std::chrono;
  EXPECT_EQ(format_policy_duration(hours(24)), "24 h");
  EXPECT_EQ(format_policy_duration(minutes(5)), "5 min");
  EXPECT_EQ(format_policy_duration(hours(1) + minutes(52) + seconds(30)), "1 h 52 min 30 s");
  EXPECT_EQ(format_policy_duration(milliseconds(24000)), "24 s");
  EXPECT_EQ(format_policy_duration(milliseconds(83)), "83 ms");
  EXPECT_EQ(format_policy_duration(milliseconds(1875)), "1 s 875 ms");
}

}  // namespace
}  // namespace switchboard::model
