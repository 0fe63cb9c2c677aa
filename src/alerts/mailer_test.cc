// The mailer on a scripted sender: retries with backoff, then records the
// channel's outcome; a full outbox drops with last_error.
#include "alerts/mailer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>

#include "common/test_clock.h"
#include "model/limits.h"

namespace switchboard::alerts {
namespace {

// Only what the mailer uses.
class OutcomeStore final : public store::AlertStore {
 public:
  std::mutex mutex;
  std::condition_variable cv;
  std::map<std::string, std::string> outcomes;  // channel -> error

  Result<void> record_alert_outcome(const std::string&, const std::string& channel_id,
                                    const std::string& error, TimePoint) override {
    std::lock_guard lock(mutex);
    outcomes[channel_id] = error;
    cv.notify_all();
    return {};
  }
  bool wait_for(const std::string& channel) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, std::chrono::seconds(30), [&] { return outcomes.count(channel) > 0; });
  }
  Result<void> create_alert_channel(const store::AlertChannel&, const std::optional<model::Webhook>&,
                                    int) override {
    return {};
  }
  Result<store::AlertChannel> get_alert_channel(const std::string&, const std::string&) override {
    return make_error(ErrorCode::kNotFound, "");
  }
  Result<std::vector<store::AlertChannel>> list_alert_channels(const std::string&) override {
    return std::vector<store::AlertChannel>{};
  }
  Result<void> update_alert_channel(const store::AlertChannel&) override { return {}; }
  Result<void> delete_alert_channel(const std::string&, const std::string&) override { return {}; }
  Result<store::DegradedThreshold> get_degraded_threshold(const std::string&) override {
    return store::DegradedThreshold{};
  }
  Result<void> set_degraded_threshold(const std::string&, const store::DegradedThreshold&) override {
    return {};
  }
  Result<store::WebhookEpisodes> get_episodes(const std::string&, const std::string&) override {
    return store::WebhookEpisodes{};
  }
  Result<bool> save_episodes(const store::WebhookEpisodes&) override { return true; }
  Result<std::vector<store::WebhookEpisodes>> list_open_episodes(int) override {
    return std::vector<store::WebhookEpisodes>{};
  }
};

TEST(Mailer, RetriesThenRecordsTheOutcome) {
  OutcomeStore store;
  SystemClock clock;
  SteadyMonotonicClock monotonic;
  struct Row {
    int failures;  // before the first success
    std::string expect_error;
  };
  // kAlertEmailTries = 4: three failures then a success still delivers; four do not.
  const std::vector<Row> rows = {{0, ""}, {3, ""}, {4, "refused"}};
  int n = 0;
  for (const Row& row : rows) {
    std::atomic<int> calls{0};
    Mailer::Options options;
    options.backoff = std::chrono::milliseconds(1);
    options.send = [&](const store::SmtpSettings&, const std::string&) -> Result<void> {
      if (calls++ < row.failures) return make_error(ErrorCode::kUnavailable, "refused");
      return {};
    };
    Mailer mailer(store, clock, monotonic, options);
    mailer.start();
    const std::string channel = "ach_" + std::to_string(n++);
    ASSERT_TRUE(mailer.send(MailJob{"co_1", channel, {}, "hello"}));
    ASSERT_TRUE(store.wait_for(channel));
    std::lock_guard lock(store.mutex);
    EXPECT_EQ(store.outcomes[channel], row.expect_error) << row.failures;
    EXPECT_EQ(calls.load(), std::min(row.failures + 1, 4));
  }
}

TEST(Mailer, AFullOutboxDropsAndSaysSo) {
  OutcomeStore store;
  SystemClock clock;
  SteadyMonotonicClock monotonic;
  Mailer mailer(store, clock, monotonic, Mailer::Options{});  // not started: nothing leaves the queue
  for (std::size_t i = 0; i < model::limits::kMaxQueuedAlertEmails; ++i)
    ASSERT_TRUE(mailer.send(MailJob{"co_1", "ach_q", {}, "m"}));
  EXPECT_FALSE(mailer.send(MailJob{"co_1", "ach_full", {}, "m"}));
  std::lock_guard lock(store.mutex);
  EXPECT_NE(store.outcomes["ach_full"].find("outbox full"), std::string::npos);
}

}  // namespace
}  // namespace switchboard::alerts
