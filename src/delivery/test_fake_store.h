// Test only: an in-memory store with just the roles the delivery engine
// uses: its queue (store::DeliveryQueue: claim, lease, record) and webhooks
// by id (WebhookLookup), following the store contract for those methods.
// Thread-safe.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "delivery/webhook_cache.h"
#include "store/store.h"

namespace switchboard::delivery::testing {

class FakeStore final : public store::DeliveryQueue, public WebhookLookup {
 public:
  struct Row {
    store::DueDelivery due;
    TimePoint lease_until{};
  };

  // --- test helpers ---------------------------------------------------------
  void put_webhook(const model::Webhook& webhook) {
    std::lock_guard lock(mutex_);
    webhooks_[webhook.id] = webhook;
  }
  void remove_webhook(const std::string& id) {
    std::lock_guard lock(mutex_);
    webhooks_.erase(id);
  }
  void set_status(const std::string& id, model::WebhookStatus status) {
    std::lock_guard lock(mutex_);
    webhooks_.at(id).status = status;
  }
  // A pending delivery of a new event to `webhook`, due at `due` (and its event at `event_time`).
  model::Delivery add_delivery(const model::Webhook& webhook, const std::string& id, TimePoint due,
                               std::string payload, std::string ordering_key = "",
                               std::optional<std::int64_t> sequence = std::nullopt) {
    model::Delivery delivery;
    delivery.id = id;
    delivery.company_id = webhook.company_id;
    delivery.webhook_id = webhook.id;
    delivery.event_id = "evt_" + id;
    delivery.event_type = "call.answered";
    delivery.ordering_key = std::move(ordering_key);
    delivery.sequence = sequence;
    delivery.event_time = due;
    delivery.next_attempt_at = due;
    delivery.created_at = due;
    std::lock_guard lock(mutex_);
    rows_[id] = Row{store::DueDelivery{delivery, std::move(payload)}, TimePoint{}};
    return delivery;
  }
  std::vector<model::Attempt> attempts() const {
    std::lock_guard lock(mutex_);
    return attempts_;
  }
  std::vector<store::AttemptOutcome> outcomes() const {
    std::lock_guard lock(mutex_);
    return outcomes_;
  }
  std::vector<model::Attempt> attempts_of(const std::string& delivery_id) const {
    std::lock_guard lock(mutex_);
    std::vector<model::Attempt> out;
    for (const auto& a : attempts_) {
      if (a.delivery_id == delivery_id) out.push_back(a);
    }
    return out;
  }
  model::Delivery delivery(const std::string& id) const {
    std::lock_guard lock(mutex_);
    return rows_.at(id).due.delivery;
  }
  TimePoint lease_of(const std::string& id) const {
    std::lock_guard lock(mutex_);
    return rows_.at(id).lease_until;
  }
  int release_calls() const {
    std::lock_guard lock(mutex_);
    return release_calls_;
  }
  int claim_calls() const {
    std::lock_guard lock(mutex_);
    return claim_calls_;
  }
  // Offer the single-node reads (scan_pending, load_pending): the engine then
  // keeps its queue in memory (issue 14). Off by default.
  void offer_pending_reads(bool offer) {
    std::lock_guard lock(mutex_);
    offer_pending_ = offer;
  }
  int list_calls() const {
    std::lock_guard lock(mutex_);
    return list_calls_;
  }
  int load_calls() const {
    std::lock_guard lock(mutex_);
    return load_calls_;
  }
  // Deletes the webhook and, like the store's cascade, its deliveries.
  void delete_webhook(const std::string& id) {
    std::lock_guard lock(mutex_);
    webhooks_.erase(id);
    std::erase_if(rows_, [&](const auto& row) { return row.second.due.delivery.webhook_id == id; });
  }

  // --- what the engine uses ---------------------------------------------------
  Result<model::Webhook> get_webhook(const std::string& company_id, const std::string& webhook_id) override {
    std::lock_guard lock(mutex_);
    auto it = webhooks_.find(webhook_id);
    if (it == webhooks_.end() || it->second.company_id != company_id) {
      return make_error(ErrorCode::kNotFound, "webhook not found");
    }
    return it->second;
  }

  Result<std::vector<store::DueDelivery>> claim_due_deliveries(TimePoint now, int limit,
                                                               TimePoint lease_until,
                                                               int chain_depth) override {
    std::lock_guard lock(mutex_);
    ++claim_calls_;
    std::vector<Row*> due;
    for (auto& [id, row] : rows_) {
      const auto& d = row.due.delivery;
      if (d.state != model::DeliveryState::kPending || !d.next_attempt_at || *d.next_attempt_at > now ||
          row.lease_until > now || !active(d.webhook_id) || !is_chain_head(d)) {
        continue;
      }
      due.push_back(&row);
    }
    std::sort(due.begin(), due.end(), [](const Row* a, const Row* b) {
      return *a->due.delivery.next_attempt_at < *b->due.delivery.next_attempt_at;
    });
    if (static_cast<int>(due.size()) > limit) due.resize(static_cast<std::size_t>(limit));
    const std::size_t room = static_cast<std::size_t>(limit) - due.size();
    std::vector<store::DueDelivery> out;
    for (std::size_t i = 0; i < due.size(); ++i) {
      Row* head = due[i];
      head->lease_until = lease_until;
      out.push_back(head->due);
      const std::size_t share = room / due.size() + (i < room % due.size() ? 1 : 0);
      const auto want = std::min<std::size_t>(share, static_cast<std::size_t>(chain_depth - 1));
      for (Row* follower : followers(head->due.delivery, want)) {
        const auto& d = follower->due.delivery;
        if (!d.next_attempt_at || *d.next_attempt_at > now || follower->lease_until > now) break;
        follower->lease_until = lease_until;
        out.push_back(follower->due);
        out.back().follows = true;
      }
    }
    return out;
  }

  Result<void> release_leases(const std::vector<store::LeaseRelease>& leases) override {
    std::lock_guard lock(mutex_);
    for (const auto& lease : leases) {
      if (auto it = rows_.find(lease.delivery_id);
          it != rows_.end() && it->second.lease_until == lease.lease_until) {
        it->second.lease_until = TimePoint{};
      }
      released_.push_back(lease.delivery_id);
    }
    return {};
  }
  std::vector<std::string> released() const {
    std::lock_guard lock(mutex_);
    return released_;
  }

  bool offers_pending_reads() const override {
    std::lock_guard lock(mutex_);
    return offer_pending_;
  }
  Result<void> scan_pending(const std::string& webhook_id, const PendingChunk& chunk) override {
    std::vector<store::PendingDelivery> out;
    {
      std::lock_guard lock(mutex_);
      ++list_calls_;
      for (const auto& [id, row] : rows_) {
        const auto& d = row.due.delivery;
        if (d.state != model::DeliveryState::kPending ||
            (!webhook_id.empty() && d.webhook_id != webhook_id)) {
          continue;
        }
        store::PendingDelivery pending = store::pending_of(d);
        pending.paused = !active(d.webhook_id);
        out.push_back(std::move(pending));
      }
    }
    // Two rows a chunk, so that tests see more than one.
    for (std::size_t at = 0; at < out.size(); at += 2) {
      std::vector<store::PendingDelivery> part(
          out.begin() + static_cast<std::ptrdiff_t>(at),
          out.begin() + static_cast<std::ptrdiff_t>(std::min(at + 2, out.size())));
      chunk(part);
    }
    return {};
  }
  Result<std::vector<store::DueDelivery>> load_pending(const std::vector<std::string>& ids) override {
    std::lock_guard lock(mutex_);
    ++load_calls_;
    std::vector<store::DueDelivery> out;
    for (const auto& id : ids) {
      auto it = rows_.find(id);
      if (it != rows_.end() && it->second.due.delivery.state == model::DeliveryState::kPending) {
        out.push_back(it->second.due);
      }
    }
    return out;
  }

  Result<void> release_all_leases() override {
    std::lock_guard lock(mutex_);
    ++release_calls_;
    for (auto& [id, row] : rows_) row.lease_until = TimePoint{};
    return {};
  }

  Result<std::optional<TimePoint>> next_due_time() override {
    std::lock_guard lock(mutex_);
    std::optional<TimePoint> earliest;
    for (const auto& [id, row] : rows_) {
      const auto& d = row.due.delivery;
      if (d.state != model::DeliveryState::kPending || !d.next_attempt_at || !active(d.webhook_id)) continue;
      if (!earliest || *d.next_attempt_at < *earliest) earliest = d.next_attempt_at;
    }
    return earliest;
  }

  Result<void> record_attempts(const std::vector<store::AttemptOutcome>& outcomes) override {
    std::lock_guard lock(mutex_);
    for (const auto& outcome : outcomes) {
      auto it = rows_.find(outcome.attempt.delivery_id);
      if (it == rows_.end()) continue;
      auto& d = it->second.due.delivery;
      it->second.lease_until = TimePoint{};
      d.attempts = std::max(d.attempts, outcome.attempt.attempt);
      d.last_status_code = outcome.attempt.status_code;
      if (outcome.attempt.success) {
        d.state = model::DeliveryState::kDelivered;
        d.next_attempt_at.reset();
      } else if (outcome.next_attempt_at) {
        d.next_attempt_at = outcome.next_attempt_at;
      } else {
        d.state = model::DeliveryState::kExhausted;
        d.next_attempt_at.reset();
      }
      attempts_.push_back(outcome.attempt);
      outcomes_.push_back(outcome);
    }
    return {};
  }

 private:
  bool active(const std::string& webhook_id) const {
    auto it = webhooks_.find(webhook_id);
    return it != webhooks_.end() && it->second.status == model::WebhookStatus::kActive;
  }

  // No pending delivery of the same (webhook, ordering key) chain has a lower sequence.
  bool is_chain_head(const model::Delivery& d) const {
    if (d.ordering_key.empty() || !d.sequence) return true;
    for (const auto& [id, row] : rows_) {
      const auto& other = row.due.delivery;
      if (other.state == model::DeliveryState::kPending && other.webhook_id == d.webhook_id &&
          other.ordering_key == d.ordering_key && other.sequence && *other.sequence < *d.sequence) {
        return false;
      }
    }
    return true;
  }

  // Up to `max` pending deliveries after `head` in its chain, in (sequence, id) order.
  std::vector<Row*> followers(const model::Delivery& head, std::size_t max) {
    std::vector<Row*> out;
    if (head.ordering_key.empty() || max == 0) return out;
    for (auto& [id, row] : rows_) {
      const auto& d = row.due.delivery;
      if (d.state == model::DeliveryState::kPending && d.webhook_id == head.webhook_id &&
          d.ordering_key == head.ordering_key &&
          std::tie(*d.sequence, d.id) > std::tie(*head.sequence, head.id)) {
        out.push_back(&row);
      }
    }
    std::sort(out.begin(), out.end(), [](const Row* a, const Row* b) {
      return std::tie(*a->due.delivery.sequence, a->due.delivery.id) <
             std::tie(*b->due.delivery.sequence, b->due.delivery.id);
    });
    if (out.size() > max) out.resize(max);
    return out;
  }

  mutable std::mutex mutex_;
  std::map<std::string, model::Webhook> webhooks_;
  std::map<std::string, Row> rows_;
  std::vector<model::Attempt> attempts_;
  std::vector<store::AttemptOutcome> outcomes_;
  std::vector<std::string> released_;
  int release_calls_ = 0;
  int claim_calls_ = 0;
  bool offer_pending_ = false;
  int list_calls_ = 0;
  int load_calls_ = 0;
};

}  // namespace switchboard::delivery::testing
