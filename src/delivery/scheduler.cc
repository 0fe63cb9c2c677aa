#include "delivery/scheduler.h"

#include <algorithm>
#include <utility>

namespace switchboard::delivery {

Scheduler::Scheduler(Limits limits)
    : limits_(limits),
      lanes_(Lanes<store::DueDelivery>::Limits{
          limits.per_webhook_in_flight, limits.max_in_flight,
          static_cast<std::size_t>(std::max(1, limits.per_webhook_in_flight)), limits.stalled_after,
          // A rate-limited webhook holds at most a quarter of what the engine tracks.
          std::chrono::seconds(30), static_cast<std::size_t>(std::max(1, limits.max_tracked / 4))}) {}

bool Scheduler::hold(const store::DueDelivery& due, TimePoint lease_until) {
  if (!held_.try_emplace(due.delivery.id, lease_until).second) return false;
  held_bytes_ += due.payload.size();
  return true;
}

void Scheduler::forget(const store::DueDelivery& due) {
  if (held_.erase(due.delivery.id) > 0) held_bytes_ -= std::min(held_bytes_, due.payload.size());
}

bool Scheduler::accept(store::DueDelivery due, TimePoint lease_until, MonotonicTime now) {
  const std::string key = Chains::key_of(due.delivery);
  if (due.follows) {
    // Behind the head just accepted (the claim lists a chain's deliveries together).
    if (!chains_.accepts_follower(key) || !hold(due, lease_until)) {
      return false;  // its head was refused: it keeps the lease this claim gave it, like the head
    }
    chains_.add_follower(key, std::move(due));
    return true;
  }
  chains_.end_claim_run();
  if (auto held = held_.find(due.delivery.id); held != held_.end()) {
    held->second = lease_until;  // ours already (queued or in flight): the claim renewed its lease
    return true;
  }
  if (!key.empty() && chains_.holds(key)) {
    // We still hold this chain (its lease ran out while it waited): keep our
    // order; this claim's lease keeps it from being claimed again meanwhile.
    return false;
  }
  const std::string lane = due.delivery.webhook_id;
  const std::string id = due.delivery.id;
  const std::size_t bytes = due.payload.size();
  // A stalled lane refuses. The delivery keeps its lease: released now, every
  // claim would bring it back while the endpoint hangs (a busy loop against
  // the store); when the lease ends the lane has had its timeout to recover.
  if (!lanes_.push(lane, std::move(due), now)) return false;
  held_.emplace(id, lease_until);
  held_bytes_ += bytes;
  if (!key.empty()) chains_.open(key);
  return true;
}

std::optional<Scheduler::Ready> Scheduler::next(MonotonicTime now) {
  auto popped = lanes_.pop(now);
  if (!popped) return std::nullopt;
  return Ready{std::move(popped->first), std::move(popped->second)};
}

std::optional<TimePoint> Scheduler::lease_of(const Ready& ready) const {
  auto held = held_.find(ready.due.delivery.id);
  if (held == held_.end()) return std::nullopt;
  return held->second;
}

void Scheduler::give_back_one(const store::DueDelivery& due) {
  auto held = held_.find(due.delivery.id);
  if (held == held_.end()) return;  // not ours (any more): its lease is not ours to clear
  releases_.push_back({due.delivery.id, held->second});
  held_.erase(held);
  held_bytes_ -= std::min(held_bytes_, due.payload.size());
}

void Scheduler::give_back_chain(const store::DueDelivery& due) {
  give_back_one(due);
  const std::string key = Chains::key_of(due.delivery);
  if (key.empty()) return;
  for (const auto& follower : chains_.close(key)) give_back_one(follower);
}

void Scheduler::give_back(const Ready& ready, MonotonicTime now) {
  give_back_chain(ready.due);
  lanes_.release(ready.lane, now);
}

void Scheduler::give_back_lane(const Ready& ready, MonotonicTime now) {
  for (const auto& dropped : lanes_.drop_queued(ready.lane)) give_back_chain(dropped);
  give_back(ready, now);
}

void Scheduler::finished(const store::DueDelivery& due, bool succeeded, bool stopping, MonotonicTime now) {
  const model::Delivery& delivery = due.delivery;
  lanes_.release(delivery.webhook_id, now);
  forget(due);
  // On success the next follower starts; on failure the followers go back
  // untried (they stay blocked in the store behind the delivery that failed).
  const std::string key = Chains::key_of(delivery);
  if (key.empty() || !chains_.holds(key)) return;
  if (!succeeded || stopping) {
    for (const auto& follower : chains_.close(key)) give_back_one(follower);
    return;
  }
  auto next = chains_.next(key);
  if (!next) return;
  const std::string id = next->delivery.id;
  const std::size_t bytes = next->payload.size();
  if (!lanes_.push(delivery.webhook_id, std::move(*next), now)) {
    // The lane stalled meanwhile: this one keeps its lease (see accept()); the rest go back.
    if (held_.erase(id) > 0) held_bytes_ -= std::min(held_bytes_, bytes);
    for (const auto& follower : chains_.close(key)) give_back_one(follower);
  }
}

void Scheduler::give_back_queued() {
  for (auto& due : lanes_.drop_all_queued()) give_back_chain(due);
}

void Scheduler::give_back_followers() {
  for (const auto& follower : chains_.close_all()) give_back_one(follower);
}

std::vector<store::LeaseRelease> Scheduler::take_releases() {
  std::vector<store::LeaseRelease> out;
  out.swap(releases_);
  return out;
}

int Scheduler::room() const {
  if (held_bytes_ >= limits_.max_tracked_bytes) return 0;
  return std::max(0, limits_.max_tracked - static_cast<int>(held_.size()));
}

}  // namespace switchboard::delivery
