// TestSlots: test deliveries (POST /webhooks/{id}/test) in flight, bounded
// per webhook, per company and in all (model/limits.h). Each is known by
// when its timeout ends it, so that a refusal can say when a slot is sure to
// be free (rounded up to whole seconds, at least 1).
//
// Pure bookkeeping: no threads, no I/O; time is passed in. Not thread-safe
// (the engine guards it with a mutex).
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "common/clock.h"
#include "common/result.h"
#include "model/limits.h"
#include "model/webhook.h"

namespace switchboard::delivery {

// Why a test delivery was not started: the webhook, its company or this node
// already has the most tests in flight (model/limits.h).
struct TestRefusal {
  std::string scope;  // "webhook", "company" or "server"
  int limit = 0;
  // When a slot of that bound is sure to be free: the earliest test holding
  // one ends by then (its timeout), usually much sooner.
  std::chrono::seconds retry_after{1};
};

class TestSlots {
 public:
  struct Slot {
    std::string webhook_id;
    std::string company_id;
    MonotonicTime ends{};
  };

  // Takes a slot for a test that ends by `ends`, or says which bound is full.
  tl::expected<Slot, TestRefusal> take(const model::Webhook& webhook, MonotonicTime now, MonotonicTime ends) {
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

  std::size_t size() const { return all_.size(); }

 private:
  using Ends = std::multiset<MonotonicTime>;

  static std::optional<tl::unexpected<TestRefusal>> refusal(const Ends& held, int limit, std::string scope,
                                                            MonotonicTime now) {
    if (static_cast<int>(held.size()) < limit) return std::nullopt;
    const auto wait = std::chrono::ceil<std::chrono::seconds>(*held.begin() - now);
    return tl::unexpected(TestRefusal{std::move(scope), limit, std::max(wait, std::chrono::seconds(1))});
  }

  static const Ends& held(const std::unordered_map<std::string, Ends>& map, const std::string& key) {
    static const Ends kNone;
    auto entry = map.find(key);
    return entry == map.end() ? kNone : entry->second;
  }

  static void erase_one(std::unordered_map<std::string, Ends>& map, const std::string& key,
                        MonotonicTime ends) {
    auto entry = map.find(key);
    if (entry == map.end()) return;
    if (auto it = entry->second.find(ends); it != entry->second.end()) entry->second.erase(it);
    if (entry->second.empty()) map.erase(entry);
  }

  std::unordered_map<std::string, Ends> by_webhook_;
  std::unordered_map<std::string, Ends> by_company_;
  Ends all_;
};

}  // namespace switchboard::delivery
