#include "delivery/webhook_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace switchboard::delivery {
namespace {

using std::chrono::milliseconds;

const MonotonicTime kT0 = MonotonicTime(std::chrono::hours(1));

// Answers from a map; counts the lookups; can fail as the store does when unavailable.
class MapLookup final : public WebhookLookup {
 public:
  Result<model::Webhook> get_webhook(const std::string& company_id, const std::string& webhook_id) override {
    ++calls;
    if (unavailable) return make_error(ErrorCode::kUnavailable, "store down");
    auto it = webhooks.find(webhook_id);
    if (it == webhooks.end() || it->second.company_id != company_id) {
      return make_error(ErrorCode::kNotFound, "webhook not found");
    }
    return it->second;
  }
  void put(const std::string& id, model::WebhookStatus status) {
    model::Webhook webhook;
    webhook.id = id;
    webhook.company_id = "co_1";
    webhook.status = status;
    webhooks[id] = webhook;
  }

  std::map<std::string, model::Webhook> webhooks;
  bool unavailable = false;
  int calls = 0;
};

TEST(WebhookCacheTest, TrustsWhatItFetchedForTheTtl) {
  MapLookup lookup;
  lookup.put("wh_a", model::WebhookStatus::kActive);
  WebhookCache cache(lookup);
  ASSERT_NE(cache.active("co_1", "wh_a", kT0), nullptr);
  lookup.put("wh_a", model::WebhookStatus::kInactive);
  EXPECT_NE(cache.active("co_1", "wh_a", kT0 + milliseconds(999)), nullptr);  // still trusted
  EXPECT_EQ(lookup.calls, 1);
  EXPECT_EQ(cache.active("co_1", "wh_a", kT0 + milliseconds(1000)), nullptr);  // fetched again: inactive
  EXPECT_EQ(lookup.calls, 2);
}

TEST(WebhookCacheTest, WhatItAnswersByLookup) {
  struct Case {
    const char* name;
    bool present;
    model::WebhookStatus status;
    bool unavailable;
    bool want_active;
  };
  const Case cases[] = {
      {"active", true, model::WebhookStatus::kActive, false, true},
      {"inactive", true, model::WebhookStatus::kInactive, false, false},
      {"failed", true, model::WebhookStatus::kFailed, false, false},
      {"deleted", false, model::WebhookStatus::kActive, false, false},
      {"store unavailable, never known", true, model::WebhookStatus::kActive, true, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    MapLookup lookup;
    if (c.present) lookup.put("wh_a", c.status);
    lookup.unavailable = c.unavailable;
    WebhookCache cache(lookup);
    EXPECT_EQ(cache.active("co_1", "wh_a", kT0) != nullptr, c.want_active);
  }
}

TEST(WebhookCacheTest, ATransientErrorKeepsWhatWasKnown) {
  MapLookup lookup;
  lookup.put("wh_a", model::WebhookStatus::kActive);
  WebhookCache cache(lookup);
  ASSERT_NE(cache.active("co_1", "wh_a", kT0), nullptr);
  lookup.unavailable = true;
  EXPECT_NE(cache.active("co_1", "wh_a", kT0 + milliseconds(1000)), nullptr);
  EXPECT_EQ(lookup.calls, 2);
  lookup.unavailable = false;
  lookup.webhooks.clear();
  EXPECT_EQ(cache.active("co_1", "wh_a", kT0 + milliseconds(2000)), nullptr);  // now known to be gone
}

TEST(WebhookCacheTest, SweepForgetsEntriesUnusedForAMinute) {
  MapLookup lookup;
  lookup.put("wh_a", model::WebhookStatus::kActive);
  lookup.put("wh_b", model::WebhookStatus::kActive);
  WebhookCache cache(lookup);
  cache.sweep(kT0);
  cache.active("co_1", "wh_a", kT0);
  cache.active("co_1", "wh_b", kT0 + milliseconds(30000));
  cache.sweep(kT0 + milliseconds(59999));
  EXPECT_EQ(cache.size(), 2u);
  cache.sweep(kT0 + milliseconds(60000));
  EXPECT_EQ(cache.size(), 1u);  // wh_a went
  cache.sweep(kT0 + milliseconds(100000));
  EXPECT_EQ(cache.size(), 1u);  // at most one sweep a minute
  cache.sweep(kT0 + milliseconds(120000));
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace switchboard::delivery
