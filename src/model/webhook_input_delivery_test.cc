// parse_webhook_create / parse_webhook_patch: the delivery controls
// (timeout_ms, max_in_flight, max_rate; issue 16 item 4).
#include <gtest/gtest.h>

#include <optional>

#include "model/limits.h"
#include "model/webhook_input.h"
#include "model/webhook_input_test_util.h"

namespace switchboard::model {
namespace {

using testing::BodyCase;
using testing::parse_json;

class DeliveryControlsTest : public ::testing::TestWithParam<BodyCase> {};

TEST_P(DeliveryControlsTest, Outcome) {
  const BodyCase& c = GetParam();
  testing::expect_outcome(parse_webhook_create(parse_json(c.body)), c);
}

std::string with(std::string_view members) { return testing::body_with(members); }

INSTANTIATE_TEST_SUITE_P(
    Table, DeliveryControlsTest,
    ::testing::ValuesIn(std::vector<BodyCase>{
        {"TimeoutMin", with(R"({"timeout_ms":1000})"), {}},
        {"TimeoutMax", with(R"({"timeout_ms":30000})"), {}},
        {"TimeoutBelow", with(R"({"timeout_ms":999})"), {{"timeout_ms", "invalid_value"}}},
        {"TimeoutAbove", with(R"({"timeout_ms":30001})"), {{"timeout_ms", "invalid_value"}}},
        {"TimeoutNegative", with(R"({"timeout_ms":-5})"), {{"timeout_ms", "invalid_value"}}},
        {"TimeoutHuge", with(R"({"timeout_ms":18446744073709551615})"), {{"timeout_ms", "invalid_value"}}},
        {"TimeoutString", with(R"({"timeout_ms":"5000"})"), {{"timeout_ms", "invalid_type"}}},
        {"TimeoutFraction", with(R"({"timeout_ms":1500.5})"), {{"timeout_ms", "invalid_type"}}},
        {"TimeoutNull", with(R"({"timeout_ms":null})"), {{"timeout_ms", "invalid_type"}}},
        {"InFlightOne", with(R"({"max_in_flight":1})"), {}},
        {"InFlightMax", with(R"({"max_in_flight":32})"), {}},
        {"InFlightZero", with(R"({"max_in_flight":0})"), {{"max_in_flight", "invalid_value"}}},
        {"InFlightAbove", with(R"({"max_in_flight":33})"), {{"max_in_flight", "invalid_value"}}},
        {"InFlightBool", with(R"({"max_in_flight":true})"), {{"max_in_flight", "invalid_type"}}},
        {"RateNull", with(R"({"max_rate":null})"), {}},
        {"RateOne", with(R"({"max_rate":1})"), {}},
        {"RateMax", with(R"({"max_rate":10000})"), {}},
        {"RateZero", with(R"({"max_rate":0})"), {{"max_rate", "invalid_value"}}},
        {"RateAbove", with(R"({"max_rate":10001})"), {{"max_rate", "invalid_value"}}},
        {"RateArray", with(R"({"max_rate":[50]})"), {{"max_rate", "invalid_type"}}},
        {"AllBroken",
         with(R"({"timeout_ms":0,"max_in_flight":0,"max_rate":0})"),
         {{"timeout_ms", "invalid_value"},
          {"max_in_flight", "invalid_value"},
          {"max_rate", "invalid_value"}}},
    }),
    testing::CaseName{});

TEST(DeliveryControls, DefaultsAreTodaysBehaviour) {
  auto input = parse_webhook_create(parse_json(testing::kValidBase));
  ASSERT_TRUE(input.has_value());
  EXPECT_EQ(input->spec.delivery.timeout_ms, limits::kMaxWebhookTimeoutMs);
  EXPECT_EQ(input->spec.delivery.timeout_ms, 30000);
  EXPECT_EQ(input->spec.delivery.max_in_flight, limits::kMaxWebhookInFlight);
  EXPECT_EQ(input->spec.delivery.max_rate, std::nullopt);
}

TEST(DeliveryControls, CreateTakesTheValues) {
  auto input =
      parse_webhook_create(parse_json(with(R"({"timeout_ms":5000,"max_in_flight":4,"max_rate":50})")));
  ASSERT_TRUE(input.has_value());
  EXPECT_EQ(input->spec.delivery, (DeliveryControls{5000, 4, 50}));
}

TEST(DeliveryControls, PatchKeepsAbsentMembersAndNullClearsTheRate) {
  WebhookSpec current;
  current.url = "https://example.com/hook";
  current.events = {"call.answered"};
  current.delivery = DeliveryControls{5000, 4, 50};
  auto kept = parse_webhook_patch(parse_json(R"({"name":"x"})"), current);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->spec.delivery, current.delivery);
  auto cleared = parse_webhook_patch(parse_json(R"({"max_rate":null,"timeout_ms":2000})"), current);
  ASSERT_TRUE(cleared.has_value());
  EXPECT_EQ(cleared->spec.delivery, (DeliveryControls{2000, 4, std::nullopt}));
}

}  // namespace
}  // namespace switchboard::model
