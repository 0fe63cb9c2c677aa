#include "delivery/claimer_local.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_set>
#include <utility>

namespace switchboard::delivery {

using std::chrono::milliseconds;

namespace {

// A claim on a single node: no lease, so no lease ends.
constexpr TimePoint kNoLeaseEnd = TimePoint::max();

ReadyQueue::Item item_of(store::PendingDelivery&& delivery) {
  return ReadyQueue::Item{std::move(delivery.id), std::move(delivery.webhook_id),
                          std::move(delivery.ordering_key), delivery.sequence, delivery.next_attempt_at};
}

}  // namespace

void LocalClaimer::start(int room) {
  if (thread_.joinable()) return;
  room_.store(room);
  {
    std::lock_guard lock(mutex_);
    resync_requested_ = true;  // the start-up load
  }
  thread_ = std::thread([this] { loop(); });
}

void LocalClaimer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LocalClaimer::wake() {
  {
    std::lock_guard lock(mutex_);
    requested_ = true;
  }
  cv_.notify_one();
}

bool LocalClaimer::add_locked(store::PendingDelivery delivery, TimePoint now) {
  if (delivery.paused) {
    parked_.emplace(delivery.webhook_id, delivery.company_id);
    return false;
  }
  if (parked_.contains(delivery.webhook_id) || tombstones_.contains(delivery.id)) return false;
  return ready_.add(item_of(std::move(delivery)), now);
}

void LocalClaimer::add(std::vector<store::PendingDelivery> deliveries) {
  const TimePoint now = clock_.now();
  {
    std::lock_guard lock(mutex_);
    for (auto& delivery : deliveries) add_locked(std::move(delivery), now);
    requested_ = true;
  }
  cv_.notify_one();
}

void LocalClaimer::resync() {
  {
    std::lock_guard lock(mutex_);
    resync_requested_ = true;
  }
  cv_.notify_one();
}

void LocalClaimer::settled(const std::vector<std::string>& ids) {
  const TimePoint now = clock_.now();
  {
    std::lock_guard lock(mutex_);
    for (const auto& id : ids) {
      if (!ready_.contains(id)) continue;
      ready_.settled(id, now);
      tombstones_.emplace(id, false);
    }
    requested_ = true;
  }
  cv_.notify_one();
}

void LocalClaimer::retry(const std::string& id, TimePoint retry_at) {
  std::lock_guard lock(mutex_);
  unwritten_retries_.insert_or_assign(id, retry_at);  // stays out until committed()
}

void LocalClaimer::give_back(const std::vector<std::string>& ids, TimePoint at) {
  if (ids.empty()) return;
  {
    std::lock_guard lock(mutex_);
    const TimePoint now = clock_.now();
    for (const auto& id : ids) ready_.give_back(id, at, now);
    requested_ = true;
  }
  cv_.notify_one();
}

void LocalClaimer::park(const std::string& company_id, const std::string& webhook_id,
                        const std::vector<std::string>& out_ids) {
  std::lock_guard lock(mutex_);
  parked_.emplace(webhook_id, company_id);
  const std::size_t dropped = ready_.drop_webhook(webhook_id);
  // Those handed out are forgotten too; the store keeps them all pending.
  for (const auto& id : out_ids) ready_.settled(id, clock_.now());
  spdlog::info("event=webhook_parked webhook_id={} forgotten={}", webhook_id, dropped + out_ids.size());
}

void LocalClaimer::committed(const std::vector<std::string>& ids, bool ok) {
  bool rescan = false;
  bool retried = false;
  {
    std::lock_guard lock(mutex_);
    const TimePoint now = clock_.now();
    for (const auto& id : ids) {
      // Written, or given up on (then the store still holds the attempt before,
      // and the next one is numbered from there): due at its time either way.
      if (auto retry = unwritten_retries_.find(id); retry != unwritten_retries_.end()) {
        ready_.retry(id, retry->second, now);
        unwritten_retries_.erase(retry);
        retried = true;
      }
      auto tombstone = tombstones_.find(id);
      if (tombstone == tombstones_.end()) continue;
      if (!ok || rescans_running_ == 0) {
        tombstones_.erase(tombstone);
      } else {
        tombstone->second = true;  // a rescan under way may have read it pending
      }
    }
    // Not written: the store still has them pending; a rescan brings them back.
    if (!ok) rescan = resync_requested_ = true;
    if (retried) requested_ = true;
  }
  if (rescan || retried) cv_.notify_one();
}

void LocalClaimer::set_room(int room) {
  const int before = room_.exchange(room);
  if (room >= options_.min_claim && before < options_.min_claim) wake();
}

std::size_t LocalClaimer::size() {
  std::lock_guard lock(mutex_);
  return ready_.size();
}

void LocalClaimer::loop() {
  MonotonicTime next = monotonic_.now();
  for (;;) {
    bool rescan = false;
    {
      std::unique_lock lock(mutex_);
      monotonic_.wait_until(lock, cv_, next, [&] { return requested_ || resync_requested_ || stopping_; });
      if (stopping_) return;
      requested_ = false;
      rescan = std::exchange(resync_requested_, false);
    }
    if (rescan) this->rescan("");
    poll_parked();
    feed();
    next = next_wake();
  }
}

void LocalClaimer::rescan(const std::string& webhook_id) {
  {
    std::lock_guard lock(mutex_);
    // Written before this read starts: the read sees them settled.
    std::erase_if(tombstones_, [](const auto& entry) { return entry.second; });
    ++rescans_running_;
  }
  const MonotonicTime started = monotonic_.now();
  std::size_t seen = 0, added = 0;
  auto scanned = queue_.scan_pending(webhook_id, [&](std::vector<store::PendingDelivery>& chunk) {
    std::lock_guard lock(mutex_);
    const TimePoint now = clock_.now();
    seen += chunk.size();
    for (auto& delivery : chunk) added += add_locked(std::move(delivery), now) ? 1 : 0;
    requested_ = true;  // the loop feeds once the rescan is done
  });
  std::lock_guard lock(mutex_);
  --rescans_running_;
  if (rescans_running_ == 0) std::erase_if(tombstones_, [](const auto& entry) { return entry.second; });
  if (!scanned) {
    spdlog::warn("event=scan_pending_failed error=\"{}\"", scanned.error().message);
    resync_requested_ = true;  // again at the next wake
    return;
  }
  spdlog::info("event=ready_queue_loaded webhook_id=\"{}\" pending={} added={} held={} ms={}", webhook_id,
               seen, added, ready_.size(),
               std::chrono::duration_cast<milliseconds>(monotonic_.now() - started).count());
}

void LocalClaimer::poll_parked() {
  const MonotonicTime now = monotonic_.now();
  if (last_poll_ && now - *last_poll_ < kMaxIdle) return;
  last_poll_ = now;
  std::map<std::string, std::string> parked;
  {
    std::lock_guard lock(mutex_);
    parked = parked_;
  }
  for (const auto& [webhook_id, company_id] : parked) {
    auto webhook = webhooks_.get_webhook(company_id, webhook_id);
    const bool gone = !webhook && webhook.error().code == ErrorCode::kNotFound;
    const bool active = webhook && webhook->status == model::WebhookStatus::kActive;
    if (!gone && !active) continue;
    {
      std::lock_guard lock(mutex_);
      parked_.erase(webhook_id);
    }
    if (active) rescan(webhook_id);  // gone: its deliveries went with it
  }
}

void LocalClaimer::feed() {
  for (;;) {
    const int room = room_.load();
    if (room < options_.min_claim) return;  // set_room() wakes us
    std::vector<std::string> ids;
    {
      std::lock_guard lock(mutex_);
      ready_.take_due(clock_.now());
      const int limit = std::min(options_.batch, room);
      while (static_cast<int>(ids.size()) < limit) {
        auto item = ready_.pop_ready();
        if (!item) break;
        ids.push_back(std::move(item->id));
      }
    }
    if (ids.empty()) return;
    auto loaded = queue_.load_pending(ids);
    if (!loaded) {
      spdlog::warn("event=load_pending_failed count={} error=\"{}\"", ids.size(), loaded.error().message);
      give_back(ids, clock_.now() + kBackoff);
      return;
    }
    if (loaded->size() < ids.size()) {
      // No longer pending in the store (its webhook was deleted): forget them.
      std::unordered_set<std::string> found;
      for (const auto& due : *loaded) found.insert(due.delivery.id);
      std::lock_guard lock(mutex_);
      for (const auto& id : ids) {
        if (!found.contains(id)) ready_.settled(id, clock_.now());
      }
    }
    const int count = static_cast<int>(loaded->size());
    claimed_ += static_cast<std::uint64_t>(count);
    room_.fetch_sub(count);  // until the scheduler reports the exact figure
    if (count > 0) sink_(std::move(*loaded), kNoLeaseEnd);
  }
}

MonotonicTime LocalClaimer::next_wake() {
  milliseconds wait = kMaxIdle;
  // Without room, what is due waits for set_room().
  if (room_.load() < options_.min_claim) return monotonic_.now() + wait;
  std::lock_guard lock(mutex_);
  if (ready_.ready() > 0) return monotonic_.now();
  if (auto due = ready_.next_due()) {
    const TimePoint now = clock_.now();
    if (*due <= now) {
      wait = milliseconds(0);
    } else {
      wait = std::min(wait, std::chrono::duration_cast<milliseconds>(*due - now) + milliseconds(1));
    }
  }
  return monotonic_.now() + wait;
}

}  // namespace switchboard::delivery
