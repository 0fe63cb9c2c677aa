// Table tests of the episode rules: each row is (open episodes, what is seen,
// threshold) -> (events sent, episodes after), on given times.
#include "alerts/episode_rules.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace switchboard::alerts {
namespace {

using model::WebhookStatus;
using E = OperationalEvent;
const TimePoint kT0 = TimePoint(std::chrono::milliseconds(1'800'000'000'000));
const TimePoint kEarlier = kT0 - std::chrono::minutes(30);

struct Open {
  bool failed = false, disabled = false, degraded = false;
  std::optional<TimePoint> quiet;
};

store::WebhookEpisodes episodes(const Open& open) {
  store::WebhookEpisodes e{"co_1", "wh_1"};
  if (open.failed) e.failed_since = kEarlier;
  if (open.disabled) e.disabled_since = kEarlier;
  if (open.degraded) e.degraded_since = kEarlier;
  e.quiet_since = open.quiet;
  return e;
}

struct Row {
  std::string name;
  Open before;
  WebhookStatus status;
  bool gone;
  int attempts, succeeded;
  std::vector<E> send;
  Open after;  // opened ones carry kT0, kept ones kEarlier (checked by presence)
};

TEST(EpisodeRules, Table) {
  const store::DegradedThreshold threshold;  // < 90 % of >= 20
  const std::vector<Row> rows = {
      {"healthy stays quiet", {}, WebhookStatus::kActive, false, 100, 100, {}, {}},
      {"turned failed sends failed", {}, WebhookStatus::kFailed, false, 0, 0, {E::kWebhookFailed}, {true}},
      {"still failed sends nothing", {true}, WebhookStatus::kFailed, false, 0, 0, {}, {true}},
      {"re-enabled after failed recovers",
       {true},
       WebhookStatus::kActive,
       false,
       30,
       0,
       {E::kWebhookRecovered},
       {false, false, false, kT0}},
      {"gone sends disabled", {}, WebhookStatus::kInactive, true, 5, 0, {E::kWebhookDisabled}, {false, true}},
      {"still gone sends nothing", {false, true}, WebhookStatus::kInactive, true, 5, 0, {}, {false, true}},
      {"paused by an admin is no alert", {}, WebhookStatus::kInactive, false, 50, 0, {}, {}},
      {"re-enabled after gone recovers",
       {false, true},
       WebhookStatus::kActive,
       false,
       0,
       0,
       {E::kWebhookRecovered},
       {false, false, false, kT0}},
      {"89 % of 100 is degraded",
       {},
       WebhookStatus::kActive,
       false,
       100,
       89,
       {E::kWebhookDegraded},
       {false, false, true}},
      {"90 % of 100 is not", {}, WebhookStatus::kActive, false, 100, 90, {}, {}},
      {"0 of 19 is too few to tell", {}, WebhookStatus::kActive, false, 19, 0, {}, {}},
      {"0 of 20 is degraded",
       {},
       WebhookStatus::kActive,
       false,
       20,
       0,
       {E::kWebhookDegraded},
       {false, false, true}},
      {"still degraded sends nothing",
       {false, false, true},
       WebhookStatus::kActive,
       false,
       100,
       10,
       {},
       {false, false, true}},
      {"back at 90 % recovers",
       {false, false, true},
       WebhookStatus::kActive,
       false,
       100,
       90,
       {E::kWebhookRecovered},
       {}},
      {"degraded with too few attempts stays open",
       {false, false, true},
       WebhookStatus::kActive,
       false,
       5,
       5,
       {},
       {false, false, true}},
      {"degraded then failed sends failed",
       {false, false, true},
       WebhookStatus::kFailed,
       false,
       0,
       0,
       {E::kWebhookFailed},
       {true, false, true}},
      {"failed and degraded re-enabled: one recovered",
       {true, false, true},
       WebhookStatus::kActive,
       false,
       0,
       0,
       {E::kWebhookRecovered},
       {false, false, false, kT0}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    Decision d =
        decide(episodes(row.before), {row.status, row.gone, row.attempts, row.succeeded, kT0}, threshold);
    EXPECT_EQ(d.send, row.send);
    EXPECT_EQ(d.next.failed_since.has_value(), row.after.failed);
    EXPECT_EQ(d.next.disabled_since.has_value(), row.after.disabled);
    EXPECT_EQ(d.next.degraded_since.has_value(), row.after.degraded);
    EXPECT_EQ(d.next.quiet_since, row.after.quiet);
    if (row.after.failed && !row.before.failed) {
      EXPECT_EQ(d.next.failed_since, kT0);
    }
  }
}

TEST(EpisodeRules, ThresholdIsConfigurable) {
  const store::DegradedThreshold strict{99, 5, std::chrono::minutes(5)};
  EXPECT_TRUE(below_threshold(5, 4, strict));
  EXPECT_FALSE(below_threshold(4, 0, strict));
  EXPECT_FALSE(below_threshold(100, 99, strict));
  EXPECT_TRUE(at_or_above_threshold(100, 99, strict));
  EXPECT_FALSE(at_or_above_threshold(0, 0, strict));
}

TEST(EpisodeRules, DegradedWindowStartsNoEarlierThanTheLastReEnable) {
  const store::DegradedThreshold threshold;  // 15 min
  store::WebhookEpisodes e{"co_1", "wh_1"};
  EXPECT_EQ(degraded_window_start(e, kT0, threshold), kT0 - std::chrono::minutes(15));
  e.quiet_since = kT0 - std::chrono::minutes(3);
  EXPECT_EQ(degraded_window_start(e, kT0, threshold), kT0 - std::chrono::minutes(3));
  e.quiet_since = kT0 - std::chrono::hours(3);
  EXPECT_EQ(degraded_window_start(e, kT0, threshold), kT0 - std::chrono::minutes(15));
}

TEST(EpisodeRules, ExhaustedReportsAreAggregatedPerInterval) {
  const auto interval = std::chrono::minutes(15);
  struct Case {
    int pending;
    std::optional<TimePoint> sent;
    bool due;
  };
  const std::vector<Case> cases = {
      {0, std::nullopt, false},
      {1, std::nullopt, true},
      {7, kT0 - std::chrono::minutes(14), false},
      {7, kT0 - std::chrono::minutes(15), true},
      {0, kT0 - std::chrono::hours(1), false},
  };
  for (const Case& c : cases) {
    store::WebhookEpisodes e{"co_1", "wh_1"};
    e.exhausted_pending = c.pending;
    e.exhausted_sent_at = c.sent;
    EXPECT_EQ(exhausted_report_due(e, kT0, interval), c.due) << c.pending;
  }
}

}  // namespace
}  // namespace switchboard::alerts
