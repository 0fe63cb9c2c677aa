// AlertMonitor: raises operational events (issue 16 item 2) and hands them to
// every subscribed alert channel. On a thread of its own:
//  - the delivery engine's recorder tells it (delivery::RecordedListener,
//    cheap: a queue) which webhooks just had results, which of those said
//    410, and how many deliveries exhausted; it then looks at those webhooks;
//  - every `sweep` it looks again at webhooks with an open episode (so a
//    re-enable through the API, or a rate back above the threshold, is seen);
//  - `webhook_changed` (the API, after a status change) asks for a look too.
// A look reads the webhook, its episodes and threshold (store/alert_store.h)
// and its success rate from the per-minute health rollups (never the attempt
// log), applies alerts::decide (episode_rules.h), saves the episodes BEFORE
// sending (so a restart never sends an episode's event twice: at most once),
// and sends: e-mail through the Mailer (its own thread), alert webhooks by
// storing one operational event whose fan-out reaches exactly the "wha_"
// carrier webhooks subscribed to its type, then waking the engine, which
// signs, sends and retries it like any delivery. Carrier webhooks are never
// looked at (an alert webhook never alerts about itself); their failures
// become their channel's last_error.
//
// Thread-safety: on_recorded, webhook_changed, send_test and record_outcome
// from any thread; start/stop from the owner's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "alerts/alert_texts.h"
#include "alerts/mailer.h"
#include "common/clock.h"
#include "common/thread_annotations.h"
#include "delivery/recorder.h"
#include "store/alert_store.h"
#include "store/store.h"

namespace switchboard::alerts {

class AlertMonitor final : public delivery::RecordedListener {
 public:
  struct Deps {
    store::Store& store;
    store::AlertStore& alerts;
    const Clock& clock;
    const MonotonicClock& monotonic;
    Mailer& mailer;
    std::function<void()> wake_engine;  // new deliveries are due (may be empty)
  };
  struct Options {
    std::chrono::milliseconds sweep{std::chrono::seconds(60)};
    // serve --time-scale: the degraded window and the exhausted report
    // interval shrink by it (the rollups still count whole minutes).
    double time_scale = 1.0;
  };

  AlertMonitor(Deps deps, Options options) : deps_(std::move(deps)), options_(options) {}
  ~AlertMonitor() override { stop(); }

  void start();
  void stop();

  void on_recorded(const std::vector<store::AttemptOutcome>& batch) override EXCLUDES(mutex_);
  void webhook_changed(const std::string& company_id, const std::string& webhook_id) EXCLUDES(mutex_);
  // A test alert to one channel, now (POST /alert-channels/{id}/test):
  // e-mail through the outbox; an alert webhook gets a signed
  // `webhook.recovered` event with "test": true through the engine.
  Result<void> send_test(const store::AlertChannel& channel);

  // Looks at everything queued now, on the caller's thread (tests).
  void run_once();

 private:
  struct Key {
    std::string company_id, webhook_id;
    auto operator<=>(const Key&) const = default;
  };
  struct Seen {
    bool gone = false;
    int exhausted = 0;
  };

  void loop();
  void look(const Key& key, const Seen& seen);
  void sweep();
  void carrier_outcomes(const std::map<Key, std::string>& errors);
  void dispatch(const Alert& alert);
  Result<void> publish(const Alert& alert);
  Alert describe(OperationalEvent event, const model::Webhook& webhook,
                 const store::DegradedThreshold& threshold, int attempts, int succeeded, int exhausted);

  Deps deps_;
  Options options_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<Key, Seen> dirty_ GUARDED_BY(mutex_);
  // Carrier webhooks' latest outcome in the batch: "" = delivered, else the error.
  std::map<Key, std::string> carriers_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace switchboard::alerts
