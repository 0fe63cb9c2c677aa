// WebhookCache: the webhooks deliveries go to, as the engine's scheduler
// thread sees them. Each is fetched through a WebhookLookup and trusted for
// `ttl` (disable, rotate and delete take effect within it); a transient lookup
// error keeps what was known. Entries not used for a minute are swept.
//
// Time is passed in; no thread of its own. Not thread-safe: the scheduler
// thread owns it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "common/result.h"
#include "model/webhook.h"
#include "store/store.h"

namespace switchboard::delivery {

// The one store read the engine makes besides its queue: a webhook by id
// (kNotFound when it is gone). Called from the engine's scheduler thread.
class WebhookLookup {
 public:
  virtual ~WebhookLookup() = default;
  virtual Result<model::Webhook> get_webhook(const std::string& company_id,
                                             const std::string& webhook_id) = 0;
};

// The lookup over the store's webhook role (production).
class StoreWebhookLookup final : public WebhookLookup {
 public:
  explicit StoreWebhookLookup(store::WebhookStore& webhooks) : webhooks_(webhooks) {}
  Result<model::Webhook> get_webhook(const std::string& company_id, const std::string& webhook_id) override {
    return webhooks_.get_webhook(company_id, webhook_id);
  }

 private:
  store::WebhookStore& webhooks_;
};

class WebhookCache {
 public:
  static constexpr std::chrono::milliseconds kDefaultTtl{1000};
  static constexpr std::chrono::milliseconds kForgetAfter{60000};

  explicit WebhookCache(WebhookLookup& lookup, std::chrono::milliseconds ttl = kDefaultTtl)
      : lookup_(lookup), ttl_(ttl) {}

  // The active webhook `webhook_id` of `company_id`, fetched again when older
  // than the ttl; null when it is gone or not active. Valid until the next call.
  const model::Webhook* active(const std::string& company_id, const std::string& webhook_id,
                               MonotonicTime now);

  // Fetched again at its next use: the engine's own results changed its
  // status in the store (a 410 disabled it, exhaustions marked it failed).
  void forget(const std::string& webhook_id) { entries_.erase(webhook_id); }

  // Forgets entries fetched kForgetAfter or longer ago (at most once per kForgetAfter).
  void sweep(MonotonicTime now);

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::optional<model::Webhook> webhook;  // nullopt: deleted, or never fetched successfully
    MonotonicTime fetched_at{};
  };

  WebhookLookup& lookup_;
  const std::chrono::milliseconds ttl_;
  std::unordered_map<std::string, Entry> entries_;
  std::optional<MonotonicTime> last_sweep_;
};

}  // namespace switchboard::delivery
