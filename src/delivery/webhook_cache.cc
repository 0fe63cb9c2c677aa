#include "delivery/webhook_cache.h"

#include <spdlog/spdlog.h>

namespace switchboard::delivery {

const model::Webhook* WebhookCache::active(const std::string& company_id, const std::string& webhook_id,
                                           MonotonicTime now) {
  auto [it, inserted] = entries_.try_emplace(webhook_id);
  Entry& entry = it->second;
  if (inserted || now - entry.fetched_at >= ttl_) {
    auto fetched = lookup_.get_webhook(company_id, webhook_id);
    if (fetched) {
      entry.webhook = std::move(*fetched);
    } else if (fetched.error().code == ErrorCode::kNotFound) {
      entry.webhook.reset();
    } else {
      // A transient store error: keep what we knew (nothing, the first time).
      spdlog::warn("event=webhook_refresh_failed webhook_id={} error=\"{}\"", webhook_id,
                   fetched.error().message);
    }
    entry.fetched_at = now;
  }
  if (!entry.webhook || entry.webhook->status != model::WebhookStatus::kActive) return nullptr;
  return &*entry.webhook;
}

void WebhookCache::sweep(MonotonicTime now) {
  if (!last_sweep_) last_sweep_ = now;
  if (now - *last_sweep_ < kForgetAfter) return;
  last_sweep_ = now;
  std::erase_if(entries_, [&](const auto& entry) { return now - entry.second.fetched_at >= kForgetAfter; });
}

}  // namespace switchboard::delivery
