// The Store contract for calling webhooks v1: subscriptions (secrets round
// trip, company scoping), fan-out at ingest by type and enabled, the v1 queue
// (claim with a lease, retry, drop) and its listing. Runs against every
// backend of store_backends().
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "store/common/errors.h"
#include "store/store.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using contract::at;
using contract::error_text;
using contract::kT0;
using contract::new_event;

model::V1Webhook v1_hook(const std::string& company_id, const std::string& id, model::V1Type type,
                         bool enabled = true) {
  model::V1Webhook w;
  w.id = id;
  w.company_id = company_id;
  w.spec.type = type;
  w.spec.url = "https://receiver.example.com/" + id;
  w.spec.method = model::V1Method::kGet;
  w.spec.headers = {{"X-Token", "token-" + id}};
  w.spec.query = {{"api_key", "key-" + id}};
  w.spec.fields = {"uid", "clid"};
  w.spec.enabled = enabled;
  w.created_at = w.updated_at = at(kT0 - 1000);
  return w;
}

class V1ContractTest : public contract::DeliveryContractFixture {
 protected:
  void add_v1(const model::V1Webhook& w) {
    auto created = store().create_v1_webhook(w);
    ASSERT_TRUE(created.has_value()) << error_text(created);
  }
  std::vector<V1DueDelivery> claim_v1(TimePoint now, int limit = 100) {
    auto claimed = store().claim_due_v1_deliveries(now, limit, now + std::chrono::minutes(1));
    EXPECT_TRUE(claimed.has_value()) << error_text(claimed);
    return claimed.value_or(std::vector<V1DueDelivery>{});
  }
  std::vector<model::V1Delivery> deliveries(const std::string& company, const std::string& webhook,
                                            std::optional<model::V1DeliveryState> state = std::nullopt) {
    auto page = store().list_v1_deliveries(company, webhook, state, PageRequest{});
    EXPECT_TRUE(page.has_value()) << error_text(page);
    return page ? page->items : std::vector<model::V1Delivery>{};
  }
};

TEST_P(V1ContractTest, WebhookRoundTripsWithSecretsAndIsScopedToItsCompany) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  add_v1(v1_hook("cmp_a", "v1wh_1", model::V1Type::kIncall));
  auto got = store().get_v1_webhook("cmp_a", "v1wh_1");
  ASSERT_TRUE(got.has_value()) << error_text(got);
  EXPECT_EQ(got->spec, v1_hook("cmp_a", "v1wh_1", model::V1Type::kIncall).spec);
  EXPECT_EQ(got->created_at, at(kT0 - 1000));
  EXPECT_EQ(store().get_v1_webhook("cmp_b", "v1wh_1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().delete_v1_webhook("cmp_b", "v1wh_1").error().code, ErrorCode::kNotFound);

  got->spec.enabled = false;
  got->spec.headers = {{"Authorization", "Bearer z"}};
  got->spec.method = model::V1Method::kPost;
  ASSERT_TRUE(store().update_v1_webhook(*got).has_value());
  auto list = store().list_v1_webhooks("cmp_a", PageRequest{});
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].spec, got->spec);
  EXPECT_TRUE(store().list_v1_webhooks("cmp_b", PageRequest{})->items.empty());

  ASSERT_TRUE(store().delete_v1_webhook("cmp_a", "v1wh_1").has_value());
  EXPECT_EQ(store().get_v1_webhook("cmp_a", "v1wh_1").error().code, ErrorCode::kNotFound);
}

// Both backends refuse a taken id and a missing company with the same error
// (the PostgreSQL store alone used to name the taken id).
TEST_P(V1ContractTest, DuplicateIdAndMissingCompanyAreRefusedAlike) {
  seed_company("cmp_a");
  add_v1(v1_hook("cmp_a", "v1wh_1", model::V1Type::kIncall));
  auto again = store().create_v1_webhook(v1_hook("cmp_a", "v1wh_1", model::V1Type::kAfterCall));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().message, messages::kV1WebhookExists);
  auto orphan = store().create_v1_webhook(v1_hook("cmp_none", "v1wh_2", model::V1Type::kIncall));
  ASSERT_FALSE(orphan.has_value());
  EXPECT_EQ(orphan.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(orphan.error().message, messages::kCompanyNotFound);
}

TEST_P(V1ContractTest, IngestQueuesForEnabledWebhooksOfTheMatchingTypeBesideV2) {
  seed_company("cmp_a");
  add_webhook(contract::subscriber("cmp_a", "wh_v2"));
  add_v1(v1_hook("cmp_a", "v1wh_in", model::V1Type::kIncall));
  add_v1(v1_hook("cmp_a", "v1wh_after", model::V1Type::kAfterCall));
  add_v1(v1_hook("cmp_a", "v1wh_off", model::V1Type::kIncall, /*enabled=*/false));

  auto answered = ingest_one(new_event("cmp_a", "evt_1", "call.answered"));
  EXPECT_EQ(answered.deliveries, 2);  // v2 + incall
  auto ended = ingest_one(new_event("cmp_a", "evt_2", "call.end"));
  EXPECT_EQ(ended.deliveries, 2);  // v2 + after_call
  auto message = ingest_one(new_event("cmp_a", "evt_3", "message.sent", ""));
  EXPECT_EQ(message.deliveries, 1);  // v2 only

  auto incall = deliveries("cmp_a", "v1wh_in");
  ASSERT_EQ(incall.size(), 1u);
  EXPECT_EQ(incall[0].event_id, "evt_1");
  EXPECT_EQ(incall[0].state, model::V1DeliveryState::kPending);
  EXPECT_EQ(deliveries("cmp_a", "v1wh_after").size(), 1u);
  EXPECT_TRUE(deliveries("cmp_a", "v1wh_off").empty());
  EXPECT_TRUE(deliveries("cmp_b", "v1wh_in").empty());
}

TEST_P(V1ContractTest, ClaimLeasesRetriesAndDrops) {
  seed_company("cmp_a");
  add_v1(v1_hook("cmp_a", "v1wh_in", model::V1Type::kIncall));
  ingest_one(new_event("cmp_a", "evt_1", "call.initiated"));

  EXPECT_TRUE(claim_v1(at(kT0 - 1)).empty());  // not due yet
  auto due = store().next_v1_due_time();
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(*due, at(kT0));
  auto claimed = claim_v1(at(kT0));
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].spec.query, (std::vector<model::V1Param>{{"api_key", "key-v1wh_in"}}));
  EXPECT_NE(claimed[0].payload.find("\"evt_1\""), std::string::npos);
  EXPECT_TRUE(claim_v1(at(kT0 + 1)).empty());  // leased

  const std::string id = claimed[0].delivery.id;
  V1AttemptOutcome failed{id, false, 500, "http_status", at(kT0 + 30'000), at(kT0 + 10)};
  ASSERT_TRUE(store().record_v1_attempts({failed}).has_value());
  EXPECT_TRUE(claim_v1(at(kT0 + 29'999)).empty());
  ASSERT_EQ(claim_v1(at(kT0 + 30'000)).size(), 1u);

  V1AttemptOutcome dropped{id, false, std::nullopt, "timeout", std::nullopt, at(kT0 + 30'010)};
  ASSERT_TRUE(store().record_v1_attempts({dropped}).has_value());
  EXPECT_TRUE(claim_v1(at(kT0 + 10'000'000)).empty());
  auto listed = deliveries("cmp_a", "v1wh_in", model::V1DeliveryState::kDropped);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].attempts, 2);
  EXPECT_EQ(listed[0].last_error, "timeout");
  EXPECT_FALSE(listed[0].last_status_code.has_value());
  EXPECT_TRUE(deliveries("cmp_a", "v1wh_in", model::V1DeliveryState::kPending).empty());
  EXPECT_EQ(*store().next_v1_due_time(), std::nullopt);
}

TEST_P(V1ContractTest, DisabledWebhooksAreNotClaimedAndDeliveredIsFinal) {
  seed_company("cmp_a");
  add_v1(v1_hook("cmp_a", "v1wh_d", model::V1Type::kDisposition));
  ingest_one(new_event("cmp_a", "evt_1", "call.disposition"));
  auto hook = store().get_v1_webhook("cmp_a", "v1wh_d");
  hook->spec.enabled = false;
  ASSERT_TRUE(store().update_v1_webhook(*hook).has_value());
  EXPECT_TRUE(claim_v1(at(kT0)).empty());
  hook->spec.enabled = true;
  ASSERT_TRUE(store().update_v1_webhook(*hook).has_value());
  auto claimed = claim_v1(at(kT0));
  ASSERT_EQ(claimed.size(), 1u);
  V1AttemptOutcome ok{claimed[0].delivery.id, true, 200, "", std::nullopt, at(kT0 + 5)};
  ASSERT_TRUE(store().record_v1_attempts({ok}).has_value());
  EXPECT_TRUE(claim_v1(at(kT0 + 100'000)).empty());
  auto listed = deliveries("cmp_a", "v1wh_d", model::V1DeliveryState::kDelivered);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].last_status_code, 200);
  EXPECT_EQ(listed[0].attempts, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, V1ContractTest, ::testing::ValuesIn(contract::store_backends()),
                         contract::backend_name);

}  // namespace
}  // namespace switchboard::store
