#include "delivery/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "delivery/attempt_log.h"
#include "delivery/http_client.h"
#include "delivery/lanes.h"
#include "delivery/request_builder.h"
#include "model/retry_policy.h"

namespace switchboard::delivery {

namespace {

using SteadyClock = std::chrono::steady_clock;
using SteadyTime = SteadyClock::time_point;
using std::chrono::milliseconds;

// How long a cached webhook is trusted: disable, rotate and delete take effect within it.
constexpr milliseconds kWebhookTtl{1000};
// The longest the scheduler sleeps without asking the store what is due.
constexpr milliseconds kMaxIdle{1000};
// After the store fails a claim, wait this long before the next.
constexpr milliseconds kClaimBackoff{200};
// Most attempt results written in one Store::record_attempts call.
constexpr std::size_t kMaxRecordBatch = 1024;
constexpr int kRecordTries = 3;

struct CachedWebhook {
  std::optional<model::Webhook> webhook;  // nullopt: deleted, or not active
  SteadyTime fetched_at{};
};

// One attempt that has been handed to the HTTP client.
struct InFlight {
  store::DueDelivery due;
  int attempt = 1;
  TimePoint started_at{};
  BuiltRequest request;
};

struct Completion {
  std::unique_ptr<InFlight> attempt;
  HttpResponse response;
  TimePoint finished_at{};
};

class Engine final : public DeliveryEngine {
 public:
  Engine(store::Store& store, const Clock& clock, EngineOptions options, std::unique_ptr<HttpClient> client)
      : store_(store),
        clock_(clock),
        options_(std::move(options)),
        policy_(model::RetryPolicy::v2(options_.time_scale)),
        max_tracked_(std::max(options_.max_in_flight * 2, options_.claim_batch)),
        lanes_(Lanes<store::DueDelivery>::Limits{
            options_.per_webhook_in_flight, options_.max_in_flight,
            static_cast<std::size_t>(std::max(1, options_.per_webhook_in_flight)), milliseconds(2000)}),
        client_(std::move(client)) {}

  ~Engine() override { stop(milliseconds(0)); }

  void start() override {
    {
      std::lock_guard lock(mutex_);
      if (started_) return;
      started_ = true;
    }
    // A single node owns every lease at start-up: nothing of ours is in flight.
    if (auto released = store_.release_all_leases(); !released) {
      spdlog::warn("event=release_leases_failed error=\"{}\"", released.error().message);
    }
    recorder_ = std::thread([this] { record_loop(); });
    scheduler_ = std::thread([this] { schedule_loop(); });
  }

  void stop(milliseconds drain) override {
    {
      std::lock_guard lock(mutex_);
      if (!started_ || stop_requested_) return;
      stop_requested_ = true;
      drain_deadline_ = SteadyClock::now() + drain;
    }
    cv_.notify_all();
    scheduler_.join();
    {
      std::lock_guard lock(record_mutex_);
      recorder_stopping_ = true;
    }
    record_cv_.notify_all();
    recorder_.join();
  }

  void notify() override {
    {
      std::lock_guard lock(mutex_);
      notified_ = true;
    }
    cv_.notify_one();
  }

  TestDeliveryResult send_test(const model::Webhook& webhook, const std::string& event_id,
                               const std::string& payload) override {
    TestDeliveryResult result;
    auto built = build_delivery_request(webhook, {event_id, payload, 1, clock_.now(), options_.user_agent});
    if (!built) {
      result.error = "other: " + built.error().message;
      return result;
    }
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    auto future = promise->get_future();
    client_->submit(HttpRequest{built->url, built->headers, payload, options_.timeout},
                    [promise](HttpResponse response) { promise->set_value(std::move(response)); });
    const HttpResponse response = future.get();
    result.delivered = response.success();
    result.status_code = response.status_code;
    result.latency_ms = response.latency_ms;
    if (!response.success()) {
      result.error = std::string(model::to_string(response.error)) + ": " + response.error_message;
    }
    return result;
  }

 private:
  // --- scheduler thread ----------------------------------------------------
  void schedule_loop() {
    SteadyTime next_claim = SteadyClock::now();
    bool stopping = false;
    for (;;) {
      std::vector<Completion> done;
      bool notified = false;
      {
        std::unique_lock lock(mutex_);
        const auto ready = [&] {
          return !completions_.empty() || notified_ || (stop_requested_ && !stopping);
        };
        const SteadyTime wake = stopping ? drain_deadline_ : next_claim;
        if (!ready()) cv_.wait_until(lock, wake, ready);
        done.swap(completions_);
        notified = std::exchange(notified_, false);
        stopping = stop_requested_;
      }
      const SteadyTime now = SteadyClock::now();
      for (auto& completion : done) finish(std::move(completion), now);
      if (stopping) {
        // Queued work stays leased in the store; a restart releases it.
        for (const auto& due : lanes_.drop_all_queued()) tracked_.erase(due.delivery.id);
        if (lanes_.in_flight() == 0 || now >= drain_deadline_) break;
        continue;
      }
      const bool room_to_claim = max_tracked_ - static_cast<int>(tracked_.size()) >= min_claim();
      if (notified || now >= next_claim || (more_due_ && room_to_claim)) next_claim = claim(now);
      dispatch(now);
      if (now - last_sweep_ >= milliseconds(60000)) sweep_cache(now);
    }
  }

  int min_claim() const { return std::max(1, std::min(options_.claim_batch, max_tracked_ / 4)); }

  // Claims due work into the lanes; returns when to claim next if nothing wakes us sooner.
  SteadyTime claim(SteadyTime now) {
    for (;;) {
      const int room = max_tracked_ - static_cast<int>(tracked_.size());
      if (room < min_claim()) {
        more_due_ = true;  // claim again as attempts finish
        return now + kMaxIdle;
      }
      const int limit = std::min(options_.claim_batch, room);
      const TimePoint at = clock_.now();
      const TimePoint lease_until = at + options_.lease;
      auto claimed = store_.claim_due_deliveries(at, limit, lease_until);
      if (!claimed) {
        spdlog::warn("event=claim_failed error=\"{}\"", claimed.error().message);
        return now + kClaimBackoff;
      }
      for (auto& due : *claimed) accept(std::move(due), lease_until, now);
      if (static_cast<int>(claimed->size()) < limit) break;
      dispatch(now);  // a full batch: get these going, then look for more
    }
    more_due_ = false;
    // Sleep until the earliest due time (bounded). When that is already past,
    // what is due is in flight or waits behind its chain's head: a recorded
    // result or notify() wakes us.
    milliseconds wait = kMaxIdle;
    if (auto due = store_.next_due_time(); due && *due && **due > clock_.now()) {
      wait = std::min(wait, std::chrono::duration_cast<milliseconds>(**due - clock_.now()) + milliseconds(1));
    }
    return now + wait;
  }

  void accept(store::DueDelivery due, TimePoint lease_until, SteadyTime now) {
    auto [it, inserted] = tracked_.try_emplace(due.delivery.id, lease_until);
    if (!inserted) {
      it->second = lease_until;  // ours already (queued or in flight): the claim renewed its lease
      return;
    }
    const std::string lane = due.delivery.webhook_id;
    // A stalled lane refuses: the delivery stays leased in the store and is claimed again later.
    if (!lanes_.push(lane, std::move(due), now)) tracked_.erase(it);
  }

  void dispatch(SteadyTime now) {
    while (auto next = lanes_.pop(now)) {
      auto& [lane, due] = *next;
      const model::Webhook* webhook = webhook_for(due.delivery, now);
      if (webhook == nullptr) {
        // Deleted or no longer active: forget its queued work; the store keeps it pending.
        for (const auto& dropped : lanes_.drop_queued(lane)) tracked_.erase(dropped.delivery.id);
        tracked_.erase(due.delivery.id);
        lanes_.release(lane, now);
        continue;
      }
      const TimePoint at = clock_.now();
      auto lease = tracked_.find(due.delivery.id);
      if (lease == tracked_.end() || at + options_.timeout >= lease->second) {
        // Waited so long that the lease could lapse mid-attempt; it will be claimed again.
        if (lease != tracked_.end()) tracked_.erase(lease);
        lanes_.release(lane, now);
        continue;
      }
      start_attempt(*webhook, std::move(due), at);
    }
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
    HttpRequest request{attempt->request.url, attempt->request.headers, attempt->due.payload,
                        options_.timeout};
    InFlight* raw = attempt.release();
    client_->submit(std::move(request), [this, raw](HttpResponse response) {
      Completion completion{std::unique_ptr<InFlight>(raw), std::move(response), clock_.now()};
      {
        std::lock_guard lock(mutex_);
        completions_.push_back(std::move(completion));
      }
      cv_.notify_one();
    });
  }

  void finish(Completion completion, SteadyTime now) {
    InFlight& attempt = *completion.attempt;
    const model::Delivery& delivery = attempt.due.delivery;
    lanes_.release(delivery.webhook_id, now);
    tracked_.erase(delivery.id);
    FinishedAttempt finished{&delivery,
                             attempt.attempt,
                             attempt.started_at,
                             completion.finished_at,
                             attempt.request.url.empty() ? nullptr : &attempt.request,
                             attempt.due.payload,
                             &completion.response};
    store::AttemptOutcome outcome = make_attempt_outcome(finished, policy_);
    if (!outcome.attempt.success) {
      spdlog::debug("event=attempt_failed webhook_id={} delivery_id={} attempt={} error={} status={}",
                    delivery.webhook_id, delivery.id, attempt.attempt,
                    model::to_string(outcome.attempt.error), outcome.attempt.status_code.value_or(0));
    }
    {
      std::lock_guard lock(record_mutex_);
      to_record_.push_back(std::move(outcome));
    }
    record_cv_.notify_one();
  }

  // The webhook a delivery goes to, refreshed from the store at most every
  // kWebhookTtl; null when it is gone or not active.
  const model::Webhook* webhook_for(const model::Delivery& delivery, SteadyTime now) {
    auto [it, inserted] = webhooks_.try_emplace(delivery.webhook_id);
    CachedWebhook& cached = it->second;
    if (inserted || now - cached.fetched_at >= kWebhookTtl) {
      auto fetched = store_.get_webhook(delivery.company_id, delivery.webhook_id);
      if (fetched) {
        cached.webhook = std::move(*fetched);
      } else if (fetched.error().code == ErrorCode::kNotFound) {
        cached.webhook.reset();
      } else {
        // A transient store error: keep what we knew (nothing, the first time).
        spdlog::warn("event=webhook_refresh_failed webhook_id={} error=\"{}\"", delivery.webhook_id,
                     fetched.error().message);
      }
      cached.fetched_at = now;
    }
    if (!cached.webhook || cached.webhook->status != model::WebhookStatus::kActive) return nullptr;
    return &*cached.webhook;
  }

  void sweep_cache(SteadyTime now) {
    last_sweep_ = now;
    std::erase_if(webhooks_,
                  [&](const auto& entry) { return now - entry.second.fetched_at >= milliseconds(60000); });
  }

  // --- recorder thread -----------------------------------------------------
  // Writes results in batches: whatever accumulated while the previous write
  // was committing goes into the next, so batches grow with the load.
  void record_loop() {
    for (;;) {
      std::vector<store::AttemptOutcome> batch;
      {
        std::unique_lock lock(record_mutex_);
        record_cv_.wait(lock, [&] { return !to_record_.empty() || recorder_stopping_; });
        if (to_record_.empty()) return;  // stopping, and everything is written
        const auto take = static_cast<std::ptrdiff_t>(std::min(to_record_.size(), kMaxRecordBatch));
        const auto end = to_record_.begin() + take;
        batch.assign(std::make_move_iterator(to_record_.begin()), std::make_move_iterator(end));
        to_record_.erase(to_record_.begin(), end);
      }
      write_batch(batch);
      notify();  // recorded results may have made the next event of a chain due
    }
  }

  void write_batch(const std::vector<store::AttemptOutcome>& batch) {
    for (int attempt = 1;; ++attempt) {
      auto written = store_.record_attempts(batch);
      if (written) return;
      if (attempt >= kRecordTries || !is_retryable(written.error().code)) {
        // The leases lapse and the deliveries are attempted again: at-least-once holds.
        spdlog::error("event=record_attempts_failed count={} error=\"{}\"", batch.size(),
                      written.error().message);
        return;
      }
      std::this_thread::sleep_for(milliseconds(50) * attempt);
    }
  }

  store::Store& store_;
  const Clock& clock_;
  const EngineOptions options_;
  const model::RetryPolicy policy_;
  const int max_tracked_;  // deliveries held in memory (queued + in flight)

  // Shared with the HTTP client's callbacks and the public methods.
  std::mutex mutex_;
  std::condition_variable cv_;
  bool started_ = false;
  bool stop_requested_ = false;
  bool notified_ = false;
  SteadyTime drain_deadline_{};
  std::vector<Completion> completions_;

  // Scheduler thread only.
  Lanes<store::DueDelivery> lanes_;
  std::unordered_map<std::string, TimePoint> tracked_;  // delivery id -> lease_until
  std::unordered_map<std::string, CachedWebhook> webhooks_;
  bool more_due_ = false;
  SteadyTime last_sweep_ = SteadyClock::now();

  // Scheduler -> recorder.
  std::mutex record_mutex_;
  std::condition_variable record_cv_;
  std::vector<store::AttemptOutcome> to_record_;
  bool recorder_stopping_ = false;

  std::thread scheduler_;
  std::thread recorder_;
  // Last: destroyed first, so callbacks of transfers it cancels find the members above alive.
  std::unique_ptr<HttpClient> client_;
};

}  // namespace

std::unique_ptr<DeliveryEngine> DeliveryEngine::create(store::Store& store, const Clock& clock,
                                                       EngineOptions options) {
  HttpClientOptions client_options;
  client_options.allow_private_networks = options.allow_private_networks;
  client_options.ca_file = options.ca_file;
  client_options.max_response_bytes = options.max_response_bytes;
  client_options.max_host_connections = std::max(1, options.max_in_flight);
  auto client = HttpClient::create(std::move(client_options));
  // Start-up configuration is an edge where exceptions are the rule (style.md).
  if (!client) throw std::invalid_argument("delivery engine: " + client.error().message);
  return std::make_unique<Engine>(store, clock, std::move(options), std::move(*client));
}

}  // namespace switchboard::delivery
