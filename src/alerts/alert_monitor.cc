#include "alerts/alert_monitor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "alerts/episode_rules.h"
#include "common/ids.h"
#include "model/health_stats.h"

namespace switchboard::alerts {

namespace {

constexpr int kOpenEpisodesPerSweep = 1000;
constexpr int kLastErrorsShown = 3;
constexpr int kGoneStatus = 410;

bool is_carrier(std::string_view webhook_id) {
  return webhook_id.substr(0, store::kAlertWebhookIdPrefix.size()) == store::kAlertWebhookIdPrefix;
}

bool subscribes(const store::AlertChannel& channel, OperationalEvent event) {
  return std::find(channel.events.begin(), channel.events.end(), to_string(event)) != channel.events.end();
}

std::string describe_error(const model::Attempt& attempt) {
  std::string text(model::to_string(attempt.error));
  if (attempt.status_code) text += " " + std::to_string(*attempt.status_code);
  if (!attempt.error_message.empty()) text += ": " + attempt.error_message;
  return text.substr(0, 300);
}

TimePoint floor_minute(TimePoint t) { return std::chrono::time_point_cast<std::chrono::minutes>(t); }

}  // namespace

void AlertMonitor::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { loop(); });
}

void AlertMonitor::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AlertMonitor::on_recorded(const std::vector<store::AttemptOutcome>& batch) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    for (const auto& outcome : batch) {
      const model::Attempt& attempt = outcome.attempt;
      Key key{attempt.company_id, attempt.webhook_id};
      if (key.company_id.empty() || key.webhook_id.empty()) continue;
      if (is_carrier(key.webhook_id)) {
        carriers_[key] = attempt.success ? std::string() : describe_error(attempt);
        wake = true;
        continue;
      }
      if (attempt.success) {
        // A success changes no status; a degraded episode is re-checked by the sweep.
        continue;
      }
      Seen& seen = dirty_[key];
      seen.gone = seen.gone || attempt.status_code == kGoneStatus;
      seen.urgent = seen.urgent || seen.gone;
      if (!outcome.next_attempt_at) ++seen.exhausted;
      wake = true;
    }
  }
  if (wake) cv_.notify_one();
}

void AlertMonitor::webhook_changed(const std::string& company_id, const std::string& webhook_id,
                                   model::WebhookStatus status) {
  if (is_carrier(webhook_id)) return;
  {
    std::lock_guard lock(mutex_);
    Seen& seen = dirty_[Key{company_id, webhook_id}];
    seen.urgent = true;
    seen.reenabled = seen.reenabled || status == model::WebhookStatus::kActive;
  }
  cv_.notify_one();
}

void AlertMonitor::loop() {
  MonotonicTime next_sweep = deps_.monotonic.now();
  for (;;) {
    {
      MonotonicTime wake = next_sweep;
      if (auto held = next_held_back()) wake = std::min(wake, *held);
      std::unique_lock lock(mutex_);
      deps_.monotonic.wait_until(lock, cv_, wake,
                                 [&] { return stopping_ || !dirty_.empty() || !carriers_.empty(); });
      if (stopping_) return;
    }
    run_once();
    if (deps_.monotonic.now() >= next_sweep) {
      sweep();
      next_sweep = deps_.monotonic.now() + options_.sweep;
    }
  }
}

void AlertMonitor::run_once() {
  std::map<Key, Seen> dirty;
  std::map<Key, std::string> carriers;
  {
    std::lock_guard lock(mutex_);
    dirty.swap(dirty_);
    carriers.swap(carriers_);
  }
  if (!carriers.empty()) carrier_outcomes(carriers);
  for (const auto& [key, seen] : dirty) held_back_[key].merge(seen);
  const MonotonicTime now = deps_.monotonic.now();
  for (auto it = held_back_.begin(); it != held_back_.end();) {
    const LookThrottle::Key throttle_key{it->first.company_id, it->first.webhook_id};
    if (!it->second.urgent && !throttle_.allowed(throttle_key, now)) {
      ++it;
      continue;
    }
    throttle_.looked(throttle_key, now);
    const Key key = it->first;
    const Seen seen = it->second;
    it = held_back_.erase(it);
    look(key, seen);
  }
  throttle_.forget_old(now);
}

std::optional<MonotonicTime> AlertMonitor::next_held_back() const {
  std::optional<MonotonicTime> next;
  for (const auto& [key, seen] : held_back_) {
    const MonotonicTime at = throttle_.allowed_at({key.company_id, key.webhook_id});
    if (!next || at < *next) next = at;
  }
  return next;
}

void AlertMonitor::sweep() {
  auto open = deps_.alerts.list_open_episodes(kOpenEpisodesPerSweep);
  if (!open) {
    spdlog::warn("event=alert_sweep_failed error=\"{}\"", open.error().message);
    return;
  }
  const MonotonicTime now = deps_.monotonic.now();
  for (const auto& episodes : *open) {
    throttle_.looked({episodes.company_id, episodes.webhook_id}, now);
    look(Key{episodes.company_id, episodes.webhook_id}, Seen{});
  }
}

void AlertMonitor::look(const Key& key, const Seen& seen) {
  if (is_carrier(key.webhook_id)) return;
  auto webhook = deps_.store.get_webhook(key.company_id, key.webhook_id);
  if (!webhook) {
    if (webhook.error().code != ErrorCode::kNotFound) {
      spdlog::warn("event=alert_look_failed webhook={} error=\"{}\"", key.webhook_id,
                   webhook.error().message);
    }
    return;
  }
  auto episodes = deps_.alerts.get_episodes(key.company_id, key.webhook_id);
  auto threshold = deps_.alerts.get_degraded_threshold(key.company_id);
  if (!episodes || !threshold) {
    spdlog::warn("event=alert_look_failed webhook={} error=\"{}\"", key.webhook_id,
                 (!episodes ? episodes.error() : threshold.error()).message);
    return;
  }
  const TimePoint now = deps_.clock.now();
  store::DegradedThreshold scaled = *threshold;
  const auto window = std::chrono::duration_cast<std::chrono::milliseconds>(threshold->window);
  const auto scaled_window = std::chrono::milliseconds(
      static_cast<long long>(std::ceil(static_cast<double>(window.count()) / options_.time_scale)));
  scaled.window =
      std::max(std::chrono::minutes(1), std::chrono::duration_cast<std::chrono::minutes>(scaled_window));

  // The success rate over the window, from the per-minute rollups.
  const TimePoint start = floor_minute(degraded_window_start(*episodes, now, scaled));
  const int minutes = static_cast<int>((floor_minute(now) - start) / std::chrono::minutes(1)) + 1;
  model::WindowShape shape{"alert", std::chrono::seconds(60), minutes};
  model::HealthCounts totals;
  if (auto buckets = deps_.store.webhook_health(key.company_id, key.webhook_id, shape, start); buckets) {
    for (const auto& bucket : *buckets) totals.add(bucket);
  } else {
    spdlog::warn("event=alert_health_failed webhook={} error=\"{}\"", key.webhook_id,
                 buckets.error().message);
  }
  const int attempts = static_cast<int>(totals.attempts);
  const int succeeded = static_cast<int>(totals.succeeded);

  Decision decision{{}, *episodes};
  if (seen.reenabled && webhook->status != model::WebhookStatus::kActive) {
    // Enabled through the API, and no longer active now (a 410 at once): the
    // episode ended at the enable, whatever follows is a new one.
    decision = decide(*episodes, Observation{model::WebhookStatus::kActive, false, 0, 0, now}, *threshold);
  }
  Decision seen_now =
      decide(decision.next, Observation{webhook->status, seen.gone, attempts, succeeded, now}, *threshold);
  decision.send.insert(decision.send.end(), seen_now.send.begin(), seen_now.send.end());
  decision.next = std::move(seen_now.next);
  store::WebhookEpisodes& next = decision.next;
  next.exhausted_pending += seen.exhausted;
  int exhausted = 0;
  if (exhausted_report_due(next, now, scaled_window)) {
    exhausted = next.exhausted_pending;
    decision.send.push_back(OperationalEvent::kDeliveryExhausted);
    next.exhausted_pending = 0;
    next.exhausted_sent_at = now;
  }
  if (next == *episodes) return;
  // Saved before sending: a crash between the two loses an alert rather
  // than sending one twice after the restart.
  // Compare-and-set: when another node saved this webhook's episodes since
  // they were read, that node decided and sends; this one sends nothing.
  auto saved = deps_.alerts.save_episodes(next);
  if (!saved) {
    spdlog::warn("event=alert_episodes_not_saved webhook={} error=\"{}\"", key.webhook_id,
                 saved.error().message);
    return;
  }
  if (!*saved) {
    spdlog::debug("event=alert_episodes_taken webhook={}", key.webhook_id);
    return;
  }
  for (OperationalEvent event : decision.send)
    dispatch(describe(event, *webhook, *threshold, attempts, succeeded, exhausted));
}

Alert AlertMonitor::describe(OperationalEvent event, const model::Webhook& webhook,
                             const store::DegradedThreshold& threshold, int attempts, int succeeded,
                             int exhausted) {
  Alert alert;
  alert.event = event;
  alert.company_id = webhook.company_id;
  alert.webhook_id = webhook.id;
  alert.webhook_name = webhook.spec.name;
  alert.webhook_url = webhook.spec.url;
  alert.status = webhook.status;
  alert.at = deps_.clock.now();
  alert.attempts = attempts;
  alert.succeeded = succeeded;
  alert.threshold = threshold;
  alert.exhausted = exhausted;
  if (event == OperationalEvent::kWebhookFailed || event == OperationalEvent::kWebhookDegraded ||
      event == OperationalEvent::kWebhookDisabled) {
    store::AttemptQuery query;
    query.company_id = webhook.company_id;
    query.webhook_id = webhook.id;
    query.page.limit = kLastErrorsShown;
    if (auto failed = deps_.store.list_failed_attempts(query); failed) {
      for (const auto& attempt : failed->items)
        alert.last_errors.push_back({attempt.at, attempt.event_type, describe_error(attempt)});
    }
  }
  return alert;
}

void AlertMonitor::dispatch(const Alert& alert) {
  auto channels = deps_.alerts.list_alert_channels(alert.company_id);
  if (!channels) {
    spdlog::error("event=alert_not_sent type={} webhook={} error=\"{}\"", to_string(alert.event),
                  alert.webhook_id, channels.error().message);
    return;
  }
  spdlog::info("event=alert type={} webhook={} company={}", to_string(alert.event), alert.webhook_id,
               alert.company_id);
  bool any_webhook = false;
  for (const auto& channel : *channels) {
    if (!channel.enabled || !subscribes(channel, alert.event)) continue;
    if (channel.kind == store::AlertChannelKind::kWebhook) {
      any_webhook = true;
      continue;
    }
    const Email email = alert_email(alert);
    deps_.mailer.send(MailJob{channel.company_id, channel.id, channel.smtp,
                              email_message(email, channel.smtp.from, channel.smtp.recipients, alert.at,
                                            new_id("msg", alert.at) + "@switchboard")});
  }
  // One stored event reaches every subscribed carrier webhook (their specs list the types).
  if (any_webhook) {
    if (auto published = publish(alert); !published) {
      spdlog::error("event=alert_not_published type={} webhook={} error=\"{}\"", to_string(alert.event),
                    alert.webhook_id, published.error().message);
    }
  }
}

Result<void> AlertMonitor::publish(const Alert& alert) {
  store::NewEvent event;
  event.event.id = new_id("evt", alert.at);
  event.event.company_id = alert.company_id;
  event.event.type = std::string(to_string(alert.event));
  event.event.occurred_at = alert.at;
  event.event.created_at = alert.at;
  event.data_json = alert_data_json(alert);
  event.sequenced = false;
  auto stored = deps_.store.ingest_events({event});
  if (!stored) return forward_error(stored);
  if (!stored->empty() && !(*stored)[0]) return forward_error((*stored)[0]);
  if (deps_.wake_engine) deps_.wake_engine();
  return {};
}

Result<void> AlertMonitor::send_test(const store::AlertChannel& channel) {
  Alert alert;
  alert.event = OperationalEvent::kWebhookRecovered;
  alert.test = true;
  alert.company_id = channel.company_id;
  alert.webhook_id = "wh_test";
  alert.webhook_name = "Test alert";
  alert.webhook_url = "https://example.com/webhooks";
  alert.at = deps_.clock.now();
  if (channel.kind == store::AlertChannelKind::kEmail) {
    const Email email = alert_email(alert);
    if (!deps_.mailer.send(MailJob{channel.company_id, channel.id, channel.smtp,
                                   email_message(email, channel.smtp.from, channel.smtp.recipients, alert.at,
                                                 new_id("msg", alert.at) + "@switchboard")}))
      return make_error(ErrorCode::kUnavailable, "the e-mail outbox is full");
    return {};
  }
  return make_error(ErrorCode::kInvalidArgument, "alert webhooks are tested through the delivery engine");
}

void AlertMonitor::carrier_outcomes(const std::map<Key, std::string>& errors) {
  std::map<std::string, std::vector<store::AlertChannel>> by_company;
  for (const auto& [key, error] : errors) {
    auto [it, fresh] = by_company.try_emplace(key.company_id);
    if (fresh) {
      auto channels = deps_.alerts.list_alert_channels(key.company_id);
      if (channels) it->second = std::move(*channels);
    }
    for (const auto& channel : it->second) {
      if (channel.webhook_id != key.webhook_id) continue;
      if (!error.empty())
        spdlog::warn("event=alert_webhook_failed channel={} error=\"{}\"", channel.id, error);
      (void)deps_.alerts.record_alert_outcome(channel.company_id, channel.id, error, deps_.clock.now());
    }
  }
}

}  // namespace switchboard::alerts
