#include "delivery/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "delivery/attempt_log.h"
#include "delivery/http_client.h"
#include "delivery/lanes.h"
#include "delivery/request_builder.h"
#include "model/limits.h"
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

struct ClaimedBatch {
  std::vector<store::DueDelivery> deliveries;
  TimePoint lease_until{};
};

struct Completion {
  std::unique_ptr<InFlight> attempt;
  HttpResponse response;
  TimePoint finished_at{};
};

// Test deliveries in flight, bounded per webhook, per company and in all
// (model/limits.h). Each is known by when its timeout ends it, so that a
// refusal can say when a slot is sure to be free. Not thread-safe.
class TestSlots {
 public:
  struct Slot {
    std::string webhook_id;
    std::string company_id;
    SteadyTime ends{};
  };

  // Takes a slot for a test that ends by `ends`, or says which bound is full.
  tl::expected<Slot, TestRefusal> take(const model::Webhook& webhook, SteadyTime now, SteadyTime ends) {
    namespace limits = model::limits;
    if (auto full =
            refusal(held(by_webhook_, webhook.id), limits::kMaxTestsInFlightPerWebhook, "webhook", now))
      return *full;
    if (auto full = refusal(held(by_company_, webhook.company_id), limits::kMaxTestsInFlightPerCompany,
                            "company", now))
      return *full;
    if (auto full = refusal(all_, limits::kMaxTestsInFlightPerServer, "server", now)) return *full;
    by_webhook_[webhook.id].insert(ends);
    by_company_[webhook.company_id].insert(ends);
    all_.insert(ends);
    return Slot{webhook.id, webhook.company_id, ends};
  }

  void give_back(const Slot& slot) {
    erase_one(by_webhook_, slot.webhook_id, slot.ends);
    erase_one(by_company_, slot.company_id, slot.ends);
    if (auto it = all_.find(slot.ends); it != all_.end()) all_.erase(it);
  }

 private:
  using Ends = std::multiset<SteadyTime>;

  static std::optional<tl::unexpected<TestRefusal>> refusal(const Ends& held, int limit, std::string scope,
                                                            SteadyTime now) {
    if (static_cast<int>(held.size()) < limit) return std::nullopt;
    const auto wait = std::chrono::ceil<std::chrono::seconds>(*held.begin() - now);
    return tl::unexpected(TestRefusal{std::move(scope), limit, std::max(wait, std::chrono::seconds(1))});
  }

  static const Ends& held(const std::unordered_map<std::string, Ends>& map, const std::string& key) {
    static const Ends kNone;
    auto entry = map.find(key);
    return entry == map.end() ? kNone : entry->second;
  }

  static void erase_one(std::unordered_map<std::string, Ends>& map, const std::string& key, SteadyTime ends) {
    auto entry = map.find(key);
    if (entry == map.end()) return;
    if (auto it = entry->second.find(ends); it != entry->second.end()) entry->second.erase(it);
    if (entry->second.empty()) map.erase(entry);
  }

  std::unordered_map<std::string, Ends> by_webhook_;
  std::unordered_map<std::string, Ends> by_company_;
  Ends all_;
};

class Engine final : public DeliveryEngine {
 public:
  Engine(store::Store& store, const Clock& clock, EngineOptions options, std::unique_ptr<HttpClient> client)
      : store_(store),
        clock_(clock),
        options_(std::move(options)),
        policy_(model::RetryPolicy::v2(options_.time_scale)),
        max_tracked_(std::max({options_.max_tracked, options_.max_in_flight, 1})),
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
    room_.store(max_tracked_);
    // A single node owns every lease at start-up: nothing of ours is in flight.
    if (options_.shared_store) {
      // ours from before a crash expire like a dead peer's
    } else if (auto released = store_.release_all_leases(); !released) {
      spdlog::warn("event=release_leases_failed error=\"{}\"", released.error().message);
    }
    recorder_ = std::thread([this] { record_loop(); });
    scheduler_ = std::thread([this] { schedule_loop(); });
    claimer_ = std::thread([this] { claim_loop(); });
  }

  void stop(milliseconds drain) override {
    {
      std::lock_guard lock(mutex_);
      if (!started_ || stop_requested_) return;
      stop_requested_ = true;
      drain_deadline_ = SteadyClock::now() + drain;
    }
    cv_.notify_all();
    claim_cv_.notify_all();
    claimer_.join();
    scheduler_.join();
    std::vector<ClaimedBatch> late;  // claimed after the scheduler's last pass
    {
      std::lock_guard lock(mutex_);
      late.swap(claimed_);
    }
    {
      std::lock_guard lock(record_mutex_);
      for (const auto& batch : late) {
        for (const auto& due : batch.deliveries) to_unlease_.push_back({due.delivery.id, batch.lease_until});
      }
      recorder_stopping_ = true;
    }
    record_cv_.notify_all();
    recorder_.join();
  }

  void notify() override {
    {
      std::lock_guard lock(mutex_);
      claim_requested_ = true;
    }
    claim_cv_.notify_one();
  }

  EngineStats stats() const override { return {delivered_.load(), failed_.load(), claimed_total_.load()}; }

  tl::expected<void, TestRefusal> send_test(const model::Webhook& webhook, const std::string& event_id,
                                            const std::string& payload, TestCallback done) override {
    const SteadyTime now = SteadyClock::now();
    TestSlots::Slot slot;
    {
      std::lock_guard lock(tests_mutex_);
      // The client's timeout ends the attempt; a little more for its callback to run.
      auto taken = tests_.take(webhook, now, now + options_.timeout + milliseconds(1000));
      if (!taken) return tl::unexpected(std::move(taken.error()));
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
    client_->submit(HttpRequest{built->url, built->headers, payload, options_.timeout},
                    [this, slot = std::move(slot), done = std::move(done)](HttpResponse response) {
                      give_back_test(slot);
                      TestDeliveryResult result;
                      result.delivered = response.success();
                      result.status_code = response.status_code;
                      result.latency_ms = response.latency_ms;
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

  // --- claimer thread ------------------------------------------------------
  // Claims run on their own thread so that the scheduler never waits on the
  // store: a claim is a write transaction and may queue behind a group commit.
  void claim_loop() {
    SteadyTime next_claim = SteadyClock::now();
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        claim_cv_.wait_until(lock, next_claim, [&] { return claim_requested_ || stop_requested_; });
        if (stop_requested_) return;
        claim_requested_ = false;
      }
      next_claim = claim();
    }
  }

  // Claims due work for the scheduler; returns when to claim next if nothing asks sooner.
  SteadyTime claim() {
    for (;;) {
      const int room = room_.load();
      if (room < min_claim()) {
        more_due_.store(true);  // the scheduler asks again when attempts finish
        return SteadyClock::now() + kMaxIdle;
      }
      const int limit = std::min(options_.claim_batch, room);
      const TimePoint at = clock_.now();
      const TimePoint lease_until = at + options_.lease;
      auto claimed = store_.claim_due_deliveries(at, limit, lease_until, std::max(1, options_.chain_depth));
      if (!claimed) {
        spdlog::warn("event=claim_failed error=\"{}\"", claimed.error().message);
        return SteadyClock::now() + kClaimBackoff;
      }
      const int count = static_cast<int>(claimed->size());
      claimed_total_ += static_cast<std::uint64_t>(count);
      if (count > 0) {
        room_.fetch_sub(count);  // until the scheduler reports the exact figure
        {
          std::lock_guard lock(mutex_);
          claimed_.push_back(ClaimedBatch{std::move(*claimed), lease_until});
        }
        cv_.notify_one();
      }
      if (count < limit) break;
    }
    more_due_.store(false);
    // Sleep until the earliest due time (bounded). When that is already past,
    // what is due is in flight or waits behind its chain's head: a recorded
    // result or notify() wakes us.
    milliseconds wait = kMaxIdle;
    if (auto due = store_.next_due_time(); due && *due && **due > clock_.now()) {
      wait = std::min(wait, std::chrono::duration_cast<milliseconds>(**due - clock_.now()) + milliseconds(1));
    }
    return SteadyClock::now() + wait;
  }

  // --- scheduler thread ----------------------------------------------------
  void schedule_loop() {
    for (;;) {
      std::vector<Completion> done;
      std::vector<ClaimedBatch> batches;
      {
        std::unique_lock lock(mutex_);
        const auto ready = [&] {
          return !completions_.empty() || !claimed_.empty() || (stop_requested_ && !stopping_);
        };
        const SteadyTime wake = stopping_ ? drain_deadline_ : SteadyClock::now() + kMaxIdle;
        if (!ready()) cv_.wait_until(lock, wake, ready);
        done.swap(completions_);
        batches.swap(claimed_);
        stopping_ = stop_requested_;
      }
      const SteadyTime now = SteadyClock::now();
      for (auto& completion : done) finish(std::move(completion), now);
      for (auto& batch : batches) {
        accepted_chain_.clear();
        for (auto& due : batch.deliveries) {
          if (stopping_) {
            to_release_.push_back(
                {due.delivery.id, batch.lease_until});  // claimed while stopping: give it back
          } else {
            accept(std::move(due), batch.lease_until, now);
          }
        }
      }
      if (stopping_) {
        // Work not started goes back to the store at once (the recorder writes it).
        for (auto& due : lanes_.drop_all_queued()) give_back_chain(std::move(due));
        flush_releases();
        if (lanes_.in_flight() == 0 || now >= drain_deadline_) break;
        continue;
      }
      dispatch(now);
      flush_releases();
      publish_room();
      if (now - last_sweep_ >= milliseconds(60000)) sweep_cache(now);
    }
    // Gave up waiting (drain deadline): what is still in flight keeps its lease; a restart releases it.
    for (auto& [key, followers] : chains_) {
      for (auto& due : followers) give_back(due);
    }
    chains_.clear();
    flush_releases();
  }

  // Tells the claimer how much it may claim; asks for a claim when room came back.
  void publish_room() {
    int room = 0;
    if (tracked_bytes_ < options_.max_tracked_bytes) {
      room = std::max(0, max_tracked_ - static_cast<int>(tracked_.size()));
    }
    room_.store(room);
    if (room >= min_claim() && more_due_.load()) notify();
  }

  int min_claim() const { return std::max(1, std::min(options_.claim_batch, max_tracked_ / 4)); }

  // A delivery's chain in memory: "" when it is not part of one.
  static std::string chain_key(const model::Delivery& delivery) {
    if (delivery.ordering_key.empty()) return {};
    return delivery.webhook_id + '\n' + delivery.ordering_key;
  }

  void accept(store::DueDelivery due, TimePoint lease_until, SteadyTime now) {
    const std::string key = chain_key(due.delivery);
    if (due.follows) {
      // Behind the head just accepted (the claim lists a chain's deliveries together).
      auto chain = chains_.find(key);
      if (key.empty() || key != accepted_chain_ || chain == chains_.end() ||
          !tracked_.try_emplace(due.delivery.id, lease_until).second) {
        return;  // its head was refused: it keeps the lease this claim gave it, like the head
      }
      tracked_bytes_ += due.payload.size();
      chain->second.push_back(std::move(due));
      return;
    }
    accepted_chain_.clear();
    auto [it, inserted] = tracked_.try_emplace(due.delivery.id, lease_until);
    if (!inserted) {
      it->second = lease_until;  // ours already (queued or in flight): the claim renewed its lease
      return;
    }
    if (!key.empty() && chains_.contains(key)) {
      // We still hold this chain (its lease ran out while it waited): keep our
      // order; this claim's lease keeps it from being claimed again meanwhile.
      tracked_.erase(it);
      return;
    }
    const std::string lane = due.delivery.webhook_id;
    const std::string id = due.delivery.id;
    const std::size_t bytes = due.payload.size();
    // A stalled lane refuses. The delivery keeps its lease: released now, every
    // claim would bring it back while the endpoint hangs (a busy loop against
    // the store); when the lease ends the lane has had its timeout to recover.
    if (!lanes_.push(lane, std::move(due), now)) {
      tracked_.erase(id);
      return;
    }
    tracked_bytes_ += bytes;
    if (!key.empty()) {
      chains_.try_emplace(key);
      accepted_chain_ = key;
    }
  }

  // Gives a delivery we hold (tracked) back to the store unattempted.
  void give_back(const store::DueDelivery& due) {
    auto held = tracked_.find(due.delivery.id);
    if (held == tracked_.end()) return;  // not ours (any more): its lease is not ours to clear
    to_release_.push_back({due.delivery.id, held->second});
    tracked_.erase(held);
    tracked_bytes_ -= std::min(tracked_bytes_, due.payload.size());
  }

  // Gives back `due`, the current delivery of its chain, and the followers waiting behind it.
  void give_back_chain(const store::DueDelivery& due) {
    give_back(due);
    const std::string key = chain_key(due.delivery);
    if (key.empty()) return;
    if (auto chain = chains_.find(key); chain != chains_.end()) {
      for (const auto& follower : chain->second) give_back(follower);
      chains_.erase(chain);
    }
  }

  // Hands the releases gathered on this pass to the recorder thread.
  void flush_releases() {
    if (to_release_.empty()) return;
    {
      std::lock_guard lock(record_mutex_);
      to_unlease_.insert(to_unlease_.end(), std::make_move_iterator(to_release_.begin()),
                         std::make_move_iterator(to_release_.end()));
    }
    to_release_.clear();
    record_cv_.notify_one();
  }

  void dispatch(SteadyTime now) {
    while (auto next = lanes_.pop(now)) {
      auto& [lane, due] = *next;
      const model::Webhook* webhook = webhook_for(due.delivery, now);
      if (webhook == nullptr) {
        // Deleted or no longer active: give its work back; the store keeps it pending.
        for (const auto& dropped : lanes_.drop_queued(lane)) give_back_chain(dropped);
        give_back_chain(due);
        lanes_.release(lane, now);
        continue;
      }
      const TimePoint at = clock_.now();
      auto lease = tracked_.find(due.delivery.id);
      if (lease == tracked_.end() || at + options_.timeout >= lease->second) {
        // Waited so long that the lease could lapse mid-attempt; it will be claimed again.
        give_back_chain(due);
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
    if (tracked_.erase(delivery.id) > 0)
      tracked_bytes_ -= std::min(tracked_bytes_, attempt.due.payload.size());
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
    const bool succeeded = outcome.attempt.success;
    {
      std::lock_guard lock(record_mutex_);
      to_record_.push_back(std::move(outcome));
    }
    record_cv_.notify_one();
    advance_chain(delivery, succeeded, now);
  }

  // After an attempt of a chain's current delivery: on success the next
  // follower starts; on failure the followers go back untried (they stay
  // blocked in the store behind the delivery that failed).
  void advance_chain(const model::Delivery& delivery, bool succeeded, SteadyTime now) {
    const std::string key = chain_key(delivery);
    if (key.empty()) return;
    auto chain = chains_.find(key);
    if (chain == chains_.end()) return;
    if (!succeeded || stopping_) {
      for (const auto& follower : chain->second) give_back(follower);
      chains_.erase(chain);
      return;
    }
    if (chain->second.empty()) {
      chains_.erase(chain);
      return;
    }
    store::DueDelivery next = std::move(chain->second.front());
    chain->second.pop_front();
    const std::string id = next.delivery.id;
    const std::size_t bytes = next.payload.size();
    if (!lanes_.push(delivery.webhook_id, std::move(next), now)) {
      // The lane stalled meanwhile: this one keeps its lease (see accept()); the rest go back.
      if (tracked_.erase(id) > 0) tracked_bytes_ -= std::min(tracked_bytes_, bytes);
      for (const auto& follower : chain->second) give_back(follower);
      chains_.erase(chain);
    }
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
      std::vector<store::LeaseRelease> unlease;
      {
        std::unique_lock lock(record_mutex_);
        record_cv_.wait(lock,
                        [&] { return !to_record_.empty() || !to_unlease_.empty() || recorder_stopping_; });
        if (to_record_.empty() && to_unlease_.empty()) return;  // stopping, and everything is written
        const auto take = static_cast<std::ptrdiff_t>(std::min(to_record_.size(), kMaxRecordBatch));
        const auto end = to_record_.begin() + take;
        batch.assign(std::make_move_iterator(to_record_.begin()), std::make_move_iterator(end));
        to_record_.erase(to_record_.begin(), end);
        unlease.swap(to_unlease_);
      }
      if (!batch.empty()) write_batch(batch);
      if (!unlease.empty()) {
        // Best effort: a lease not released simply runs out.
        if (auto released = store_.release_leases(unlease); !released) {
          spdlog::warn("event=release_leases_failed count={} error=\"{}\"", unlease.size(),
                       released.error().message);
        }
      }
      notify();  // recorded results may have made the next event of a chain due
    }
  }

  void write_batch(const std::vector<store::AttemptOutcome>& batch) {
    for (int attempt = 1;; ++attempt) {
      auto written = store_.record_attempts(batch);
      if (written) {
        for (const auto& outcome : batch) (outcome.attempt.success ? delivered_ : failed_)++;
        return;
      }
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
  bool claim_requested_ = false;       // notify(): new work may be due
  std::condition_variable claim_cv_;   // wakes the claimer
  std::vector<ClaimedBatch> claimed_;  // claimer -> scheduler
  SteadyTime drain_deadline_{};
  std::vector<Completion> completions_;

  // Scheduler thread only.
  Lanes<store::DueDelivery> lanes_;
  std::unordered_map<std::string, TimePoint> tracked_;  // delivery id -> lease_until
  std::unordered_map<std::string, CachedWebhook> webhooks_;
  // Chains we hold: key -> the claimed followers waiting behind the chain's current delivery.
  std::unordered_map<std::string, std::deque<store::DueDelivery>> chains_;
  std::string accepted_chain_;                   // during a claim: the chain whose head was just accepted
  std::size_t tracked_bytes_ = 0;                // payload bytes of tracked_
  std::vector<store::LeaseRelease> to_release_;  // leases to give back, flushed each pass
  std::atomic<int> room_{0};                     // scheduler -> claimer: deliveries it may claim
  std::atomic<std::uint64_t> delivered_{0}, failed_{0}, claimed_total_{0};  // stats()
  std::atomic<bool> more_due_{false};  // the last claim stopped for lack of room
  bool stopping_ = false;
  SteadyTime last_sweep_ = SteadyClock::now();

  // Scheduler -> recorder.
  std::mutex record_mutex_;
  std::condition_variable record_cv_;
  std::vector<store::AttemptOutcome> to_record_;
  std::vector<store::LeaseRelease> to_unlease_;
  bool recorder_stopping_ = false;

  // Test deliveries (any thread).
  std::mutex tests_mutex_;
  TestSlots tests_;

  std::thread claimer_;
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
