// LocalClaimer: the single-node engine's source of work (issue 14), in place
// of the Claimer when no other node shares the store
// (EngineOptions::shared_store == false): nothing else can claim, so no lease
// is written. Pending deliveries live in a ReadyQueue (ready_queue.h: per-call
// order, one out per chain, the retry timer), fed
// - at start from DeliveryQueue::scan_pending (compact rows, no payloads),
// - by wake-ups that carry the new deliveries (add(): ingest, redelivery),
// - by a rescan of the store (resync(): replay, recover, and a webhook that
//   is active again), which adds only what it does not know and what is not
//   settled in memory with its result still on the way to the store
//   (tombstones, cleared when the recorder has written it: committed()).
// Its thread takes the due heads (at most the scheduler's room), loads their
// rows and payloads in one read per batch (DeliveryQueue::load_pending) and
// hands them to `sink` as a claim whose lease never ends.
// The engine reports back what became of each: settled (delivered,
// exhausted), retry (failed, due again), give_back (not attempted), park (its
// webhook is not active: its deliveries are forgotten until a poll of the
// webhook, at most kMaxIdle apart, finds it active again, then resynced).
//
// Thread-safety: every public method may be called from any thread; start()
// and stop() from the owner's. `sink` runs on the claimer's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/thread_annotations.h"
#include "delivery/ready_queue.h"
#include "delivery/webhook_cache.h"
#include "store/store.h"

namespace switchboard::delivery {

class LocalClaimer {
 public:
  // The longest the thread sleeps; also how often parked webhooks are polled.
  static constexpr std::chrono::milliseconds kMaxIdle{1000};
  // After the store fails a read, wait this long before the next.
  static constexpr std::chrono::milliseconds kBackoff{200};

  struct Options {
    int batch = 1024;   // most deliveries loaded in one read
    int min_claim = 1;  // loads wait for at least this much room
  };
  using Sink = std::function<void(std::vector<store::DueDelivery> claimed, TimePoint lease_until)>;

  LocalClaimer(store::DeliveryQueue& queue, WebhookLookup& webhooks, const Clock& clock,
               const MonotonicClock& monotonic, Options options, Sink sink)
      : queue_(queue),
        webhooks_(webhooks),
        clock_(clock),
        monotonic_(monotonic),
        options_(options),
        sink_(std::move(sink)) {}
  ~LocalClaimer() { stop(); }

  // Loads every pending delivery, then feeds `sink` (room for `room`).
  void start(int room);
  void stop();

  // New pending deliveries (a wake-up that carries them).
  void add(std::vector<store::PendingDelivery> deliveries) EXCLUDES(mutex_);
  // Rescans the store for pending deliveries not known here (coalesced).
  void resync() EXCLUDES(mutex_);

  // Outcomes of deliveries handed out, reported before their results go to
  // the recorder: settled = delivered or exhausted (the chain moves on);
  // retry_at = failed, due again then — but not before committed() says its
  // result is written: the next attempt is loaded from the store, whose row
  // must already count this one (attempt numbers, and a crash in between
  // resends it under the same number rather than skipping one).
  void settled(const std::vector<std::string>& ids) EXCLUDES(mutex_);
  void retry(const std::string& id, TimePoint retry_at) EXCLUDES(mutex_);
  // Handed out but not attempted: due again at `at`.
  void give_back(const std::vector<std::string>& ids, TimePoint at) EXCLUDES(mutex_);
  // `webhook_id` is not active: forget its deliveries (`out_ids`: those
  // handed out and given back) until it is active again.
  void park(const std::string& company_id, const std::string& webhook_id,
            const std::vector<std::string>& out_ids) EXCLUDES(mutex_);
  // The recorder wrote (or, `ok` false, gave up on) the results of `ids`.
  void committed(const std::vector<std::string>& ids, bool ok) EXCLUDES(mutex_);

  void set_room(int room);
  std::uint64_t claimed() const { return claimed_.load(); }
  // Deliveries held in the queue (tests, stats).
  std::size_t size() EXCLUDES(mutex_);

 private:
  void loop();
  // One rescan: all pending (webhook_id "") or one webhook's.
  void rescan(const std::string& webhook_id);
  // Polls parked webhooks (at most every kMaxIdle); resyncs those active again.
  void poll_parked();
  // Loads and hands out what is due, while there is room.
  void feed();
  // When to look again if nothing asks sooner.
  MonotonicTime next_wake() EXCLUDES(mutex_);
  bool add_locked(store::PendingDelivery delivery, TimePoint now) REQUIRES(mutex_);
  void wake();

  store::DeliveryQueue& queue_;
  WebhookLookup& webhooks_;
  const Clock& clock_;
  const MonotonicClock& monotonic_;
  const Options options_;
  const Sink sink_;

  std::mutex mutex_;
  std::condition_variable cv_;
  ReadyQueue ready_ GUARDED_BY(mutex_);
  // Settled here, result not yet written: a rescan must not bring them back.
  // true once written (kept while a rescan that may have read them runs).
  std::unordered_map<std::string, bool> tombstones_ GUARDED_BY(mutex_);
  // Failed, due again at this time once the recorder has written the failure.
  std::unordered_map<std::string, TimePoint> unwritten_retries_ GUARDED_BY(mutex_);
  int rescans_running_ GUARDED_BY(mutex_) = 0;
  // Webhooks not active: id -> company id.
  std::map<std::string, std::string> parked_ GUARDED_BY(mutex_);
  bool requested_ GUARDED_BY(mutex_) = false;
  bool resync_requested_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::optional<MonotonicTime> last_poll_;  // claimer thread only

  std::atomic<int> room_{0};
  std::atomic<std::uint64_t> claimed_{0};
  std::thread thread_;
};

}  // namespace switchboard::delivery
