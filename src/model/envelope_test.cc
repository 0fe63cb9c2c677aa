#include "model/envelope.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace switchboard::model {
namespace {

// Expected strings are what node prints for JSON.stringify(JSON.parse(input)).
TEST(EnvelopeTest, SerializesLikeJsonStringify) {
  struct Case {
    std::string input;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {R"({ "b" : 1, "a" : [true, false, null] })", R"({"b":1,"a":[true,false,null]})"},
      {R"("tab\there \"q\" back\\slash")", R"("tab\there \"q\" back\\slash")"},
      {R"("\u0001\u001f\u007f\b\f\n\r")", "\"\\u0001\\u001f\x7f\\b\\f\\n\\r\""},
      {R"("\u00e9\u20ac\ud83d\ude00 /")", "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 /\""},
      {R"("\u2028")", "\"\xE2\x80\xA8\""},  // JSON.stringify leaves U+2028 raw
      {"1.0", "1"},
      {"-0.0", "0"},
      {"0.1", "0.1"},
      {"1.5e3", "1500"},
      {"100000000000000000000", "100000000000000000000"},
      {"1e21", "1e+21"},
      {"1.5e-7", "1.5e-7"},
      {"0.000001", "0.000001"},
      {"1e-6", "0.000001"},
      {"1e-7", "1e-7"},
      {"-2.5E+30", "-2.5e+30"},
      {"0.30000000000000004", "0.30000000000000004"},
      {"9007199254740991", "9007199254740991"},
      {"-42", "-42"},
      {"{}", "{}"},
      {"[]", "[]"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(to_js_json(boost::json::parse(c.input)), c.expected) << c.input;
  }
}

// Whatever double the parser produced, the output is its shortest round-trip
// form, so serializing what we printed gives the same bytes again: the
// property receivers rely on (JSON.stringify(JSON.parse(body)) === body).
TEST(EnvelopeTest, OutputIsAFixedPoint) {
  for (const char* input : {"123456789012345680000", "0.1e-300", "1.7976931348623157e308", "4.9e-324",
                            "3.141592653589793238462643383279", R"({"a":[1.25,-0.0,1e300,"\u0000"]})"}) {
    const std::string once = to_js_json(boost::json::parse(input));
    EXPECT_EQ(to_js_json(boost::json::parse(once)), once) << input;
  }
}

TEST(EnvelopeTest, ComposesTheEnvelopeInOrderAndOmitsMissingSequence) {
  Event event;
  event.id = "evt_1";
  event.type = "call.answered";
  event.sequence = 3;
  event.created_at = TimePoint(std::chrono::milliseconds(1795860239123));
  event.company_id = "cmp_1";
  EXPECT_EQ(compose_envelope(event, R"({"call_id":"c1"})"),
            R"({"event_id":"evt_1","event_type":"call.answered","event_sequence":3,)"
            R"("created_at":"2026-11-28T10:03:59.123Z","company_id":"cmp_1","data":{"call_id":"c1"}})");
  event.type = "call.disposition";
  event.sequence.reset();
  EXPECT_EQ(compose_envelope(event, "{}"),
            R"({"event_id":"evt_1","event_type":"call.disposition","created_at":"2026-11-28T10:03:59.123Z",)"
            R"("company_id":"cmp_1","data":{}})");
}

}  // namespace
}  // namespace switchboard::model
