#include "model/recover_job.h"

#include <gtest/gtest.h>

#include <vector>

namespace switchboard::model {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

TEST(RecoverJobTest, StatusSpellingsRoundTrip) {
  for (auto status : {RecoverStatus::kRunning, RecoverStatus::kDone, RecoverStatus::kFailed}) {
    EXPECT_EQ(parse_recover_status(to_string(status)), status);
  }
  EXPECT_EQ(to_string(RecoverStatus::kRunning), "running");
  EXPECT_EQ(parse_recover_status("Running"), std::nullopt);
  EXPECT_EQ(parse_recover_status(""), std::nullopt);
}

TEST(RecoverJobTest, SinceMustBeInThePastAndWithinTheDataKept) {
  const TimePoint now = TimePoint(milliseconds(1'790'000'000'000));
  struct Case {
    milliseconds offset;  // since - now
    RecoverSinceCheck expected;
  };
  const std::vector<Case> cases = {
      {milliseconds(0), RecoverSinceCheck::kOk},
      {milliseconds(1), RecoverSinceCheck::kInFuture},
      {hours(1), RecoverSinceCheck::kInFuture},
      {-hours(1), RecoverSinceCheck::kOk},
      {-hours(720), RecoverSinceCheck::kOk},
      {-hours(720) - milliseconds(1), RecoverSinceCheck::kTooOld},
      {-hours(10000), RecoverSinceCheck::kTooOld},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(check_recover_since(now + c.offset, now, hours(720)), c.expected) << c.offset.count();
  }
}

}  // namespace
}  // namespace switchboard::model
