// The Store contract for events and the delivery queue: ingest (envelope,
// sequences, idempotency, fan-out), claiming (due time, leases, webhook
// status, per-chain order). Runs against every backend of store_backends().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "model/envelope.h"
#include "store/store.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using contract::at;
using contract::error_text;
using contract::kT0;
using contract::new_event;
using contract::subscriber;
using model::DeliveryState;
using model::WebhookStatus;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

using Ids = std::vector<std::string>;

class DeliveryContractTest : public contract::DeliveryContractFixture {
 protected:
  Ids event_delivery_webhooks(const std::string& company_id, const std::string& event_id) {
    Ids webhooks;
    auto deliveries = store().list_event_deliveries(company_id, event_id);
    EXPECT_TRUE(deliveries.has_value()) << error_text(deliveries);
    if (deliveries) {
      for (const model::Delivery& d : *deliveries) webhooks.push_back(d.webhook_id);
    }
    return webhooks;
  }
};

// --- ingest ------------------------------------------------------------------

TEST_P(DeliveryContractTest, IngestStoresTheEventAndFansOutToMatchingActiveWebhooks) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  struct Case {
    std::string id;
    WebhookStatus status;
    std::vector<std::string> events;
    model::WebhookFilters filters;
    bool gets_delivery;
  };
  const std::vector<Case> cases = {
      {"wh_1", WebhookStatus::kActive, {"call.answered"}, {}, true},
      {"wh_2", WebhookStatus::kInactive, {"call.answered"}, {}, false},
      {"wh_3", WebhookStatus::kFailed, {"call.answered"}, {}, false},
      {"wh_4", WebhookStatus::kActive, {"message.sent", "call.end"}, {}, false},           // not subscribed
      {"wh_5", WebhookStatus::kActive, {"call.answered"}, {{"outbound"}, {}, {}}, false},  // filtered out
      {"wh_6", WebhookStatus::kActive, {"call.answered"}, {{"inbound"}, {"dep_1"}, {"agt_1"}}, true},
      {"wh_7", WebhookStatus::kActive, {"call.answered"}, {{}, {"dep_2"}, {}}, false},
  };
  for (const Case& c : cases) {
    model::Webhook webhook = subscriber("cmp_a", c.id, c.events);
    webhook.status = c.status;
    webhook.spec.filters = c.filters;
    add_webhook(webhook);
  }
  add_webhook(subscriber("cmp_b", "wh_b"));  // another company's webhook gets nothing

  NewEvent in = new_event("cmp_a", "evt_1");
  in.event.idempotency_key = "key-1";
  IngestOutcome outcome = ingest_one(in);
  EXPECT_EQ(outcome.event_id, "evt_1");
  EXPECT_EQ(outcome.sequence, 1);
  EXPECT_FALSE(outcome.duplicate);
  EXPECT_EQ(outcome.deliveries, 2);

  auto event = store().get_event("cmp_a", "evt_1");
  ASSERT_TRUE(event.has_value()) << error_text(event);
  model::Event expected = in.event;
  expected.sequence = 1;
  EXPECT_EQ(event->id, "evt_1");
  EXPECT_EQ(event->company_id, "cmp_a");
  EXPECT_EQ(event->type, "call.answered");
  EXPECT_EQ(event->sequence, 1);
  EXPECT_EQ(event->sequence_key, "call:1");
  EXPECT_EQ(event->occurred_at, in.event.occurred_at);
  EXPECT_EQ(event->created_at, in.event.created_at);
  EXPECT_EQ(event->idempotency_key, "key-1");
  EXPECT_EQ(event->payload, model::compose_envelope(expected, in.data_json));
  EXPECT_NE(event->payload.find("\"event_sequence\":1"), std::string::npos);

  auto deliveries = store().list_event_deliveries("cmp_a", "evt_1");
  ASSERT_TRUE(deliveries.has_value()) << error_text(deliveries);
  ASSERT_EQ(deliveries->size(), 2u);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.id);
    bool found = false;
    for (const model::Delivery& d : *deliveries) found = found || d.webhook_id == c.id;
    EXPECT_EQ(found, c.gets_delivery);
  }
  // Ids are the caller's, in order; every field is set as the contract says.
  const model::Delivery& first = (*deliveries)[0];
  EXPECT_EQ(first.id, "dlv_evt_1_0");
  EXPECT_EQ((*deliveries)[1].id, "dlv_evt_1_1");
  EXPECT_EQ(first.company_id, "cmp_a");
  EXPECT_EQ(first.event_id, "evt_1");
  EXPECT_EQ(first.event_type, "call.answered");
  EXPECT_EQ(first.ordering_key, "call:1");
  EXPECT_EQ(first.sequence, 1);
  EXPECT_EQ(first.state, DeliveryState::kPending);
  EXPECT_EQ(first.attempts, 0);
  EXPECT_EQ(first.event_time, in.event.occurred_at);
  EXPECT_EQ(first.next_attempt_at, in.event.created_at);
  EXPECT_EQ(first.last_status_code, std::nullopt);
  EXPECT_EQ(first.last_error, "");
  EXPECT_EQ(first.created_at, in.event.created_at);

  // Company scoping.
  EXPECT_EQ(store().get_event("cmp_b", "evt_1").error().code, ErrorCode::kNotFound);
  EXPECT_THAT(event_delivery_webhooks("cmp_b", "evt_1"), IsEmpty());
  EXPECT_EQ(store().get_delivery("cmp_b", "dlv_evt_1_0").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().get_event("cmp_a", "evt_missing").error().code, ErrorCode::kNotFound);
}

TEST_P(DeliveryContractTest, SequencesCountPerKeyAndCompany) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  struct Case {
    std::string company_id, key;
    bool sequenced;
    std::optional<std::int64_t> sequence;
  };
  const std::vector<Case> cases = {
      {"cmp_a", "call:1", true, 1},
      {"cmp_a", "call:1", true, 2},
      {"cmp_a", "call:2", true, 1},
      {"cmp_b", "call:1", true, 1},
      {"cmp_a", "call:1", true, 3},
      {"cmp_a", "", false, std::nullopt},
      {"cmp_a", "call:1", false, std::nullopt},  // unsequenced: no number, none consumed
      {"cmp_a", "conversation:1", true, 1},
      {"cmp_a", "call:1", true, 4},
  };
  // One call per event, then the same again as one batch in a fresh key space.
  std::vector<NewEvent> batch;
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(n);
    std::string id = "evt_" + std::to_string(100 + n++);
    NewEvent in = new_event(c.company_id, id, c.sequenced ? "call.answered" : "call.disposition", c.key);
    in.sequenced = c.sequenced;
    IngestOutcome outcome = ingest_one(in);
    EXPECT_EQ(outcome.sequence, c.sequence);
    auto event = store().get_event(c.company_id, id);
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->sequence, c.sequence);
    EXPECT_EQ(event->payload.find("event_sequence") != std::string::npos, c.sequence.has_value());

    NewEvent again = in;
    again.event.id = "evt_" + std::to_string(200 + n);
    if (!again.event.sequence_key.empty()) again.event.sequence_key += ":batch";
    batch.push_back(again);
  }
  auto outcomes = ingest(batch);
  ASSERT_EQ(outcomes.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) EXPECT_EQ(outcomes[i].sequence, cases[i].sequence) << i;
}

TEST_P(DeliveryContractTest, RecentCallEventsAreTheNewestLiveCallEventsOfTheCompanyOldestFirst) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  struct Case {
    std::string company_id, id, type;
    long long created;  // ms after kT0
  };
  const std::vector<Case> cases = {
      {"cmp_a", "evt_old", "call.initiated", -5000},  // before `since`
      {"cmp_a", "evt_1", "call.initiated", 0},
      {"cmp_a", "evt_sum", "call.summary", 10},  // not a live call event
      {"cmp_a", "evt_2", "call.dial_begin", 20},
      {"cmp_a", "evt_msg", "message.received", 25},
      {"cmp_b", "evt_b", "call.answered", 30},  // another company
      {"cmp_a", "evt_3", "call.answered", 40},
      {"cmp_a", "evt_4", "call.end", 50},
  };
  for (const Case& c : cases) {
    NewEvent in = new_event(c.company_id, c.id, c.type, "call:" + c.id, at(kT0 + c.created));
    ingest_one(in);
  }
  auto ids = [&](int max) {
    auto events = store().list_recent_call_events("cmp_a", at(kT0 - 1000), max);
    EXPECT_TRUE(events.has_value()) << error_text(events);
    std::vector<std::string> out;
    if (events) {
      for (const auto& e : *events) out.push_back(e.id);
    }
    return out;
  };
  EXPECT_EQ(ids(100), (std::vector<std::string>{"evt_1", "evt_2", "evt_3", "evt_4"}));
  EXPECT_EQ(ids(2), (std::vector<std::string>{"evt_3", "evt_4"})) << "the newest, still oldest first";
  EXPECT_TRUE(ids(0).empty());
  auto events = store().list_recent_call_events("cmp_a", at(kT0 - 1000), 1);
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].type, "call.end");
  EXPECT_EQ((*events)[0].occurred_at, at(kT0 + 50) - std::chrono::milliseconds(100));
  EXPECT_NE((*events)[0].payload.find(R"("id":"evt_4")"), std::string::npos) << "the envelope with its data";
}

TEST_P(DeliveryContractTest, IdempotencyKeyAnswersWithTheEarlierEvent) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  add_webhook(subscriber("cmp_a", "wh_1"));
  NewEvent first = new_event("cmp_a", "evt_1");
  first.event.idempotency_key = "order-42";
  ASSERT_EQ(ingest_one(first).sequence, 1);

  NewEvent retry = new_event("cmp_a", "evt_2");  // the publisher retried: new id, same key
  retry.event.idempotency_key = "order-42";
  IngestOutcome answer = ingest_one(retry);
  EXPECT_TRUE(answer.duplicate);
  EXPECT_EQ(answer.event_id, "evt_1");
  EXPECT_EQ(answer.sequence, 1);
  EXPECT_EQ(answer.deliveries, 0);
  EXPECT_EQ(store().get_event("cmp_a", "evt_2").error().code, ErrorCode::kNotFound);
  EXPECT_THAT(event_delivery_webhooks("cmp_a", "evt_2"), IsEmpty());

  // Within one batch, and per company.
  NewEvent a = new_event("cmp_a", "evt_3");
  a.event.idempotency_key = "order-43";
  NewEvent b = new_event("cmp_a", "evt_4");
  b.event.idempotency_key = "order-43";
  NewEvent other = new_event("cmp_b", "evt_5");
  other.event.idempotency_key = "order-42";
  auto outcomes = ingest({a, b, other});
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_FALSE(outcomes[0].duplicate);
  EXPECT_EQ(outcomes[0].sequence, 2);  // the duplicate consumed no sequence number
  EXPECT_TRUE(outcomes[1].duplicate);
  EXPECT_EQ(outcomes[1].event_id, "evt_3");
  EXPECT_EQ(outcomes[1].sequence, 2);
  EXPECT_FALSE(outcomes[2].duplicate);
  EXPECT_EQ(outcomes[2].event_id, "evt_5");
  EXPECT_EQ(ingest_one(new_event("cmp_a", "evt_6")).sequence, 3);
}

TEST_P(DeliveryContractTest, ABatchWithStoredKeysAndOneCallsEventsKeepsSequenceAndChainOrder) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  NewEvent first = new_event("cmp_a", "evt_1", "call.answered", "call:8");
  first.event.idempotency_key = "order-42";
  ASSERT_EQ(ingest_one(first).sequence, 1);

  // A retried key, three events of one call and a new key, in one batch.
  NewEvent retry = new_event("cmp_a", "evt_r", "call.answered", "call:8");
  retry.event.idempotency_key = "order-42";
  NewEvent keyed = new_event("cmp_a", "evt_k", "call.answered", "call:7");
  keyed.event.idempotency_key = "order-43";
  auto outcomes = ingest({retry, new_event("cmp_a", "evt_a", "call.answered", "call:9"),
                          new_event("cmp_a", "evt_b", "call.answered", "call:9"), keyed,
                          new_event("cmp_a", "evt_c", "call.answered", "call:9")});
  ASSERT_EQ(outcomes.size(), 5u);
  EXPECT_TRUE(outcomes[0].duplicate);
  EXPECT_EQ(outcomes[0].event_id, "evt_1");
  EXPECT_EQ(outcomes[0].deliveries, 0);
  struct Expected {
    std::size_t index;
    std::string id;
    std::int64_t sequence;
  };
  for (const Expected& e :
       std::vector<Expected>{{1, "evt_a", 1}, {2, "evt_b", 2}, {3, "evt_k", 1}, {4, "evt_c", 3}}) {
    EXPECT_FALSE(outcomes[e.index].duplicate) << e.id;
    EXPECT_EQ(outcomes[e.index].event_id, e.id);
    EXPECT_EQ(outcomes[e.index].sequence, e.sequence) << e.id;
    EXPECT_EQ(outcomes[e.index].deliveries, 1) << e.id;
    auto stored = store().get_event("cmp_a", e.id);
    ASSERT_TRUE(stored.has_value()) << e.id;
    EXPECT_EQ(stored->sequence, e.sequence);
  }
  EXPECT_EQ(store().get_event("cmp_a", "evt_r").error().code, ErrorCode::kNotFound);
  // Each call's chain hands out its head only: call:9's later events wait.
  EXPECT_THAT(claim(at(kT0 + 1)), UnorderedElementsAre("dlv_evt_1_0", "dlv_evt_a_0", "dlv_evt_k_0"));
}

TEST_P(DeliveryContractTest, OneBadEventDoesNotFailTheOthers) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  ASSERT_EQ(ingest_one(new_event("cmp_a", "evt_0")).sequence, 1);

  NewEvent no_type = new_event("cmp_a", "evt_3");
  no_type.event.type.clear();
  NewEvent no_key = new_event("cmp_a", "evt_4");
  no_key.event.sequence_key.clear();  // sequenced without a key
  no_key.sequenced = true;
  struct Case {
    NewEvent event;
    std::optional<ErrorCode> error;  // nullopt = accepted
    std::optional<std::int64_t> sequence;
  };
  const std::vector<Case> cases = {
      {new_event("cmp_a", "evt_1"), std::nullopt, 2},
      {new_event("cmp_a", "evt_0"), ErrorCode::kConflict, std::nullopt},  // the id exists
      {new_event("cmp_a", "evt_2"), std::nullopt, 3},  // the failed one's number was given back
      {no_type, ErrorCode::kInvalidArgument, std::nullopt},
      {no_key, ErrorCode::kInvalidArgument, std::nullopt},
      {new_event("cmp_nope", "evt_5"), ErrorCode::kNotFound, std::nullopt},
      {new_event("cmp_a", "evt_6"), std::nullopt, 4},
  };
  std::vector<NewEvent> batch;
  for (const Case& c : cases) batch.push_back(c.event);
  auto outcomes = store().ingest_events(batch);
  ASSERT_TRUE(outcomes.has_value()) << error_text(outcomes);
  ASSERT_EQ(outcomes->size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].event.event.id);
    const auto& outcome = (*outcomes)[i];
    ASSERT_EQ(outcome.has_value(), !cases[i].error.has_value()) << error_text(outcome);
    if (cases[i].error) {
      EXPECT_EQ(outcome.error().code, *cases[i].error);
    } else {
      EXPECT_EQ(outcome->sequence, cases[i].sequence);
      EXPECT_EQ(outcome->deliveries, 1);
    }
  }
  // The rejected duplicate left the original untouched and added no delivery.
  EXPECT_THAT(event_delivery_webhooks("cmp_a", "evt_0"), ElementsAre("wh_1"));
  EXPECT_EQ(store().get_event("cmp_a", "evt_3").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(claim(at(kT0)).size(), 1u);  // one chain: only its head
}

TEST_P(DeliveryContractTest, ABatchOfAThousandEventsIsOneCall) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  std::vector<NewEvent> batch;
  for (int i = 0; i < 1000; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "evt_%04d", i);
    batch.push_back(new_event("cmp_a", id, "call.answered", "call:" + std::to_string(i % 50)));
  }
  auto outcomes = ingest(batch);
  ASSERT_EQ(outcomes.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(outcomes[i].sequence, i / 50 + 1) << i;
    EXPECT_EQ(outcomes[i].deliveries, 1) << i;
  }
  // Every delivery is there; the queue offers one head per call.
  std::size_t listed = 0;
  PageRequest page{500, ""};
  for (;;) {
    auto deliveries = store().list_deliveries("cmp_a", "wh_1", DeliveryState::kPending, page);
    ASSERT_TRUE(deliveries.has_value()) << error_text(deliveries);
    listed += deliveries->items.size();
    if (!deliveries->has_more) break;
    page.after_id = deliveries->items.back().id;
  }
  EXPECT_EQ(listed, 1000u);
  EXPECT_EQ(claim(at(kT0), 1000).size(), 50u);
}

TEST_P(DeliveryContractTest, ConcurrentPublishersGetDistinctSequences) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::vector<std::vector<std::int64_t>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = "evt_" + std::to_string(t) + "_" + std::to_string(i);
        auto outcomes = store().ingest_events({new_event("cmp_a", id)});
        if (outcomes && outcomes->front()) seen[t].push_back(outcomes->front()->sequence.value_or(0));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<std::int64_t> all;
  for (const auto& per_thread : seen) {
    EXPECT_TRUE(std::is_sorted(per_thread.begin(), per_thread.end()));  // each publisher's in its order
    all.insert(all.end(), per_thread.begin(), per_thread.end());
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], static_cast<std::int64_t>(i + 1));
  EXPECT_EQ(claim(at(kT0)).size(), 1u);  // still one chain, one head
}

// --- claiming ----------------------------------------------------------------

TEST_P(DeliveryContractTest, ClaimRespectsDueTimeAndLeases) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  EXPECT_EQ(store().next_due_time().value(), std::nullopt);
  ingest({new_event("cmp_a", "evt_2", "call.answered", "", at(kT0 + 20)),
          new_event("cmp_a", "evt_1", "call.answered", "", at(kT0 + 10))});
  EXPECT_EQ(store().next_due_time().value(), at(kT0 + 10));

  EXPECT_THAT(claim(at(kT0 + 9)), IsEmpty());  // not due yet
  auto claimed = store().claim_due_deliveries(at(kT0 + 15), 10, at(kT0 + 15) + minutes(1), 1);
  ASSERT_TRUE(claimed.has_value()) << error_text(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].delivery.id, "dlv_evt_1_0");
  EXPECT_EQ((*claimed)[0].payload, store().get_event("cmp_a", "evt_1")->payload);
  EXPECT_EQ((*claimed)[0].delivery.state, DeliveryState::kPending);

  // Ordered by due time; leased ones are not handed out again until the lease ends.
  EXPECT_THAT(claim(at(kT0 + 30)), ElementsAre("dlv_evt_2_0"));
  EXPECT_THAT(claim(at(kT0 + 40)), IsEmpty());
  EXPECT_EQ(store().next_due_time().value(), at(kT0 + 15) + minutes(1));
  EXPECT_THAT(claim(at(kT0 + 15) + minutes(1)), ElementsAre("dlv_evt_1_0"));  // its lease expired

  // A restart releases every lease at once.
  ASSERT_TRUE(store().release_all_leases().has_value());
  EXPECT_THAT(claim(at(kT0 + 50)), ElementsAre("dlv_evt_1_0", "dlv_evt_2_0"));

  // The limit, and arguments that make no sense.
  ASSERT_TRUE(store().release_all_leases().has_value());
  EXPECT_THAT(claim(at(kT0 + 50), 1), ElementsAre("dlv_evt_1_0"));
  EXPECT_EQ(store().claim_due_deliveries(at(kT0), 0, at(kT0 + 1), 1).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store().claim_due_deliveries(at(kT0), 1, at(kT0), 1).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(DeliveryContractTest, ClaimSkipsWebhooksThatAreNotActive) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  add_webhook(subscriber("cmp_a", "wh_2"));
  ingest({new_event("cmp_a", "evt_1", "call.answered", "")});
  const std::vector<WebhookStatus> statuses = {WebhookStatus::kInactive, WebhookStatus::kFailed};
  for (WebhookStatus status : statuses) {
    SCOPED_TRACE(std::string(model::to_string(status)));
    set_status("cmp_a", "wh_1", status);
    EXPECT_THAT(claim(at(kT0)), ElementsAre("dlv_evt_1_1"));  // wh_2's only
    set_status("cmp_a", "wh_2", status);
    EXPECT_THAT(claim(at(kT0 + 1) + minutes(5)), IsEmpty());
    EXPECT_EQ(store().next_due_time().value(), std::nullopt);
    // Its deliveries wait, pending, and go out once it is active again.
    EXPECT_EQ(delivery("cmp_a", "dlv_evt_1_0").state, DeliveryState::kPending);
    set_status("cmp_a", "wh_1", WebhookStatus::kActive);
    set_status("cmp_a", "wh_2", WebhookStatus::kActive);
    EXPECT_EQ(store().next_due_time().value(), at(kT0));
    EXPECT_THAT(claim(at(kT0 + 2) + minutes(5)), UnorderedElementsAre("dlv_evt_1_0", "dlv_evt_1_1"));
    ASSERT_TRUE(store().release_all_leases().has_value());
  }
}

TEST_P(DeliveryContractTest, OneCallGoesToAWebhookInSequenceOrder) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  add_webhook(subscriber("cmp_a", "wh_2"));
  ingest({new_event("cmp_a", "evt_1", "call.answered", "call:1"),
          new_event("cmp_a", "evt_2", "call.answered", "call:1"),
          new_event("cmp_a", "evt_3", "call.end", "call:1"),
          new_event("cmp_a", "evt_4", "call.answered", "call:2"),
          new_event("cmp_a", "evt_5", "call.disposition", "")});
  const TimePoint t = at(kT0);
  // One head per (webhook, call); unsequenced events are independent.
  EXPECT_THAT(claim(t), UnorderedElementsAre("dlv_evt_1_0", "dlv_evt_1_1", "dlv_evt_4_0", "dlv_evt_4_1",
                                             "dlv_evt_5_0", "dlv_evt_5_1"));
  // seq 2 waits while seq 1 is leased...
  EXPECT_THAT(claim(t + seconds(1)), IsEmpty());
  // ...and while seq 1 waits for its retry.
  record({contract::failed_attempt("dlv_evt_1_0", 1, t + seconds(1), t + seconds(30)),
          contract::delivered_attempt("dlv_evt_1_1", 1, t + seconds(1))});
  EXPECT_THAT(claim(t + seconds(2)), ElementsAre("dlv_evt_2_1"));  // wh_2's chain moved on
  EXPECT_THAT(claim(t + seconds(30)), ElementsAre("dlv_evt_1_0"));
  // Delivered: the next one of the chain is due at once.
  record({contract::delivered_attempt("dlv_evt_1_0", 2, t + seconds(31))});
  EXPECT_THAT(claim(t + seconds(31)), ElementsAre("dlv_evt_2_0"));
  // Exhausted also ends a head's turn.
  record({contract::failed_attempt("dlv_evt_2_0", 1, t + seconds(32), std::nullopt)});
  EXPECT_THAT(claim(t + seconds(32)), ElementsAre("dlv_evt_3_0"));
  EXPECT_EQ(delivery("cmp_a", "dlv_evt_2_0").state, DeliveryState::kExhausted);
}

TEST_P(DeliveryContractTest, ClaimOffersChainHeadsOnlyWhateverTheBacklog) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  std::vector<NewEvent> batch;
  for (int i = 0; i < 600; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "evt_%04d", i);
    batch.push_back(new_event("cmp_a", id, "call.answered", "call:" + std::to_string(i % 3)));
  }
  ingest(batch);
  EXPECT_THAT(claim(at(kT0) + minutes(1), 1000),
              UnorderedElementsAre("dlv_evt_0000_0", "dlv_evt_0001_0", "dlv_evt_0002_0"));
}

// Claims with chain_depth: (id, follows) in the order returned.
using Claimed = std::vector<std::pair<std::string, bool>>;

TEST_P(DeliveryContractTest, ChainDepthBringsTheFollowersOfEachHeadInOrder) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  std::vector<NewEvent> batch;
  for (int i = 1; i <= 5; ++i) {
    batch.push_back(new_event("cmp_a", "evt_a" + std::to_string(i), "call.answered", "call:a"));
  }
  batch.push_back(new_event("cmp_a", "evt_b1", "call.answered", "call:b"));
  batch.push_back(new_event("cmp_a", "evt_u", "call.disposition", ""));  // unsequenced: no followers
  ingest(batch);
  const TimePoint t = at(kT0);
  const auto claim_chains = [&](TimePoint now, int limit, int depth) {
    Claimed out;
    auto claimed = store().claim_due_deliveries(now, limit, now + minutes(1), depth);
    EXPECT_TRUE(claimed.has_value()) << error_text(claimed);
    if (claimed) {
      for (const DueDelivery& due : *claimed) out.emplace_back(due.delivery.id, due.follows);
    }
    return out;
  };
  // Three heads; the room limit 6 leaves (three) is shared: one follower each, and only call:a has one.
  Claimed first = claim_chains(t, 6, 3);
  std::sort(first.begin(), first.end());
  EXPECT_THAT(first, ElementsAre(std::pair{std::string("dlv_evt_a1_0"), false},
                                 std::pair{std::string("dlv_evt_a2_0"), true},
                                 std::pair{std::string("dlv_evt_b1_0"), false},
                                 std::pair{std::string("dlv_evt_u_0"), false}));
  // Followers are listed right after their head, in chain order.
  auto again = store().claim_due_deliveries(t + minutes(2), 10, t + minutes(3), 3);
  ASSERT_TRUE(again.has_value());
  std::vector<std::string> order;
  for (const DueDelivery& due : *again) order.push_back(due.delivery.id);
  const auto pos = [&](const std::string& id) {
    return std::find(order.begin(), order.end(), id) - order.begin();
  };
  ASSERT_EQ(order.size(), 5u);
  EXPECT_EQ(pos("dlv_evt_a2_0"), pos("dlv_evt_a1_0") + 1);
  EXPECT_EQ(pos("dlv_evt_a3_0"), pos("dlv_evt_a1_0") + 2);

  // Leased followers are not offered again, even once their head is delivered...
  record({contract::delivered_attempt("dlv_evt_a1_0", 1, t + minutes(2))});
  EXPECT_THAT(claim_chains(t + minutes(2), 10, 3), IsEmpty());
  // ...until they are given back: then the new head and what follows it come at once.
  // A release naming another lease (one that lapsed and was claimed again) changes nothing.
  ASSERT_TRUE(store().release_leases({{"dlv_evt_a2_0", t + minutes(1)}, {"dlv_evt_a3_0", t + minutes(1)}}));
  EXPECT_THAT(claim_chains(t + minutes(2), 10, 3), IsEmpty());
  ASSERT_TRUE(store().release_leases({{"dlv_evt_a2_0", t + minutes(3)}, {"dlv_evt_a3_0", t + minutes(3)}}));
  ASSERT_TRUE(store().release_leases({}).has_value());
  EXPECT_THAT(claim_chains(t + minutes(2), 10, 3), ElementsAre(std::pair{std::string("dlv_evt_a2_0"), false},
                                                               std::pair{std::string("dlv_evt_a3_0"), true},
                                                               std::pair{std::string("dlv_evt_a4_0"), true}));
  EXPECT_EQ(store().claim_due_deliveries(t, 1, t + minutes(1), 0).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(DeliveryContractTest, FollowersStopAtTheFirstOneNotDue) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  ingest({new_event("cmp_a", "evt_1", "call.answered", "call:a", at(kT0)),
          new_event("cmp_a", "evt_2", "call.answered", "call:a", at(kT0 + 60)),
          new_event("cmp_a", "evt_3", "call.answered", "call:a", at(kT0))});
  // evt_2 is not due until kT0 + 60, so evt_3 may not jump ahead of it.
  auto claimed = store().claim_due_deliveries(at(kT0 + 1), 10, at(kT0 + 1) + minutes(1), 10);
  ASSERT_TRUE(claimed.has_value()) << error_text(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].delivery.id, "dlv_evt_1_0");
}

TEST_P(DeliveryContractTest, AHeadAndItsFollowerSettledInOneBatchAdvanceTheChainPastBoth) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  std::vector<NewEvent> batch;
  for (int i = 1; i <= 4; ++i) batch.push_back(new_event("cmp_a", "evt_" + std::to_string(i)));
  ingest(batch);
  const TimePoint t = at(kT0);
  auto claimed = store().claim_due_deliveries(t, 10, t + minutes(1), 3);
  ASSERT_TRUE(claimed.has_value()) << error_text(claimed);
  ASSERT_EQ(claimed->size(), 3u);
  record({contract::delivered_attempt("dlv_evt_1_0", 1, t + seconds(1)),
          contract::failed_attempt("dlv_evt_2_0", 1, t + seconds(1), std::nullopt)});
  EXPECT_EQ(delivery("cmp_a", "dlv_evt_2_0").state, DeliveryState::kExhausted);
  // seq 3 is still leased (given back unattempted later): nothing until then.
  EXPECT_THAT(claim(t + seconds(2)), IsEmpty());
  EXPECT_EQ(store().next_due_time().value(), t + minutes(1));
  ASSERT_TRUE(store().release_leases({{"dlv_evt_3_0", t + minutes(1)}}).has_value());
  EXPECT_EQ(store().next_due_time().value(), t);
  EXPECT_THAT(claim(t + seconds(2)), ElementsAre("dlv_evt_3_0"));
}

INSTANTIATE_TEST_SUITE_P(Backends, DeliveryContractTest, ::testing::ValuesIn(contract::store_backends()),
                         contract::backend_name);

}  // namespace
}  // namespace switchboard::store
