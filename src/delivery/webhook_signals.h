// Webhook status transitions the delivery engine causes, for whoever must
// hear of them (issue 16 item 3: a receiver's 410 Gone disables its webhook;
// the alerts raise `webhook.disabled` from it).
//
// The transition itself is durable before anyone hears of it: the store sets
// the webhook `inactive` with disabled_reason `gone` in the transaction that
// records the attempt (store::AttemptOutcome::disables_webhook), and
// ReportingDeliveryQueue tells the listener after that transaction commits.
// A 410 that arrives again (another attempt in flight at the time, or a
// redelivery after the webhook was enabled) is reported again: listeners that
// send one alert per episode keep their own episode state.
//
// Thread-safety: the listener is called on the engine's recorder thread, one
// call at a time; it must be quick and must not call back into the engine.
#pragma once

#include <spdlog/spdlog.h>

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "model/webhook.h"
#include "store/store.h"

namespace switchboard::delivery {

struct WebhookDisabled {
  std::string company_id;
  std::string webhook_id;
  model::DisabledReason reason = model::DisabledReason::kGone;
  std::optional<int> status_code;  // the receiver's answer (410)
  std::string delivery_id;         // the delivery whose attempt got it
  std::string attempt_id;
  TimePoint at{};  // when that attempt started
};

class WebhookStatusListener {
 public:
  virtual ~WebhookStatusListener() = default;
  // The engine took a webhook out of service (status `inactive`, `reason`).
  virtual void webhook_disabled(const WebhookDisabled& event) = 0;
};

// The engine's DeliveryQueue seen through this decorator: every call goes to
// `inner`; after record_attempts commits, each outcome that disabled its
// webhook is reported to `listener` (when there is one).
class ReportingDeliveryQueue final : public store::DeliveryQueue {
 public:
  ReportingDeliveryQueue(store::DeliveryQueue& inner, WebhookStatusListener* listener)
      : inner_(inner), listener_(listener) {}

  Result<std::vector<store::DueDelivery>> claim_due_deliveries(TimePoint now, int limit,
                                                               TimePoint lease_until,
                                                               int chain_depth) override {
    return inner_.claim_due_deliveries(now, limit, lease_until, chain_depth);
  }
  Result<void> release_leases(const std::vector<store::LeaseRelease>& leases) override {
    return inner_.release_leases(leases);
  }
  Result<void> release_all_leases() override { return inner_.release_all_leases(); }
  Result<std::optional<TimePoint>> next_due_time() override { return inner_.next_due_time(); }
  // The single-node reads too: without them the engine would think the store
  // does not offer them and fall back to leased claims.
  bool offers_pending_reads() const override { return inner_.offers_pending_reads(); }
  Result<void> scan_pending(const std::string& webhook_id, const PendingChunk& chunk) override {
    return inner_.scan_pending(webhook_id, chunk);
  }
  Result<std::vector<store::DueDelivery>> load_pending(const std::vector<std::string>& ids) override {
    return inner_.load_pending(ids);
  }
  Result<void> record_attempts(const std::vector<store::AttemptOutcome>& outcomes) override {
    auto recorded = inner_.record_attempts(outcomes);
    if (recorded) {
      for (const auto& outcome : outcomes) {
        if (!outcome.disables_webhook) continue;
        spdlog::warn("event=webhook_disabled reason=gone webhook_id={} delivery_id={} status=410",
                     outcome.attempt.webhook_id, outcome.attempt.delivery_id);
        const model::Attempt& a = outcome.attempt;
        if (listener_ == nullptr) continue;
        listener_->webhook_disabled(WebhookDisabled{a.company_id, a.webhook_id, model::DisabledReason::kGone,
                                                    a.status_code, a.delivery_id, a.id, a.at});
      }
    }
    return recorded;
  }

 private:
  store::DeliveryQueue& inner_;
  WebhookStatusListener* const listener_;
};

}  // namespace switchboard::delivery
