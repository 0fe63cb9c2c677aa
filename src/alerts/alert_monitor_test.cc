// The alert monitor's look throttle in place (issue 16): result batches of a
// failing webhook make at most one look per `recheck` on the monitor's
// monotonic clock, what came in meanwhile is looked at once the interval is
// over, and a 410 or an API status change is looked at at once. On a real
// SQLite store; the monitor's thread is not started (run_once on this one).
#include "alerts/alert_monitor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/test_clock.h"
#include "common/test_temp_dir.h"
#include "store/sqlite/sqlite_store.h"

namespace switchboard::alerts {
namespace {

using std::chrono::seconds;

// The store's alert role, counting looks (a look reads the episodes once).
class CountingAlerts final : public store::AlertStore {
 public:
  explicit CountingAlerts(store::AlertStore& inner) : inner_(inner) {}
  std::atomic<int> looks{0};

  Result<void> create_alert_channel(const store::AlertChannel& c, const std::optional<model::Webhook>& w,
                                    int max) override {
    return inner_.create_alert_channel(c, w, max);
  }
  Result<store::AlertChannel> get_alert_channel(const std::string& co, const std::string& id) override {
    return inner_.get_alert_channel(co, id);
  }
  Result<std::vector<store::AlertChannel>> list_alert_channels(const std::string& co) override {
    return inner_.list_alert_channels(co);
  }
  Result<void> update_alert_channel(const store::AlertChannel& c) override {
    return inner_.update_alert_channel(c);
  }
  Result<void> delete_alert_channel(const std::string& co, const std::string& id) override {
    return inner_.delete_alert_channel(co, id);
  }
  Result<void> record_alert_outcome(const std::string& co, const std::string& id, const std::string& error,
                                    TimePoint at) override {
    return inner_.record_alert_outcome(co, id, error, at);
  }
  Result<store::DegradedThreshold> get_degraded_threshold(const std::string& co) override {
    return inner_.get_degraded_threshold(co);
  }
  Result<void> set_degraded_threshold(const std::string& co, const store::DegradedThreshold& t) override {
    return inner_.set_degraded_threshold(co, t);
  }
  Result<store::WebhookEpisodes> get_episodes(const std::string& co, const std::string& id) override {
    ++looks;
    return inner_.get_episodes(co, id);
  }
  Result<bool> save_episodes(const store::WebhookEpisodes& e) override { return inner_.save_episodes(e); }
  Result<std::vector<store::WebhookEpisodes>> list_open_episodes(int max) override {
    return inner_.list_open_episodes(max);
  }

 private:
  store::AlertStore& inner_;
};

class AlertMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto box = crypto::SecretBox::from_key(std::string(crypto::SecretBox::kKeyBytes, '\x42'));
    ASSERT_TRUE(box.has_value());
    store::SqliteOptions options;
    options.path = dir_.path() / "switchboard.db";
    auto opened = store::open_sqlite_store(options, std::move(*box));
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    store_ = std::move(*opened);
    const TimePoint now = clock_.now();
    model::User owner{"usr_owner", "cmp_a", "Owner", "owner@a.example", model::Role::kOwner, now};
    ASSERT_TRUE(store_->create_company(
        model::Company{"cmp_a", "Acme", false, now}, owner,
        model::ApiToken{"tok_owner", "cmp_a", "usr_owner", model::TokenKind::kUser, "hash_owner", now}));
    for (const std::string id : {"wh_a", "wh_b"}) {
      model::Webhook webhook;
      webhook.id = id;
      webhook.company_id = "cmp_a";
      webhook.spec.name = id;
      webhook.spec.url = "https://receiver.example.com/hooks";
      webhook.spec.events = {"call.answered"};
      webhook.created_at = webhook.updated_at = now;
      ASSERT_TRUE(store_->create_webhook(webhook, 10).has_value());
    }
    alerts_ = std::make_unique<CountingAlerts>(dynamic_cast<store::AlertStore&>(*store_));
    mailer_ = std::make_unique<Mailer>(*alerts_, clock_, monotonic_, Mailer::Options{});
    AlertMonitor::Options monitor_options;
    monitor_options.recheck = seconds(10);
    monitor_ = std::make_unique<AlertMonitor>(
        AlertMonitor::Deps{*store_, *alerts_, clock_, monotonic_, *mailer_, {}}, monitor_options);
  }

  // One batch from the recorder: a failed attempt of `webhook`.
  void failed(const std::string& webhook, int status = 500) {
    store::AttemptOutcome outcome;
    outcome.attempt.company_id = "cmp_a";
    outcome.attempt.webhook_id = webhook;
    outcome.attempt.delivery_id = "dlv_" + webhook;
    outcome.attempt.success = false;
    outcome.attempt.status_code = status;
    outcome.next_attempt_at = clock_.now() + seconds(30);
    monitor_->on_recorded({outcome});
  }

  testing::TempDir dir_;
  SystemClock clock_;
  testing::ManualMonotonicClock monotonic_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<CountingAlerts> alerts_;
  std::unique_ptr<Mailer> mailer_;
  std::unique_ptr<AlertMonitor> monitor_;
};

TEST_F(AlertMonitorTest, AFailingWebhookIsLookedAtAtMostOncePerRecheck) {
  failed("wh_a");
  monitor_->run_once();
  EXPECT_EQ(alerts_->looks, 1);
  // Batch after batch within the interval: held back, not lost.
  for (int i = 0; i < 5; ++i) {
    monotonic_.advance(seconds(1));
    failed("wh_a");
    monitor_->run_once();
  }
  EXPECT_EQ(alerts_->looks, 1);
  ASSERT_TRUE(monitor_->next_held_back().has_value());
  EXPECT_EQ(*monitor_->next_held_back(), monotonic_.now() + seconds(5));  // 10 s after the first look
  // Another webhook is not held back by this one.
  failed("wh_b");
  monitor_->run_once();
  EXPECT_EQ(alerts_->looks, 2);
  // The interval is over: what was held back is looked at once, with no new batch.
  monotonic_.advance(seconds(5));
  monitor_->run_once();
  EXPECT_EQ(alerts_->looks, 3);
  EXPECT_FALSE(monitor_->next_held_back().has_value());
  monitor_->run_once();
  EXPECT_EQ(alerts_->looks, 3);
}

TEST_F(AlertMonitorTest, A410AndAnApiChangeAreLookedAtAtOnce) {
  failed("wh_a");
  monitor_->run_once();
  EXPECT_EQ(alerts_->looks, 1);
  failed("wh_a", 410);
  monitor_->run_once();
  EXPECT_EQ(alerts_->looks, 2);
  monitor_->webhook_changed("cmp_a", "wh_a", model::WebhookStatus::kActive);
  monitor_->run_once();
  EXPECT_EQ(alerts_->looks, 3);
  failed("wh_a");  // an ordinary batch right after is held back again
  monitor_->run_once();
  EXPECT_EQ(alerts_->looks, 3);
}

// A webhook an admin enables while its receiver still says 410 is disabled
// again before the monitor looks (its waiting deliveries go at once): the
// enable still ends the first episode, so the second 410 opens a new one
// (webhook.recovered, then webhook.disabled again) instead of being taken for
// the first.
TEST_F(AlertMonitorTest, EnabledAndGoneAgainBeforeTheLookIsANewEpisode) {
  const auto gone = [&] {
    model::StatusChange change{model::WebhookStatus::kInactive, std::nullopt, model::DisabledReason::kGone};
    ASSERT_TRUE(store_->set_webhook_status("cmp_a", "wh_a", change, clock_.now()).has_value());
    failed("wh_a", 410);
  };
  gone();
  monitor_->run_once();
  auto first = alerts_->get_episodes("cmp_a", "wh_a");
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(first->disabled_since.has_value());
  EXPECT_FALSE(first->quiet_since.has_value());

  // Enabled, then 410 again, and only then looked at.
  ASSERT_TRUE(store_
                  ->set_webhook_status("cmp_a", "wh_a",
                                       model::StatusChange{model::WebhookStatus::kActive, 0, {}},
                                       clock_.now())
                  .has_value());
  monitor_->webhook_changed("cmp_a", "wh_a", model::WebhookStatus::kActive);
  gone();
  monitor_->run_once();
  auto second = alerts_->get_episodes("cmp_a", "wh_a");
  ASSERT_TRUE(second.has_value());
  ASSERT_TRUE(second->disabled_since.has_value());
  ASSERT_TRUE(second->quiet_since.has_value()) << "the first episode was not closed";
  EXPECT_GE(*second->disabled_since, *second->quiet_since);
  EXPECT_GT(second->version, first->version);

  // Looked at again without an enable: the same episode, nothing changes.
  failed("wh_a", 410);
  monitor_->run_once();
  EXPECT_EQ(alerts_->get_episodes("cmp_a", "wh_a")->version, second->version);
}

}  // namespace
}  // namespace switchboard::alerts
