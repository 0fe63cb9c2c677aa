// The queue checks and the v1 outcome state, as tables.
#include "store/common/attempt_rules.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace switchboard::store {
namespace {

const TimePoint kNow{std::chrono::milliseconds(1'700'000'000'000)};

struct ClaimCase {
  std::string name;
  int limit;
  TimePoint lease_until;
  int chain_depth;
  bool ok;
  friend std::ostream& operator<<(std::ostream& out, const ClaimCase& c) { return out << c.name; }
};

class ClaimCheckTest : public ::testing::TestWithParam<ClaimCase> {};

TEST_P(ClaimCheckTest, Checks) {
  const ClaimCase& c = GetParam();
  Result<void> checked = check_claim(kNow, c.limit, c.lease_until, c.chain_depth);
  EXPECT_EQ(checked.has_value(), c.ok);
  if (!c.ok) {
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, ClaimCheckTest,
                         ::testing::ValuesIn(std::vector<ClaimCase>{
                             {"Valid", 1, kNow + std::chrono::seconds(1), 1, true},
                             {"DeepChain", 100, kNow + std::chrono::milliseconds(1), 8, true},
                             {"ZeroLimit", 0, kNow + std::chrono::seconds(1), 1, false},
                             {"NegativeLimit", -1, kNow + std::chrono::seconds(1), 1, false},
                             {"ZeroDepth", 1, kNow + std::chrono::seconds(1), 0, false},
                             {"LeaseEndsNow", 1, kNow, 1, false},
                             {"LeaseInThePast", 1, kNow - std::chrono::seconds(1), 1, false},
                         }),
                         [](const auto& info) { return info.param.name; });

TEST(CheckPage, LimitMustBePositive) {
  EXPECT_TRUE(check_page(PageRequest{1, ""}).has_value());
  EXPECT_TRUE(check_page(PageRequest{}).has_value());
  EXPECT_EQ(check_page(PageRequest{0, ""}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(check_page(PageRequest{-5, "x"}).error().code, ErrorCode::kInvalidArgument);
}

TEST(CheckV1Claim, LimitMustBePositive) {
  EXPECT_TRUE(check_v1_claim(1).has_value());
  EXPECT_EQ(check_v1_claim(0).error().code, ErrorCode::kInvalidArgument);
}

struct OutcomeCase {
  std::string name;
  std::string attempt_id, delivery_id;
  int attempt;
  bool ok;
  friend std::ostream& operator<<(std::ostream& out, const OutcomeCase& c) { return out << c.name; }
};

class OutcomeCheckTest : public ::testing::TestWithParam<OutcomeCase> {};

TEST_P(OutcomeCheckTest, Checks) {
  const OutcomeCase& c = GetParam();
  AttemptOutcome outcome;
  outcome.attempt.id = c.attempt_id;
  outcome.attempt.delivery_id = c.delivery_id;
  outcome.attempt.attempt = c.attempt;
  Result<void> checked = check_outcome(outcome);
  EXPECT_EQ(checked.has_value(), c.ok);
  if (!c.ok) {
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, OutcomeCheckTest,
                         ::testing::ValuesIn(std::vector<OutcomeCase>{
                             {"Valid", "att_1", "dlv_1", 1, true},
                             {"LaterAttempt", "att_1", "dlv_1", 26, true},
                             {"NoAttemptId", "", "dlv_1", 1, false},
                             {"NoDeliveryId", "att_1", "", 1, false},
                             {"AttemptZero", "att_1", "dlv_1", 0, false},
                         }),
                         [](const auto& info) { return info.param.name; });

struct V1StateCase {
  std::string name;
  bool delivered;
  std::optional<TimePoint> next_attempt_at;
  std::string_view state;
  friend std::ostream& operator<<(std::ostream& out, const V1StateCase& c) { return out << c.name; }
};

class V1StateTest : public ::testing::TestWithParam<V1StateCase> {};

TEST_P(V1StateTest, After) {
  V1AttemptOutcome outcome;
  outcome.delivered = GetParam().delivered;
  outcome.next_attempt_at = GetParam().next_attempt_at;
  EXPECT_EQ(v1_state_column_after(outcome), GetParam().state);
}

INSTANTIATE_TEST_SUITE_P(Table, V1StateTest,
                         ::testing::ValuesIn(std::vector<V1StateCase>{
                             {"Delivered", true, std::nullopt, "delivered"},
                             {"RetryDue", false, kNow, "pending"},
                             {"RetriesSpent", false, std::nullopt, "dropped"},
                         }),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace switchboard::store
