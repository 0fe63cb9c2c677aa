#include "receiver/canonical_json.h"

#include <gtest/gtest.h>

namespace switchboard::receiver {
namespace {

struct Case {
  std::string input;
  std::string expected;  // what Node.js 20 prints for JSON.stringify(JSON.parse(input))
};

class JsCanonicalTest : public ::testing::TestWithParam<Case> {};

TEST_P(JsCanonicalTest, MatchesNode) { EXPECT_EQ(js_canonical(GetParam().input), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    Numbers, JsCanonicalTest,
    ::testing::Values(Case{"0", "0"}, Case{"-0", "0"}, Case{"-0.0", "0"}, Case{"1", "1"}, Case{"-1", "-1"},
                      Case{"1.5", "1.5"}, Case{"0.1", "0.1"}, Case{"100", "100"}, Case{"1e21", "1e+21"},
                      Case{"1e20", "100000000000000000000"},
                      Case{"123456789012345678901", "123456789012345680000"}, Case{"1.0", "1"},
                      Case{"2.50", "2.5"}, Case{"1e-6", "0.000001"}, Case{"1e-7", "1e-7"},
                      Case{"0.000001234", "0.000001234"}, Case{"-1.5e-10", "-1.5e-10"},
                      Case{"12345678901234567890", "12345678901234567000"},
                      Case{"9007199254740993", "9007199254740992"},
                      Case{"1.7976931348623157e308", "1.7976931348623157e+308"}, Case{"5e-324", "5e-324"},
                      Case{"123.456e5", "12345600"}, Case{"0.30000000000000004", "0.30000000000000004"},
                      Case{"1E2", "100"}, Case{"3.14159265358979323846", "3.141592653589793"}));

INSTANTIATE_TEST_SUITE_P(
    Strings, JsCanonicalTest,
    ::testing::Values(
        Case{R"("a\u0001\u001f\b\f\n\r\t\u007f\u2028/\/é\u00e9\ud83d\ude00")",
             "\"a\\u0001\\u001f\\b\\f\\n\\r\\t\x7f\xe2\x80\xa8//\xc3\xa9\xc3\xa9\xf0\x9f\x98\x80\""},
        Case{R"("quote \" backslash \\ \u0041")", R"("quote \" backslash \\ A")"}));

INSTANTIATE_TEST_SUITE_P(Structure, JsCanonicalTest,
                         ::testing::Values(Case{R"( { "b" : 1 , "a" : [ true , false , null ] } )",
                                                R"({"b":1,"a":[true,false,null]})"},
                                           Case{R"({"z":{},"y":[]})", R"({"z":{},"y":[]})"},
                                           Case{R"([1,{"a":[{"b":2},3]},"x"])",
                                                R"([1,{"a":[{"b":2},3]},"x"])"}));

TEST(JsCanonicalTest, RefusesInvalidJsonAndDuplicateKeys) {
  EXPECT_EQ(js_canonical("{"), std::nullopt);
  EXPECT_EQ(js_canonical("{} {}"), std::nullopt);
  EXPECT_EQ(js_canonical("\"\xff\""), std::nullopt);
  EXPECT_EQ(js_canonical(R"("\ud800")"), std::nullopt);
  EXPECT_EQ(js_canonical("1e400"), std::nullopt);
  EXPECT_EQ(js_canonical(R"({"a":1,"a":2})"), std::nullopt);
  EXPECT_EQ(js_canonical(R"({"a":{"a":1},"b":{"a":2}})"), R"({"a":{"a":1},"b":{"a":2}})");
}

TEST(JsCanonicalTest, LongInputsArriveWhole) {
  const std::string long_string(100000, 'x');
  const std::string text = R"({"k":")" + long_string + R"(","n":)" + std::string(300, '1') + "}";
  const auto canonical = js_canonical(text);
  ASSERT_TRUE(canonical);
  EXPECT_EQ(canonical->substr(0, 100008), R"({"k":")" + long_string + R"(",)");
  // Node.js 20: JSON.stringify(JSON.parse("1".repeat(300))) === "1.1111111111111112e+299"
  EXPECT_EQ(canonical->substr(canonical->size() - 28), R"("n":1.1111111111111112e+299})");
}

}  // namespace
}  // namespace switchboard::receiver
