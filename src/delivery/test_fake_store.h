// Test only: an in-memory Store with just what the delivery engine uses
// (webhooks by id, claim/lease/record of deliveries), following the Store
// contract for those methods. Everything else answers kInternal.
// Thread-safe.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "store/store.h"

namespace switchboard::delivery::testing {

class FakeStore final : public store::Store {
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

  // --- not used by the engine -----------------------------------------------
  Result<void> create_v1_webhook(const model::V1Webhook&) override { return unused(); }
  Result<model::V1Webhook> get_v1_webhook(const std::string&, const std::string&) override {
    return unused();
  }
  Result<store::Page<model::V1Webhook>> list_v1_webhooks(const std::string&,
                                                         const store::PageRequest&) override {
    return unused();
  }
  Result<void> update_v1_webhook(const model::V1Webhook&) override { return unused(); }
  Result<void> delete_v1_webhook(const std::string&, const std::string&) override { return unused(); }
  Result<std::vector<store::V1DueDelivery>> claim_due_v1_deliveries(TimePoint, int, TimePoint) override {
    return unused();
  }
  Result<std::optional<TimePoint>> next_v1_due_time() override { return unused(); }
  Result<void> record_v1_attempts(const std::vector<store::V1AttemptOutcome>&) override { return unused(); }
  Result<store::Page<model::V1Delivery>> list_v1_deliveries(const std::string&, const std::string&,
                                                            std::optional<model::V1DeliveryState>,
                                                            const store::PageRequest&) override {
    return unused();
  }
  Result<void> create_company(const model::Company&, const model::User&, const model::ApiToken&) override {
    return unused();
  }
  Result<std::vector<model::Company>> list_companies() override { return unused(); }
  Result<model::Company> get_company(const std::string&) override { return unused(); }
  Result<void> set_managers_can_manage_webhooks(const std::string&, bool) override { return unused(); }
  Result<void> create_user(const model::User&, const std::optional<model::ApiToken>&) override {
    return unused();
  }
  Result<model::User> get_user(const std::string&, const std::string&) override { return unused(); }
  Result<store::Page<model::User>> list_users(const std::string&, const store::PageRequest&) override {
    return unused();
  }
  Result<void> create_token(const model::ApiToken&) override { return unused(); }
  Result<model::Principal> find_principal_by_token_hash(const std::string&) override { return unused(); }
  Result<model::ApiToken> get_token(const std::string&, const std::string&) override { return unused(); }
  Result<store::Page<model::ApiToken>> list_tokens(const std::string&, const std::optional<std::string>&,
                                                   const store::PageRequest&) override {
    return unused();
  }
  Result<model::ApiToken> revoke_token(const std::string&, const std::string&, TimePoint) override {
    return unused();
  }
  Result<void> record_token_use(const std::vector<TokenUse>&) override { return unused(); }
  Result<model::User> deactivate_user(const std::string&, const std::string&, TimePoint) override {
    return unused();
  }
  Result<void> create_webhook(const model::Webhook&, int) override { return unused(); }
  Result<store::Page<model::Webhook>> list_webhooks(const std::string&, const store::PageRequest&) override {
    return unused();
  }
  Result<model::Webhook> update_webhook_spec(const std::string&, const std::string&,
                                             const model::WebhookSpec&,
                                             const std::optional<model::WebhookSecrets>&,
                                             TimePoint) override {
    return unused();
  }
  Result<model::Webhook> set_webhook_status(const std::string&, const std::string&,
                                            const model::StatusChange&, TimePoint) override {
    return unused();
  }
  Result<model::Webhook> rotate_webhook_secret(const std::string&, const std::string&,
                                               const model::WebhookSecrets&, TimePoint) override {
    return unused();
  }
  Result<void> delete_webhook(const std::string&, const std::string&) override { return unused(); }
  Result<void> create_department(const model::Department&, int) override { return unused(); }
  Result<model::Department> get_department(const std::string&, const std::string&) override {
    return unused();
  }
  Result<store::Page<model::Department>> list_departments(const std::string&,
                                                          const store::PageRequest&) override {
    return unused();
  }
  Result<void> update_department(const model::Department&) override { return unused(); }
  Result<void> delete_department(const std::string&, const std::string&) override { return unused(); }
  Result<void> create_agent(const model::Agent&, int) override { return unused(); }
  Result<model::Agent> get_agent(const std::string&, const std::string&) override { return unused(); }
  Result<store::Page<model::Agent>> list_agents(const std::string&, const store::PageRequest&) override {
    return unused();
  }
  Result<void> update_agent(const model::Agent&) override { return unused(); }
  Result<void> delete_agent(const std::string&, const std::string&) override { return unused(); }
  Result<std::vector<Result<store::IngestOutcome>>> ingest_events(
      const std::vector<store::NewEvent>&) override {
    return unused();
  }
  Result<store::Page<model::Attempt>> list_failed_attempts(const store::AttemptQuery&) override {
    return unused();
  }
  Result<model::Attempt> get_attempt(const std::string&, const std::string&, const std::string&) override {
    return unused();
  }
  Result<store::Page<model::Delivery>> list_deliveries(const std::string&, const std::string&,
                                                       std::optional<model::DeliveryState>,
                                                       const store::PageRequest&) override {
    return unused();
  }
  Result<model::Delivery> get_delivery(const std::string&, const std::string&) override { return unused(); }
  Result<model::Event> get_event(const std::string&, const std::string&) override { return unused(); }
  Result<std::vector<model::Event>> list_recent_call_events(const std::string&, TimePoint, int) override {
    return unused();
  }
  Result<std::vector<model::Delivery>> list_event_deliveries(const std::string&,
                                                             const std::string&) override {
    return unused();
  }
  Result<model::Delivery> redeliver(const std::string&, const std::string&, const std::string&,
                                    TimePoint) override {
    return unused();
  }
  Result<int> replay(const std::string&, const std::string&, TimePoint, TimePoint, TimePoint, int) override {
    return unused();
  }
  Result<void> ping() override { return {}; }

 private:
  static tl::unexpected<Error> unused() { return make_error(ErrorCode::kInternal, "not in FakeStore"); }

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
};

}  // namespace switchboard::delivery::testing
