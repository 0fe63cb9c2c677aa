#include "delivery/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/thread_annotations.h"
#include "delivery/attempt_log.h"
#include "delivery/claimer.h"
#include "delivery/claimer_local.h"
#include "delivery/recorder.h"
#include "delivery/request_builder.h"
#include "delivery/scheduler.h"
#include "model/retry_policy.h"

namespace switchboard::delivery {

namespace {

using std::chrono::milliseconds;

// The longest the scheduler thread sleeps with nothing to do.
constexpr milliseconds kMaxIdle{1000};
// A lane that stops taking work is stalled this long (Scheduler::Limits).
constexpr milliseconds kStalledAfter{2000};

// One attempt that has been handed to the HTTP client.
struct InFlight {
  store::DueDelivery due;
  int attempt = 1;
  TimePoint started_at{};
  BuiltRequest request;
};

struct ClaimedBatch {
  std::vector<store::DueDelivery> deliveries;
  TimePoint lease_until{};
};

struct Completion {
  std::unique_ptr<InFlight> attempt;
  HttpResponse response;
  TimePoint finished_at{};
};

class Engine final : public DeliveryEngine {
 public:
  Engine(EngineDeps deps, EngineOptions options, std::unique_ptr<WebhookLookup> owned_lookup = nullptr)
      : owned_lookup_(std::move(owned_lookup)),
        reporting_queue_(deps.queue, deps.status_listener),
        queue_(reporting_queue_),
        clock_(deps.clock),
        monotonic_(deps.monotonic),
        options_(std::move(options)),
        policy_(model::RetryPolicy::v2(options_.time_scale)),
        max_tracked_(std::max({options_.max_tracked, options_.max_in_flight, 1})),
        schedule_(Scheduler::Limits{max_tracked_, options_.max_tracked_bytes, options_.per_webhook_in_flight,
                                    options_.max_in_flight, kStalledAfter}),
        webhooks_(deps.webhooks),
        claimer_(queue_, clock_, monotonic_,
                 Claimer::Options{options_.claim_batch, options_.chain_depth, min_claim(), options_.lease},
                 [this](std::vector<store::DueDelivery> claimed, TimePoint lease_until) {
                   {
                     std::lock_guard lock(mutex_);
                     claimed_.push_back(ClaimedBatch{std::move(claimed), lease_until});
                   }
                   cv_.notify_one();
                 }),
        local_(!options_.memory_queue || options_.shared_store || !queue_.offers_pending_reads()
                   ? nullptr
                   : std::make_unique<LocalClaimer>(
                         queue_, deps.webhooks, clock_, monotonic_,
                         LocalClaimer::Options{options_.claim_batch, min_claim()},
                         [this](std::vector<store::DueDelivery> claimed, TimePoint lease_until) {
                           {
                             std::lock_guard lock(mutex_);
                             claimed_.push_back(ClaimedBatch{std::move(claimed), lease_until});
                           }
                           cv_.notify_one();
                         })),
        recorder_(
            queue_, monotonic_,
            [this] {
              if (!local_) claimer_.notify();
            },
            [this](const std::vector<store::AttemptOutcome>& batch, bool written) {
              if (written) forget_changed_webhooks(batch);
              if (!local_) return;
              std::vector<std::string> ids;
              ids.reserve(batch.size());
              for (const auto& outcome : batch) ids.push_back(outcome.attempt.delivery_id);
              local_->committed(ids, written);
            },
            options_.recorded_listener),
        client_(std::move(deps.client)) {}

  ~Engine() override { stop(milliseconds(0)); }

  void start() override {
    {
      std::lock_guard lock(mutex_);
      if (started_) return;
      started_ = true;
    }
    // A single node owns every lease at start-up: nothing of ours is in flight.
    // (The in-memory queue writes none, but an older run may have left some.)
    if (options_.shared_store) {
      // ours from before a crash expire like a dead peer's
    } else if (auto released = queue_.release_all_leases(); !released) {
      spdlog::warn("event=release_leases_failed error=\"{}\"", released.error().message);
    }
    recorder_.start();
    scheduler_ = std::thread([this] { schedule_loop(); });
    if (local_) {
      local_->start(max_tracked_);
    } else {
      claimer_.start(max_tracked_);
    }
  }

  void stop(milliseconds drain) override {
    {
      std::lock_guard lock(mutex_);
      if (!started_ || stop_requested_) return;
      stop_requested_ = true;
      drain_deadline_ = monotonic_.now() + drain;
    }
    cv_.notify_all();
    claimer_.stop();
    if (local_) local_->stop();
    scheduler_.join();
    std::vector<ClaimedBatch> late;  // claimed after the scheduler's last pass
    {
      std::lock_guard lock(mutex_);
      late.swap(claimed_);
    }
    std::vector<store::LeaseRelease> unlease;
    for (const auto& batch : late) {
      for (const auto& due : batch.deliveries) unlease.push_back({due.delivery.id, batch.lease_until});
    }
    if (!local_) recorder_.release(std::move(unlease));  // the in-memory queue leased nothing
    recorder_.stop();
  }

  DrainReport drain(MonotonicTime deadline) override {
    const MonotonicTime now = monotonic_.now();
    stop(deadline > now ? std::chrono::duration_cast<milliseconds>(deadline - now) : milliseconds(0));
    return DrainReport{abandoned_.load()};
  }

  void notify() override {
    if (local_) {
      local_->resync();
    } else {
      claimer_.notify();
    }
  }

  void notify_queued(std::vector<store::PendingDelivery> queued) override {
    if (local_) {
      local_->add(std::move(queued));
    } else {
      claimer_.notify();
    }
  }

  EngineStats stats() const override {
    return {recorder_.delivered(), recorder_.failed(), local_ ? local_->claimed() : claimer_.claimed()};
  }

  tl::expected<void, TestRefusal> send_test(const model::Webhook& webhook, const std::string& event_id,
                                            const std::string& payload, TestCallback done) override {
    const MonotonicTime now = monotonic_.now();
    TestSlots::Slot slot;
    {
      std::lock_guard lock(tests_mutex_);
      // The client's timeout ends the attempt; a little more for its callback to run.
      auto taken = tests_.take(webhook, now, now + options_.timeout + milliseconds(1000));
      if (!taken) return forward_error(std::move(taken));
      slot = std::move(*taken);
    }
    auto built = build_delivery_request(webhook, {event_id, payload, 1, clock_.now(), options_.user_agent});
    if (!built) {
      give_back_test(slot);
      TestDeliveryResult result;
      result.error = "other: " + built.error().message;
      done(std::move(result));
      return {};
    }
    client_->submit(to_http_request(*built, payload, timeout_of(webhook)),
                    [this, slot = std::move(slot), done = std::move(done)](const HttpResponse& response) {
                      give_back_test(slot);
                      TestDeliveryResult result;
                      result.delivered = response.success();
                      result.status_code = response.status_code;
                      result.latency_ms = response.latency_ms;
                      result.response_body = sanitize_utf8(response.body);
                      result.response_body_truncated = response.body_truncated;
                      if (!response.success()) {
                        result.error =
                            std::string(model::to_string(response.error)) + ": " + response.error_message;
                      }
                      done(std::move(result));
                    });
    return {};
  }

 private:
  void give_back_test(const TestSlots::Slot& slot) {
    std::lock_guard lock(tests_mutex_);
    tests_.give_back(slot);
  }

  int min_claim() const { return std::max(1, std::min(options_.claim_batch, max_tracked_ / 4)); }

  // --- scheduler thread ----------------------------------------------------
  void schedule_loop() {
    scheduler_thread_.bind();
    for (;;) {
      std::vector<Completion> done;
      std::vector<ClaimedBatch> batches;
      {
        std::unique_lock lock(mutex_);
        const auto ready = [&] {
          return !completions_.empty() || !claimed_.empty() || (stop_requested_ && !stopping_);
        };
        MonotonicTime wake = stopping_ ? drain_deadline_ : monotonic_.now() + kMaxIdle;
        // A rate-limited lane's next token (issue 16 item 4).
        if (auto token = schedule_.next_wake(); token && !stopping_) wake = std::min(wake, *token);
        monotonic_.wait_until(lock, cv_, wake, ready);
        done.swap(completions_);
        batches.swap(claimed_);
        for (const auto& webhook_id : changed_webhooks_) webhooks_.forget(webhook_id);
        changed_webhooks_.clear();
        stopping_ = stop_requested_;
      }
      const MonotonicTime now = monotonic_.now();
      for (auto& completion : done) finish(std::move(completion), now);
      if (local_) report_outcomes();
      recorder_.record(std::move(outcomes_));
      outcomes_.clear();
      for (auto& batch : batches) {
        schedule_.begin_claim();
        for (auto& due : batch.deliveries) {
          if (stopping_) {
            schedule_.refuse(due.delivery.id, batch.lease_until);  // claimed while stopping: give it back
          } else {
            accept(std::move(due), batch.lease_until, now);
          }
        }
      }
      if (stopping_) {
        // Work not started goes back to the store at once (the recorder writes it).
        schedule_.give_back_queued();
        give_back(schedule_.take_releases());
        if (schedule_.in_flight() == 0 || now >= drain_deadline_) break;
        continue;
      }
      dispatch(now);
      give_back(schedule_.take_releases());
      if (local_) {
        local_->set_room(schedule_.room());
      } else {
        claimer_.set_room(schedule_.room());
      }
      webhooks_.sweep(now);
    }
    // Gave up waiting (drain deadline): what is still in flight keeps its lease; a restart releases it.
    abandoned_ = schedule_.in_flight();
    schedule_.give_back_followers();
    give_back(schedule_.take_releases());
  }

  // A claimed delivery into the scheduler. On a single node one it refuses
  // (a stalled lane) is due again once the lane had time to recover.
  void accept(store::DueDelivery due, TimePoint lease_until, MonotonicTime now) {
    apply_lane_limits(due.delivery, now);
    std::string id = local_ ? due.delivery.id : std::string();
    if (schedule_.accept(std::move(due), lease_until, now) || !local_) return;
    local_->give_back({std::move(id)}, clock_.now() + kStalledAfter);
  }

  // Claimed work not attempted: its lease released (the recorder writes it),
  // or on a single node, due again in the in-memory queue at once.
  void give_back(std::vector<store::LeaseRelease> releases) {
    if (!local_) {
      recorder_.release(std::move(releases));
      return;
    }
    if (releases.empty()) return;
    std::vector<std::string> ids;
    ids.reserve(releases.size());
    for (auto& release : releases) ids.push_back(std::move(release.delivery_id));
    local_->give_back(ids, clock_.now());
  }

  // Recorder thread, after a batch is written: the webhooks whose status these
  // results may have changed in the store (a 410 disabled it; an exhaustion
  // may have marked it failed) are read again before their next attempt, so
  // work already in memory (the ready queue, claimed followers) does not go
  // out to them for the rest of the cache's ttl.
  void forget_changed_webhooks(const std::vector<store::AttemptOutcome>& batch) {
    std::vector<std::string> changed;
    for (const auto& outcome : batch) {
      const bool exhausted = !outcome.attempt.success && !outcome.next_attempt_at;
      if (outcome.disables_webhook || (exhausted && outcome.counts_toward_failure)) {
        changed.push_back(outcome.attempt.webhook_id);
      }
    }
    if (changed.empty()) return;
    std::lock_guard lock(mutex_);
    changed_webhooks_.insert(changed_webhooks_.end(), changed.begin(), changed.end());
  }

  // Single node: the results of this pass, for the in-memory queue (before
  // they go to the recorder, so a rescan never brings them back).
  void report_outcomes() {
    std::vector<std::string> settled;
    for (const auto& outcome : outcomes_) {
      if (outcome.attempt.success || !outcome.next_attempt_at) {
        settled.push_back(outcome.attempt.delivery_id);
      } else {
        local_->retry(outcome.attempt.delivery_id, *outcome.next_attempt_at);
      }
    }
    if (!settled.empty()) local_->settled(settled);
  }

  void dispatch(MonotonicTime now) {
    scheduler_thread_.assert_on_thread();
    while (auto ready = schedule_.next(now)) {
      const model::Delivery& delivery = ready->due.delivery;
      const model::Webhook* webhook = webhooks_.active(delivery.company_id, delivery.webhook_id, now);
      if (webhook == nullptr) {
        // Deleted or no longer active: give its work back; the store keeps it pending.
        schedule_.give_back_lane(*ready, now);
        if (local_) park(delivery.company_id, delivery.webhook_id);
        continue;
      }
      const TimePoint at = clock_.now();
      const auto lease = schedule_.lease_of(*ready);
      if (!lease || at + timeout_of(*webhook) >= *lease) {
        // Waited so long that the lease could lapse mid-attempt; it will be claimed again.
        schedule_.give_back(*ready, now);
        continue;
      }
      start_attempt(*webhook, std::move(ready->due), at);
    }
  }

  // The webhook's own request timeout (issue 16 item 4), never above the engine's.
  milliseconds timeout_of(const model::Webhook& webhook) const {
    return std::min(options_.timeout, milliseconds(webhook.spec.delivery.timeout_ms));
  }

  // The webhook's max_in_flight and max_rate onto its lane, before its work is
  // queued there (the webhook cache makes this a lookup in memory).
  void apply_lane_limits(const model::Delivery& delivery, MonotonicTime now) {
    scheduler_thread_.assert_on_thread();
    const model::Webhook* webhook = webhooks_.active(delivery.company_id, delivery.webhook_id, now);
    if (webhook == nullptr) return;  // dispatch() gives its work back
    const model::DeliveryControls& controls = webhook->spec.delivery;
    Scheduler::LaneLimits limits;
    if (controls.max_in_flight < options_.per_webhook_in_flight) limits.in_flight = controls.max_in_flight;
    limits.rate = controls.max_rate;
    schedule_.set_lane_limits(delivery.webhook_id, limits, now);
  }

  // Single node: the webhook is not active; the in-memory queue forgets its
  // deliveries (those just given back included) until it is active again.
  void park(const std::string& company_id, const std::string& webhook_id) {
    std::vector<std::string> ids;
    for (auto& release : schedule_.take_releases()) ids.push_back(std::move(release.delivery_id));
    local_->park(company_id, webhook_id, ids);
  }

  void start_attempt(const model::Webhook& webhook, store::DueDelivery due, TimePoint at) {
    auto attempt = std::make_unique<InFlight>();
    attempt->attempt = due.delivery.attempts + 1;
    attempt->started_at = at;
    attempt->due = std::move(due);
    const auto& delivery = attempt->due.delivery;
    auto built = build_delivery_request(
        webhook, {delivery.event_id, attempt->due.payload, attempt->attempt, at, options_.user_agent});
    if (!built) {
      HttpResponse response;
      response.error = model::AttemptError::kOther;
      response.error_message = built.error().message;
      std::lock_guard lock(mutex_);
      completions_.push_back(Completion{std::move(attempt), std::move(response), at});
      return;  // the loop is running: it picks this up on its next pass
    }
    attempt->request = std::move(*built);
    // The URL and headers move to the client (the attempt log keeps the masked
    // copies); the payload is sent from the attempt, which outlives the transfer.
    HttpRequest request{
        std::move(attempt->request.url), std::move(attempt->request.headers), {}, timeout_of(webhook)};
    request.shared_body = &attempt->due.payload;
    request.affinity = std::hash<std::string>{}(delivery.webhook_id);
    request.client_certificate = std::move(attempt->request.client_certificate);  // issue 16 item 5
    InFlight* raw = attempt.release();
    // Runs on the client's thread.
    client_->submit(std::move(request), [this, raw](HttpResponse response) {
      Completion completion{std::unique_ptr<InFlight>(raw), std::move(response), clock_.now()};
      bool wake = false;
      {
        std::lock_guard lock(mutex_);
        // The scheduler takes every completion at once: one wake-up per batch, not per attempt.
        wake = completions_.empty();
        completions_.push_back(std::move(completion));
      }
      if (wake) cv_.notify_one();
    });
  }

  void finish(Completion completion, MonotonicTime now) {
    scheduler_thread_.assert_on_thread();
    InFlight& attempt = *completion.attempt;
    const model::Delivery& delivery = attempt.due.delivery;
    FinishedAttempt finished{&delivery,
                             attempt.attempt,
                             attempt.started_at,
                             completion.finished_at,
                             attempt.request.masked_url.empty() ? nullptr : &attempt.request,
                             attempt.due.payload,
                             &completion.response};
    store::AttemptOutcome outcome = make_attempt_outcome(finished, policy_);
    if (!outcome.attempt.success) {
      spdlog::debug("event=attempt_failed webhook_id={} delivery_id={} attempt={} error={} status={}",
                    delivery.webhook_id, delivery.id, attempt.attempt,
                    model::to_string(outcome.attempt.error), outcome.attempt.status_code.value_or(0));
    }
    const bool succeeded = outcome.attempt.success;
    outcomes_.push_back(std::move(outcome));  // handed to the recorder together after this pass
    schedule_.finished(attempt.due, succeeded, stopping_, now);
  }

  // Owns the production lookup (create() over a WebhookStore); null otherwise.
  const std::unique_ptr<WebhookLookup> owned_lookup_;
  // The queue, reporting the webhooks a 410 disabled once recorded (webhook_signals.h).
  ReportingDeliveryQueue reporting_queue_;
  store::DeliveryQueue& queue_;
  const Clock& clock_;
  const MonotonicClock& monotonic_;
  const EngineOptions options_;
  const model::RetryPolicy policy_;
  const int max_tracked_;  // deliveries held in memory (queued + in flight)

  // Shared with the claimer's sink, the HTTP client's callbacks and the public methods.
  std::mutex mutex_;
  std::condition_variable cv_;  // wakes the scheduler thread
  bool started_ GUARDED_BY(mutex_) = false;
  bool stop_requested_ GUARDED_BY(mutex_) = false;
  MonotonicTime drain_deadline_ GUARDED_BY(mutex_){};
  std::vector<ClaimedBatch> claimed_ GUARDED_BY(mutex_);          // claimer -> scheduler
  std::vector<Completion> completions_ GUARDED_BY(mutex_);        // HTTP client -> scheduler
  std::vector<std::string> changed_webhooks_ GUARDED_BY(mutex_);  // recorder -> scheduler (webhooks_.forget)

  // Scheduler thread only (scheduler_thread_).
  ThreadOwner scheduler_thread_;
  Scheduler schedule_;
  WebhookCache webhooks_;
  std::vector<store::AttemptOutcome> outcomes_;  // finished in this pass, for the recorder
  bool stopping_ = false;                        // the scheduler's copy of stop_requested_, taken each pass
  std::atomic<int> abandoned_{0};                // in flight when the scheduler loop ended (drain())

  // Test deliveries (any thread).
  std::mutex tests_mutex_;
  TestSlots tests_ GUARDED_BY(tests_mutex_);

  Claimer claimer_;
  std::unique_ptr<LocalClaimer> local_;  // single node: in place of claimer_ (null otherwise)
  ResultRecorder recorder_;
  std::thread scheduler_;
  // Last: destroyed first, so callbacks of transfers it cancels find the members above alive.
  std::unique_ptr<HttpClient> client_;
};

}  // namespace

std::unique_ptr<DeliveryEngine> DeliveryEngine::create(EngineDeps deps, EngineOptions options) {
  return std::make_unique<Engine>(std::move(deps), std::move(options));
}

std::unique_ptr<DeliveryEngine> DeliveryEngine::create(store::DeliveryQueue& queue,
                                                       store::WebhookStore& webhooks, const Clock& clock,
                                                       EngineOptions options,
                                                       WebhookStatusListener* status_listener) {
  HttpClientOptions client_options;
  client_options.allow_private_networks = options.allow_private_networks;
  client_options.ca_file = options.ca_file;
  client_options.max_response_bytes = options.max_response_bytes;
  client_options.max_host_connections = std::max(1, options.max_in_flight);
  client_options.loops = options.client_loops > 0
                             ? options.client_loops
                             : static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  auto client = HttpClient::create(std::move(client_options));
  // Start-up configuration is an edge where exceptions are the rule (style.md).
  if (!client) throw std::invalid_argument("delivery engine: " + client.error().message);
  auto lookup = std::make_unique<StoreWebhookLookup>(webhooks);
  WebhookLookup& lookup_ref = *lookup;
  return std::make_unique<Engine>(EngineDeps{queue, lookup_ref, clock, SteadyMonotonicClock::instance(),
                                             std::move(*client), status_listener},
                                  std::move(options), std::move(lookup));
}

}  // namespace switchboard::delivery
