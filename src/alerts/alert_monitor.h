// AlertMonitor: raises operational events (issue 16 item 2) and hands them to
// every subscribed alert channel. On a thread of its own:
//  - the delivery engine's recorder tells it (delivery::RecordedListener,
//    cheap: a queue) which webhooks just had results, which of those said
//    410, and how many deliveries exhausted; it then looks at those webhooks,
//    each at most once per `recheck` (look_throttle.h: a failing webhook has
//    results in nearly every batch), a 410 at once;
//  - every `sweep` it looks again at webhooks with an open episode (so a
//    re-enable through the API, or a rate back above the threshold, is seen);
//  - `webhook_changed` (the API, after a status change) asks for a look too,
//    at once; an enable is remembered until that look, so a webhook enabled
//    and disabled again by a 410 before it (its waiting deliveries go at once)
//    still closes its episode (webhook.recovered) and opens the next.
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

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "alerts/alert_texts.h"
#include "alerts/look_throttle.h"
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
    // On new failed results a webhook is looked at again at most this often
    // (shrunk by time_scale too); what comes in meanwhile waits, counted.
    std::chrono::milliseconds recheck{std::chrono::seconds(10)};
  };

  AlertMonitor(Deps deps, Options options)
      : deps_(std::move(deps)), options_(options), throttle_(scaled(options.recheck, options.time_scale)) {}
  ~AlertMonitor() override { stop(); }

  void start();
  void stop();

  void on_recorded(const std::vector<store::AttemptOutcome>& batch) override EXCLUDES(mutex_);
  // The API set `webhook_id`'s status to `status` (enable, disable).
  void webhook_changed(const std::string& company_id, const std::string& webhook_id,
                       model::WebhookStatus status) EXCLUDES(mutex_);
  // A test alert to one channel, now (POST /alert-channels/{id}/test):
  // e-mail through the outbox; an alert webhook gets a signed
  // `webhook.recovered` event with "test": true through the engine.
  Result<void> send_test(const store::AlertChannel& channel);
  // The SSRF rule of the SMTP hosts it sends to (smtp_host_refusal).
  bool allows_private_networks() const { return deps_.mailer.allows_private_networks(); }

  // Looks at everything queued now whose look is allowed (the rest waits), on
  // the caller's thread (tests); no other thread may run it meanwhile.
  void run_once();
  // When the earliest webhook held back by the throttle may be looked at; nullopt when none waits.
  std::optional<MonotonicTime> next_held_back() const;

 private:
  struct Key {
    std::string company_id, webhook_id;
    auto operator<=>(const Key&) const = default;
  };
  struct Seen {
    bool gone = false;
    int exhausted = 0;
    bool urgent = false;     // look without waiting for the throttle (410, API change)
    bool reenabled = false;  // the API enabled it since the last look
    void merge(const Seen& other) {
      gone = gone || other.gone;
      exhausted += other.exhausted;
      urgent = urgent || other.urgent;
      reenabled = reenabled || other.reenabled;
    }
  };

  static std::chrono::milliseconds scaled(std::chrono::milliseconds interval, double time_scale) {
    return std::chrono::milliseconds(
        static_cast<long long>(static_cast<double>(interval.count()) / std::max(time_scale, 1e-9)));
  }

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
  // The monitor's thread only (or run_once's caller): webhooks with results
  // not yet looked at, held back by the throttle.
  std::map<Key, Seen> held_back_;
  LookThrottle throttle_;
  std::thread thread_;
};

}  // namespace switchboard::alerts
