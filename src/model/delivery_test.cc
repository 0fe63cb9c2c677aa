#include "model/delivery.h"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::model {
namespace {

const TimePoint kThen = TimePoint(std::chrono::milliseconds(1'790'000'000'000));
const TimePoint kNow = kThen + std::chrono::hours(30);

TEST(RedeliveryTest, ANewPendingDeliveryOfTheSameEventInTheSameChainWithAFreshWindow) {
  Delivery original;
  original.id = "dlv_old";
  original.company_id = "cmp_a";
  original.webhook_id = "wh_1";
  original.event_id = "evt_1";
  original.event_type = "call.answered";
  original.ordering_key = "call:1";
  original.sequence = 7;
  original.state = DeliveryState::kExhausted;
  original.attempts = 9;
  original.event_time = kThen;
  original.next_attempt_at.reset();
  original.last_status_code = 503;
  original.last_error = "http_status";
  original.created_at = original.updated_at = kThen;

  const Delivery d = redelivery_of(original, "dlv_new", kNow);
  EXPECT_EQ(d.id, "dlv_new");
  EXPECT_EQ(d.company_id, "cmp_a");
  EXPECT_EQ(d.webhook_id, "wh_1");
  EXPECT_EQ(d.event_id, "evt_1");
  EXPECT_EQ(d.event_type, "call.answered");
  EXPECT_EQ(d.ordering_key, "call:1");
  EXPECT_EQ(d.sequence, 7);
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_EQ(d.attempts, 0);
  EXPECT_EQ(d.event_time, kNow) << "the 24 h window starts again";
  EXPECT_EQ(d.next_attempt_at, kNow);
  EXPECT_EQ(d.last_status_code, std::nullopt);
  EXPECT_EQ(d.last_error, "");
  EXPECT_EQ(d.created_at, kNow);
  EXPECT_EQ(d.updated_at, kNow);
}

TEST(PendingDeliveryTest, OnlyASequencedEventIsOrdered) {
  struct Case {
    std::optional<std::int64_t> sequence;
    std::string ordering_key;
  };
  for (const Case& c : std::vector<Case>{{3, "call:1"}, {std::nullopt, ""}}) {
    Event event;
    event.id = "evt_1";
    event.company_id = "cmp_a";
    event.type = "call.answered";
    event.sequence_key = "call:1";
    event.sequence = c.sequence;
    const Delivery d = pending_delivery("dlv_1", event, "wh_1", kNow, kThen);
    EXPECT_EQ(d.id, "dlv_1");
    EXPECT_EQ(d.company_id, "cmp_a");
    EXPECT_EQ(d.webhook_id, "wh_1");
    EXPECT_EQ(d.event_id, "evt_1");
    EXPECT_EQ(d.event_type, "call.answered");
    EXPECT_EQ(d.ordering_key, c.ordering_key);
    EXPECT_EQ(d.sequence, c.sequence);
    EXPECT_EQ(d.state, DeliveryState::kPending);
    EXPECT_EQ(d.event_time, kThen) << "the window starts where the caller says";
    EXPECT_EQ(d.next_attempt_at, kNow);
    EXPECT_EQ(d.created_at, kNow);
  }
}

}  // namespace
}  // namespace switchboard::model

namespace switchboard::model {
namespace {

TEST(AttemptErrorSpellingTest, EveryKindHasOneSpellingThatParsesBack) {
  const std::vector<std::pair<AttemptError, std::string_view>> table = {
      {AttemptError::kNone, "none"},         {AttemptError::kHttpStatus, "http_status"},
      {AttemptError::kTimeout, "timeout"},   {AttemptError::kConnect, "connect"},
      {AttemptError::kTls, "tls"},           {AttemptError::kDns, "dns"},
      {AttemptError::kRedirect, "redirect"}, {AttemptError::kRefused, "refused"},
      {AttemptError::kOther, "other"},
  };
  for (const auto& [kind, spelling] : table) {
    EXPECT_EQ(to_string(kind), spelling);
    EXPECT_EQ(parse_attempt_error(spelling), kind) << spelling;
  }
  for (std::string_view unknown : {"", "TIMEOUT", "http", "none "}) {
    EXPECT_EQ(parse_attempt_error(unknown), std::nullopt) << unknown;
  }
}

TEST(AttemptErrorSpellingTest, FailureKindsAreAllButNoneInTableOrder) {
  const std::vector<AttemptError> expected = {
      AttemptError::kHttpStatus, AttemptError::kTimeout,  AttemptError::kConnect, AttemptError::kTls,
      AttemptError::kDns,        AttemptError::kRedirect, AttemptError::kRefused, AttemptError::kOther};
  auto kinds = attempt_failure_kinds();
  EXPECT_EQ(std::vector<AttemptError>(kinds.begin(), kinds.end()), expected);
}

}  // namespace
}  // namespace switchboard::model
