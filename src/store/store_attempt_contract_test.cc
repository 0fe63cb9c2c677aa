// The Store contract for attempt results and what follows from them:
// delivery states, the failure log, subscription health, delivery logs,
// deleting webhooks, redelivery and replay. Runs against every backend of
// store_backends().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "model/webhook_changes.h"
#include "store/store.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using namespace contract::vocabulary;  // at, kT0, new_event, failed_attempt, …
using model::AttemptError;
using model::DeliveryState;
using model::WebhookStatus;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

using Ids = std::vector<std::string>;

class AttemptContractTest : public contract::DeliveryContractFixture {
 protected:
  Ids failure_ids(AttemptQuery query) {
    Ids ids;
    auto page = store().list_failed_attempts(query);
    EXPECT_TRUE(page.has_value()) << error_text(page);
    if (page) {
      for (const model::Attempt& a : page->items) ids.push_back(a.id);
    }
    return ids;
  }
  Ids delivery_ids(const std::string& company_id, const std::string& webhook_id,
                   std::optional<DeliveryState> state = std::nullopt, PageRequest page = {}) {
    Ids ids;
    auto deliveries = store().list_deliveries(company_id, webhook_id, state, page);
    EXPECT_TRUE(deliveries.has_value()) << error_text(deliveries);
    if (deliveries) {
      for (const model::Delivery& d : deliveries->items) ids.push_back(d.id);
    }
    return ids;
  }
  model::Webhook webhook(const std::string& id) { return store().get_webhook("cmp_a", id).value(); }
};

TEST_P(AttemptContractTest, RecordingMovesDeliveriesAndKeepsOnlyFailures) {
  seed_subscriber("cmp_a", "wh_1");
  ingest_unsequenced({"evt_1", "evt_2", "evt_3"});
  const TimePoint t = at(kT0);
  ASSERT_EQ(claim(t).size(), 3u);

  AttemptOutcome timeout = failed_attempt("dlv_evt_2_0", 1, t + seconds(1), t + seconds(31));
  timeout.attempt.status_code.reset();
  timeout.attempt.error = AttemptError::kTimeout;
  record({delivered_attempt("dlv_evt_1_0", 1, t + seconds(1)), timeout,
          failed_attempt("dlv_evt_3_0", 1, t + seconds(1), std::nullopt, 503)});

  struct Case {
    std::string id;
    DeliveryState state;
    int attempts;
    std::optional<int> status;
    std::string error;
    std::optional<TimePoint> next;
  };
  const std::vector<Case> cases = {
      {"dlv_evt_1_0", DeliveryState::kDelivered, 1, 200, "", std::nullopt},
      {"dlv_evt_2_0", DeliveryState::kPending, 1, std::nullopt, "timeout", t + seconds(31)},
      {"dlv_evt_3_0", DeliveryState::kExhausted, 1, 503, "http_status", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.id);
    model::Delivery d = delivery("cmp_a", c.id);
    EXPECT_EQ(d.state, c.state);
    EXPECT_EQ(d.attempts, c.attempts);
    EXPECT_EQ(d.last_status_code, c.status);
    EXPECT_EQ(d.last_error, c.error);
    EXPECT_EQ(d.next_attempt_at, c.next);
    EXPECT_EQ(d.updated_at, t + seconds(1));
  }
  // The lease is gone: the retry goes out when due, not when the lease would have ended.
  EXPECT_THAT(claim(t + seconds(31)), ElementsAre("dlv_evt_2_0"));

  // Only the failures are in the log, newest id first, with every field.
  EXPECT_THAT(failure_ids({"cmp_a", "wh_1"}), ElementsAre("att_dlv_evt_3_0_1", "att_dlv_evt_2_0_1"));
  auto stored = store().get_attempt("cmp_a", "wh_1", "att_dlv_evt_2_0_1");
  ASSERT_TRUE(stored.has_value()) << error_text(stored);
  const model::Attempt& want = timeout.attempt;
  EXPECT_EQ(stored->company_id, "cmp_a");
  EXPECT_EQ(stored->webhook_id, "wh_1");
  EXPECT_EQ(stored->delivery_id, "dlv_evt_2_0");
  EXPECT_EQ(stored->event_id, "evt_2");
  EXPECT_EQ(stored->event_type, "call.answered");
  EXPECT_EQ(stored->attempt, 1);
  EXPECT_EQ(stored->at, want.at);
  EXPECT_FALSE(stored->success);
  EXPECT_EQ(stored->status_code, std::nullopt);
  EXPECT_EQ(stored->error, AttemptError::kTimeout);
  EXPECT_EQ(stored->error_message, want.error_message);
  EXPECT_DOUBLE_EQ(stored->latency_ms, want.latency_ms);
  EXPECT_EQ(stored->request_url, want.request_url);
  EXPECT_EQ(stored->request_headers, want.request_headers);
  EXPECT_EQ(stored->request_body, want.request_body);
  EXPECT_EQ(stored->response_headers, want.response_headers);
  EXPECT_EQ(stored->response_body, want.response_body);
  EXPECT_EQ(store().get_attempt("cmp_a", "wh_1", "att_dlv_evt_1_0_1").error().code, ErrorCode::kNotFound);
}

TEST_P(AttemptContractTest, RecordingSkipsWhatIsGoneOrSettled) {
  seed_subscriber("cmp_a", "wh_1");
  ingest_unsequenced({"evt_1"});
  const TimePoint t = at(kT0);
  record({delivered_attempt("dlv_evt_1_0", 1, t)});
  // A late report of the same delivery (an expired lease's duplicate attempt),
  // and one of a delivery that does not exist, change nothing.
  record({failed_attempt("dlv_evt_1_0", 2, t + seconds(1), std::nullopt),
          failed_attempt("dlv_nope", 1, t + seconds(1), std::nullopt)});
  EXPECT_EQ(delivery("cmp_a", "dlv_evt_1_0").state, DeliveryState::kDelivered);
  EXPECT_THAT(failure_ids({"cmp_a", "wh_1"}), IsEmpty());
  EXPECT_EQ(webhook("wh_1").consecutive_exhausted, 0);

  AttemptOutcome bad = failed_attempt("dlv_evt_1_0", 0, t, std::nullopt);
  EXPECT_EQ(store().record_attempts({bad}).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(AttemptContractTest, ThreeExhaustedDeliveriesInARowFailTheWebhook) {
  seed_subscriber("cmp_a", "wh_1");
  add_webhook(subscriber("cmp_a", "wh_2"));
  set_status("cmp_a", "wh_2", WebhookStatus::kInactive);
  ingest_unsequenced({"evt_1", "evt_2", "evt_3", "evt_4", "evt_5", "evt_6", "evt_7"});
  const TimePoint t = at(kT0);
  auto exhaust = [&](const std::string& id) { record({failed_attempt(id, 26, t, std::nullopt)}); };
  auto succeed = [&](const std::string& id) { record({delivered_attempt(id, 3, t)}); };

  struct Step {
    std::string delivery_id;
    bool success;
    int consecutive;
    WebhookStatus status;
  };
  const std::vector<Step> steps = {
      {"dlv_evt_1_0", false, 1, WebhookStatus::kActive}, {"dlv_evt_2_0", false, 2, WebhookStatus::kActive},
      {"dlv_evt_3_0", true, 0, WebhookStatus::kActive},  // a success resets the count
      {"dlv_evt_4_0", false, 1, WebhookStatus::kActive}, {"dlv_evt_5_0", false, 2, WebhookStatus::kActive},
      {"dlv_evt_6_0", false, 3, WebhookStatus::kFailed},
  };
  for (const Step& step : steps) {
    SCOPED_TRACE(step.delivery_id);
    step.success ? succeed(step.delivery_id) : exhaust(step.delivery_id);
    EXPECT_EQ(webhook("wh_1").consecutive_exhausted, step.consecutive);
    EXPECT_EQ(webhook("wh_1").status, step.status);
  }
  // A failed webhook gets nothing; its last delivery waits, pending.
  EXPECT_THAT(claim(t + hours(1)), IsEmpty());
  EXPECT_EQ(delivery("cmp_a", "dlv_evt_7_0").state, DeliveryState::kPending);
  // Neither the failed nor the inactive webhook gets new deliveries.
  ingest_unsequenced({"evt_8"});
  EXPECT_THAT(delivery_ids("cmp_a", "wh_2"), IsEmpty());
  EXPECT_EQ(delivery_ids("cmp_a", "wh_1").size(), 7u);
  // An inactive webhook's count goes up, but it stays inactive.
  set_status("cmp_a", "wh_2", WebhookStatus::kActive, 2);
  ingest_unsequenced({"evt_9"});
  set_status("cmp_a", "wh_2", WebhookStatus::kInactive, 2);
  exhaust("dlv_evt_9_0");
  EXPECT_EQ(webhook("wh_2").consecutive_exhausted, 3);
  EXPECT_EQ(webhook("wh_2").status, WebhookStatus::kInactive);

  // Re-enabled (the API resets the count), the waiting delivery goes out.
  set_status("cmp_a", "wh_1", WebhookStatus::kActive, 0);
  EXPECT_THAT(claim(t + hours(1)), ElementsAre("dlv_evt_7_0"));
}

// Issue 16 item 3: a 410 Gone sets the webhook inactive with reason `gone`
// in the transaction that records it; its deliveries wait (paused) until an
// admin enables it, which clears the reason. A 410 that also exhausted its
// delivery leaves the webhook inactive, not failed.
TEST_P(AttemptContractTest, GoneDisablesTheWebhookInTheSameTransaction) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  add_webhook(subscriber("cmp_a", "wh_2"));
  set_status("cmp_a", "wh_2", WebhookStatus::kActive, 2);
  ingest_unsequenced({"evt_1", "evt_2"});
  const TimePoint t = at(kT0);
  ASSERT_EQ(claim(t).size(), 4u);

  AttemptOutcome gone = failed_attempt("dlv_evt_1_0", 1, t + seconds(1), t + seconds(31), 410);
  gone.disables_webhook = true;
  AttemptOutcome other = failed_attempt("dlv_evt_2_0", 1, t + seconds(1), t + seconds(31), 500);
  AttemptOutcome gone_exhausted = failed_attempt("dlv_evt_1_1", 26, t + seconds(1), std::nullopt, 410);
  gone_exhausted.disables_webhook = true;
  record({gone, other, gone_exhausted});

  struct Case {
    std::string webhook_id;
    WebhookStatus status;
    std::optional<model::DisabledReason> reason;
  };
  for (const Case& c : std::vector<Case>{{"wh_1", WebhookStatus::kInactive, model::DisabledReason::kGone},
                                         {"wh_2", WebhookStatus::kInactive, model::DisabledReason::kGone}}) {
    SCOPED_TRACE(c.webhook_id);
    EXPECT_EQ(webhook(c.webhook_id).status, c.status);
    EXPECT_EQ(webhook(c.webhook_id).disabled_reason, c.reason);
  }
  // The 410 is an attempt like any failure: logged, the delivery pending at its next time.
  EXPECT_EQ(delivery("cmp_a", "dlv_evt_1_0").state, DeliveryState::kPending);
  EXPECT_EQ(delivery("cmp_a", "dlv_evt_1_0").last_status_code, 410);
  EXPECT_EQ(delivery("cmp_a", "dlv_evt_1_1").state, DeliveryState::kExhausted);
  EXPECT_THAT(failure_ids({"cmp_a", "wh_1"}), ElementsAre("att_dlv_evt_2_0_1", "att_dlv_evt_1_0_1"));
  // Nothing goes to a webhook that said Gone.
  EXPECT_THAT(claim(t + hours(1)), IsEmpty());

  // Enabled again (the API's StatusChange has no reason): the reason is gone, the work goes out.
  set_status("cmp_a", "wh_1", WebhookStatus::kActive, 0);
  EXPECT_EQ(webhook("wh_1").disabled_reason, std::nullopt);
  EXPECT_THAT(claim(t + hours(1)), ::testing::UnorderedElementsAre("dlv_evt_1_0", "dlv_evt_2_0"));
}

// Issue 13 item 4: a PATCH (or a secret rotation) that read the webhook
// before the engine marked it failed writes only its own columns, so the
// `failed` status and the health count the engine set survive it. (The old
// whole-row update_webhook wrote the stale `active` back.)
TEST_P(AttemptContractTest, EditBasedOnAStaleReadKeepsTheFailedStatus) {
  seed_subscriber("cmp_a", "wh_1");
  set_status("cmp_a", "wh_1", WebhookStatus::kActive, 2);
  ingest_unsequenced({"evt_1"});
  const model::Webhook read = webhook("wh_1");  // what the PATCH handler loaded
  ASSERT_EQ(read.status, WebhookStatus::kActive);

  // Meanwhile the engine records the third exhausted delivery in a row.
  record({failed_attempt("dlv_evt_1_0", 26, at(kT0), std::nullopt)});
  ASSERT_EQ(webhook("wh_1").status, WebhookStatus::kFailed);

  // The PATCH goes on from its read: a new name, the secret kept.
  model::WebhookInput input{read.spec, model::SecretChange{}, {}};
  input.spec.name = "renamed";
  std::optional<model::WebhookEdit> edit = model::plan_webhook_patch(read, input, "", at(kT0 + 1000));
  ASSERT_TRUE(edit.has_value());
  auto patched = store().update_webhook_spec("cmp_a", "wh_1", edit->spec, edit->secrets, at(kT0 + 1000));
  ASSERT_TRUE(patched.has_value()) << error_text(patched);
  EXPECT_EQ(patched->spec.name, "renamed");
  EXPECT_EQ(webhook("wh_1").status, WebhookStatus::kFailed);
  EXPECT_EQ(webhook("wh_1").consecutive_exhausted, 3);

  // A rotation from the same stale read changes the secrets and nothing else.
  model::SecretChangeResult rotated = model::apply_secret_change(
      model::secrets_of(read), model::SecretChange{model::SecretChange::Kind::kGenerate, "", true},
      "whsec_rotated", at(kT0 + 2000), false);
  auto rotation = store().rotate_webhook_secret("cmp_a", "wh_1", rotated.secrets, at(kT0 + 2000));
  ASSERT_TRUE(rotation.has_value()) << error_text(rotation);
  EXPECT_EQ(rotation->secret, "whsec_rotated");
  EXPECT_EQ(rotation->spec.name, "renamed");
  EXPECT_EQ(webhook("wh_1").status, WebhookStatus::kFailed);
  EXPECT_EQ(webhook("wh_1").consecutive_exhausted, 3);
  // A failed webhook stays paused: the stale edit did not resume it.
  ingest_unsequenced({"evt_2"});
  EXPECT_THAT(claim(at(kT0) + hours(1)), IsEmpty());
}

TEST_P(AttemptContractTest, FailureLogFiltersAndPages) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  add_webhook(subscriber("cmp_a", "wh_1"));
  add_webhook(subscriber("cmp_a", "wh_2"));
  ingest({new_event("cmp_a", "evt_1", "call.answered", ""), new_event("cmp_a", "evt_2", "call.end", "")});
  const TimePoint t = at(kT0);
  AttemptOutcome dns = failed_attempt("dlv_evt_2_0", 2, t + minutes(2), t + minutes(3));
  dns.attempt.status_code.reset();
  dns.attempt.error = AttemptError::kDns;
  record({failed_attempt("dlv_evt_1_0", 1, t + minutes(1), t + minutes(2), 500),
          failed_attempt("dlv_evt_2_0", 1, t + minutes(1), t + minutes(2), 404)});
  record({failed_attempt("dlv_evt_1_0", 2, t + minutes(2), t + minutes(3), 500), dns});
  record({failed_attempt("dlv_evt_1_0", 3, t + minutes(3), t + minutes(4), 502),
          failed_attempt("dlv_evt_1_1", 1, t + minutes(3), t + minutes(4), 500)});  // wh_2's

  auto query = [](auto&& adjust) {
    AttemptQuery q{"cmp_a", "wh_1"};
    adjust(q);
    return q;
  };
  struct Case {
    std::string name;
    AttemptQuery query;
    Ids ids;
  };
  const std::vector<Case> cases = {
      {"all, newest first",
       query([](AttemptQuery&) {}),
       {"att_dlv_evt_2_0_2", "att_dlv_evt_2_0_1", "att_dlv_evt_1_0_3", "att_dlv_evt_1_0_2",
        "att_dlv_evt_1_0_1"}},
      {"since",
       query([&](AttemptQuery& q) { q.since = t + minutes(2); }),
       {"att_dlv_evt_2_0_2", "att_dlv_evt_1_0_3", "att_dlv_evt_1_0_2"}},
      {"until (exclusive)",
       query([&](AttemptQuery& q) { q.until = t + minutes(2); }),
       {"att_dlv_evt_2_0_1", "att_dlv_evt_1_0_1"}},
      {"empty window", query([&](AttemptQuery& q) { q.since = q.until = t + minutes(2); }), {}},
      {"event type",
       query([](AttemptQuery& q) { q.event_type = "call.end"; }),
       {"att_dlv_evt_2_0_2", "att_dlv_evt_2_0_1"}},
      {"status",
       query([](AttemptQuery& q) { q.status_code = 500; }),
       {"att_dlv_evt_1_0_2", "att_dlv_evt_1_0_1"}},
      {"error class", query([](AttemptQuery& q) { q.error = AttemptError::kDns; }), {"att_dlv_evt_2_0_2"}},
      {"combined",
       query([&](AttemptQuery& q) {
         q.event_type = "call.answered";
         q.status_code = 500;
         q.since = t + minutes(2);
       }),
       {"att_dlv_evt_1_0_2"}},
      {"page 1",
       query([](AttemptQuery& q) { q.page.limit = 2; }),
       {"att_dlv_evt_2_0_2", "att_dlv_evt_2_0_1"}},
      {"page 2",
       query([](AttemptQuery& q) {
         q.page = {2, "att_dlv_evt_2_0_1"};
       }),
       {"att_dlv_evt_1_0_3", "att_dlv_evt_1_0_2"}},
      {"page 3",
       query([](AttemptQuery& q) {
         q.page = {2, "att_dlv_evt_1_0_2"};
       }),
       {"att_dlv_evt_1_0_1"}},
      {"other webhook", query([](AttemptQuery& q) { q.webhook_id = "wh_2"; }), {"att_dlv_evt_1_1_1"}},
      {"other company", query([](AttemptQuery& q) { q.company_id = "cmp_b"; }), {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(failure_ids(c.query), c.ids);
  }
  auto page = store().list_failed_attempts(query([](AttemptQuery& q) { q.page.limit = 2; }));
  ASSERT_TRUE(page.has_value());
  EXPECT_TRUE(page->has_more);
  page = store().list_failed_attempts(query([](AttemptQuery& q) { q.page = {2, "att_dlv_evt_1_0_2"}; }));
  ASSERT_TRUE(page.has_value());
  EXPECT_FALSE(page->has_more);
  EXPECT_EQ(store().list_failed_attempts(query([](AttemptQuery& q) { q.page.limit = 0; })).error().code,
            ErrorCode::kInvalidArgument);

  EXPECT_EQ(store().get_attempt("cmp_b", "wh_1", "att_dlv_evt_1_0_1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().get_attempt("cmp_a", "wh_2", "att_dlv_evt_1_0_1").error().code, ErrorCode::kNotFound);
}

TEST_P(AttemptContractTest, DeliveryLogListsNewestFirstByState) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  add_webhook(subscriber("cmp_a", "wh_1"));
  ingest_unsequenced({"evt_1", "evt_2", "evt_3", "evt_4"});
  const TimePoint t = at(kT0);
  record({delivered_attempt("dlv_evt_1_0", 1, t), failed_attempt("dlv_evt_3_0", 1, t, std::nullopt)});

  EXPECT_THAT(delivery_ids("cmp_a", "wh_1"),
              ElementsAre("dlv_evt_4_0", "dlv_evt_3_0", "dlv_evt_2_0", "dlv_evt_1_0"));
  EXPECT_THAT(delivery_ids("cmp_a", "wh_1", DeliveryState::kPending),
              ElementsAre("dlv_evt_4_0", "dlv_evt_2_0"));
  EXPECT_THAT(delivery_ids("cmp_a", "wh_1", DeliveryState::kDelivered), ElementsAre("dlv_evt_1_0"));
  EXPECT_THAT(delivery_ids("cmp_a", "wh_1", DeliveryState::kExhausted), ElementsAre("dlv_evt_3_0"));
  EXPECT_THAT(delivery_ids("cmp_a", "wh_1", DeliveryState::kDropped), IsEmpty());
  EXPECT_THAT(delivery_ids("cmp_a", "wh_1", std::nullopt, {3, ""}),
              ElementsAre("dlv_evt_4_0", "dlv_evt_3_0", "dlv_evt_2_0"));
  EXPECT_THAT(delivery_ids("cmp_a", "wh_1", std::nullopt, {3, "dlv_evt_2_0"}), ElementsAre("dlv_evt_1_0"));
  EXPECT_TRUE(store().list_deliveries("cmp_a", "wh_1", std::nullopt, {3, ""})->has_more);
  EXPECT_FALSE(store().list_deliveries("cmp_a", "wh_1", std::nullopt, {4, ""})->has_more);
  EXPECT_THAT(delivery_ids("cmp_b", "wh_1"), IsEmpty());
  EXPECT_EQ(store().list_deliveries("cmp_a", "wh_1", std::nullopt, {0, ""}).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_P(AttemptContractTest, DeletingAWebhookDeletesItsDeliveriesAndAttempts) {
  seed_subscriber("cmp_a", "wh_1");
  add_webhook(subscriber("cmp_a", "wh_2"));
  ingest({new_event("cmp_a", "evt_1"), new_event("cmp_a", "evt_2")});  // one chain per webhook
  const TimePoint t = at(kT0);
  record({failed_attempt("dlv_evt_1_0", 1, t, t + seconds(30)),
          failed_attempt("dlv_evt_1_1", 1, t, t + seconds(30))});

  ASSERT_TRUE(store().delete_webhook("cmp_a", "wh_1").has_value());
  EXPECT_EQ(store().get_delivery("cmp_a", "dlv_evt_1_0").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().get_delivery("cmp_a", "dlv_evt_2_0").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().get_attempt("cmp_a", "wh_1", "att_dlv_evt_1_0_1").error().code, ErrorCode::kNotFound);
  EXPECT_THAT(failure_ids({"cmp_a", "wh_1"}), IsEmpty());
  EXPECT_THAT(delivery_ids("cmp_a", "wh_1"), IsEmpty());
  // Events stay; the other webhook's chain and log are untouched.
  EXPECT_TRUE(store().get_event("cmp_a", "evt_1").has_value());
  EXPECT_THAT(failure_ids({"cmp_a", "wh_2"}), ElementsAre("att_dlv_evt_1_1_1"));
  EXPECT_THAT(claim(t + minutes(1)), ElementsAre("dlv_evt_1_1"));
  // A result arriving for a deleted webhook's delivery is dropped silently.
  record({delivered_attempt("dlv_evt_1_0", 2, t + minutes(1))});
  EXPECT_EQ(store().next_due_time().value(), t + minutes(2));  // only wh_2's lease remains
}

TEST_P(AttemptContractTest, RedeliverQueuesAFreshDelivery) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  add_webhook(subscriber("cmp_a", "wh_1"));
  ingest({new_event("cmp_a", "evt_1", "call.answered", "")});
  const TimePoint t = at(kT0);
  record({failed_attempt("dlv_evt_1_0", 1, t, std::nullopt)});  // exhausted

  const TimePoint now = t + hours(30);
  auto again = store().redeliver("cmp_a", "dlv_evt_1_0", "dlv_again", now);
  ASSERT_TRUE(again.has_value()) << error_text(again);
  EXPECT_EQ(again->id, "dlv_again");
  model::Delivery stored = delivery("cmp_a", "dlv_again");
  for (const model::Delivery& d : {*again, stored}) {
    EXPECT_EQ(d.company_id, "cmp_a");
    EXPECT_EQ(d.webhook_id, "wh_1");
    EXPECT_EQ(d.event_id, "evt_1");
    EXPECT_EQ(d.event_type, "call.answered");
    EXPECT_EQ(d.state, DeliveryState::kPending);
    EXPECT_EQ(d.attempts, 0);
    EXPECT_EQ(d.event_time, now);  // a fresh 24 h window
    EXPECT_EQ(d.next_attempt_at, now);
    EXPECT_EQ(d.created_at, now);
  }
  EXPECT_EQ(delivery("cmp_a", "dlv_evt_1_0").state, DeliveryState::kExhausted);  // the original stays
  EXPECT_THAT(claim(now), ElementsAre("dlv_again"));
  record({delivered_attempt("dlv_again", 1, now)});

  EXPECT_EQ(store().redeliver("cmp_b", "dlv_evt_1_0", "dlv_x", now).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().redeliver("cmp_a", "dlv_nope", "dlv_x", now).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().redeliver("cmp_a", "dlv_evt_1_0", "dlv_again", now).error().code, ErrorCode::kConflict);
  // To a disabled webhook: queued, sent once it is enabled.
  set_status("cmp_a", "wh_1", WebhookStatus::kInactive);
  ASSERT_TRUE(store().redeliver("cmp_a", "dlv_evt_1_0", "dlv_later", now).has_value());
  EXPECT_THAT(claim(now + hours(1)), IsEmpty());
  set_status("cmp_a", "wh_1", WebhookStatus::kActive);
  EXPECT_THAT(claim(now + hours(1)), ElementsAre("dlv_later"));
  ASSERT_TRUE(store().delete_webhook("cmp_a", "wh_1").has_value());
  EXPECT_EQ(store().redeliver("cmp_a", "dlv_evt_1_0", "dlv_x", now).error().code, ErrorCode::kNotFound);
}

TEST_P(AttemptContractTest, RedeliveryKeepsOneDeliveryOfACallInFlight) {
  seed_subscriber("cmp_a", "wh_1");
  ingest({new_event("cmp_a", "evt_1"), new_event("cmp_a", "evt_2"), new_event("cmp_a", "evt_3")});
  const TimePoint t = at(kT0);
  record({delivered_attempt("dlv_evt_1_0", 1, t)});
  record({delivered_attempt("dlv_evt_2_0", 1, t)});
  ASSERT_THAT(claim(t), ElementsAre("dlv_evt_3_0"));  // seq 3 in flight

  // Redelivering seq 1 while seq 3 is in flight: it waits for seq 3.
  ASSERT_TRUE(store().redeliver("cmp_a", "dlv_evt_1_0", "dlv_r1", t + seconds(1)).has_value());
  EXPECT_THAT(claim(t + seconds(2)), IsEmpty());
  record({failed_attempt("dlv_evt_3_0", 1, t + seconds(3), t + minutes(10))});
  // seq 3 now only waits for a retry: the earlier event goes first.
  auto first = store().claim_due_deliveries(t + seconds(4), 10, t + hours(1), 1);
  ASSERT_TRUE(first.has_value()) << error_text(first);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->front().delivery.id, "dlv_r1");
  EXPECT_THAT(claim(t + minutes(10)), IsEmpty());  // seq 3 is due, but waits for seq 1's redelivery
  record({delivered_attempt("dlv_r1", 1, t + minutes(10))});
  EXPECT_THAT(claim(t + minutes(10)), ElementsAre("dlv_evt_3_0"));
}

TEST_P(AttemptContractTest, ReplayQueuesAcceptedEventsOfARange) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  add_webhook(subscriber("cmp_a", "wh_1", {"call.answered"}));
  std::vector<NewEvent> events;
  for (int i = 1; i <= 6; ++i) {
    std::string id = "evt_" + std::to_string(i);
    events.push_back(
        new_event("cmp_a", id, i == 4 ? "call.end" : "call.answered", "call:1", at(kT0 + i * 1000)));
  }
  events.back().attributes.direction = "outbound";
  ingest(events);
  ingest({new_event("cmp_b", "evt_b", "call.answered", "call:1", at(kT0 + 3000))});
  model::Webhook filtered = webhook("wh_1");
  filtered.spec.filters.direction = {"inbound"};
  ASSERT_TRUE(store()
                  .update_webhook_spec("cmp_a", "wh_1", filtered.spec, std::nullopt, filtered.updated_at)
                  .has_value());  // evt_6 no longer matches

  struct Case {
    TimePoint since, until;
    int max;
    Ids events;  // replayed
  };
  const std::vector<Case> cases = {
      {at(kT0 + 2000), at(kT0 + 5000), 100, {"evt_2", "evt_3", "evt_5"}},  // inclusive; evt_4 not subscribed
      {at(kT0), at(kT0 + 10000), 2, {"evt_1", "evt_2"}},                   // at most max, oldest first
      {at(kT0 + 6000), at(kT0 + 9000), 100, {}},                           // evt_6 filtered out
  };
  TimePoint now = at(kT0) + hours(48);
  for (const Case& c : cases) {
    now += hours(1);  // tells this replay's deliveries apart
    auto count = store().replay("cmp_a", "wh_1", c.since, c.until, now, c.max);
    ASSERT_TRUE(count.has_value()) << error_text(count);
    EXPECT_EQ(*count, static_cast<int>(c.events.size()));
    auto listed = store().list_deliveries("cmp_a", "wh_1", std::nullopt, {500, ""});
    ASSERT_TRUE(listed.has_value()) << error_text(listed);
    Ids replayed;
    for (const model::Delivery& d : listed->items) {
      if (d.created_at != now) continue;
      replayed.push_back(d.event_id);
      EXPECT_EQ(d.state, DeliveryState::kPending);
      EXPECT_EQ(d.event_time, now);  // a fresh window
      EXPECT_EQ(d.next_attempt_at, now);
      EXPECT_EQ(d.ordering_key, "call:1");
      EXPECT_EQ(d.attempts, 0);
    }
    std::sort(replayed.begin(), replayed.end());
    EXPECT_EQ(replayed, c.events);
  }
  EXPECT_EQ(store().replay("cmp_b", "wh_1", at(kT0), now, now, 10).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().replay("cmp_a", "wh_1", at(kT0), now, now, 0).error().code, ErrorCode::kInvalidArgument);
}

// Cluster mode makes these ordinary: two nodes may report the same delivery
// (an expired lease sent it twice), in one batch or in two.
// Issue 12: a delivery that could not have its whole schedule (a backdated
// event) neither counts toward failure nor resets the count.
TEST_P(AttemptContractTest, AnExhaustionWithoutItsWholeScheduleLeavesTheCountAsItIs) {
  seed_subscriber("cmp_a", "wh_1");
  ingest_unsequenced({"evt_1", "evt_2", "evt_3", "evt_4", "evt_5", "evt_6"});
  const TimePoint t = at(kT0);
  auto exhaust = [&](const std::string& id, bool counts) {
    AttemptOutcome outcome = failed_attempt(id, 1, t, std::nullopt);
    outcome.counts_toward_failure = counts;
    record({outcome});
  };
  struct Step {
    std::string delivery_id;
    bool counts;
    int consecutive;
    WebhookStatus status;
  };
  const std::vector<Step> steps = {
      {"dlv_evt_1_0", false, 0, WebhookStatus::kActive}, {"dlv_evt_2_0", false, 0, WebhookStatus::kActive},
      {"dlv_evt_3_0", false, 0, WebhookStatus::kActive},  // three in a row, none counted
      {"dlv_evt_4_0", true, 1, WebhookStatus::kActive},  {"dlv_evt_5_0", false, 1, WebhookStatus::kActive},
      {"dlv_evt_6_0", true, 2, WebhookStatus::kActive},
  };
  for (const Step& step : steps) {
    SCOPED_TRACE(step.delivery_id);
    exhaust(step.delivery_id, step.counts);
    EXPECT_EQ(delivery("cmp_a", step.delivery_id).state, DeliveryState::kExhausted);
    EXPECT_EQ(webhook("wh_1").consecutive_exhausted, step.consecutive);
    EXPECT_EQ(webhook("wh_1").status, step.status);
  }
}

TEST_P(AttemptContractTest, AnExhaustionReportedTwiceCountsOnce) {
  seed_subscriber("cmp_a", "wh_1");
  ingest_unsequenced({"evt_1", "evt_2"});
  const TimePoint t = at(kT0);
  AttemptOutcome again = failed_attempt("dlv_evt_1_0", 26, t + seconds(1), std::nullopt);
  again.attempt.id = "att_other_node";
  record({failed_attempt("dlv_evt_1_0", 26, t, std::nullopt), again});
  EXPECT_EQ(webhook("wh_1").consecutive_exhausted, 1);
  AttemptOutcome late = failed_attempt("dlv_evt_1_0", 26, t + seconds(2), std::nullopt);
  late.attempt.id = "att_late_node";
  record({late, failed_attempt("dlv_evt_2_0", 1, t + seconds(2), t + minutes(1))});
  EXPECT_EQ(webhook("wh_1").consecutive_exhausted, 1);
  EXPECT_EQ(delivery("cmp_a", "dlv_evt_1_0").attempts, 26);
  EXPECT_THAT(failure_ids({"cmp_a", "wh_1"}), ElementsAre("att_dlv_evt_2_0_1", "att_dlv_evt_1_0_26"));
}

TEST_P(AttemptContractTest, ReplayKeepsOneDeliveryOfACallInFlight) {
  seed_subscriber("cmp_a", "wh_1");
  ingest({new_event("cmp_a", "evt_1", "call.answered", "call:1", at(kT0 + 1000)),
          new_event("cmp_a", "evt_2", "call.answered", "call:1", at(kT0 + 2000)),
          new_event("cmp_a", "evt_3", "call.answered", "call:1", at(kT0 + 3000))});
  const TimePoint t = at(kT0 + 3000);
  record({delivered_attempt("dlv_evt_1_0", 1, t)});
  record({delivered_attempt("dlv_evt_2_0", 1, t)});
  ASSERT_THAT(claim(t), ElementsAre("dlv_evt_3_0"));  // seq 3 in flight

  // Replaying seq 1 and 2 while seq 3 is in flight: they wait for it...
  auto replayed = store().replay("cmp_a", "wh_1", at(kT0), at(kT0 + 2000), t + seconds(1), 10);
  ASSERT_TRUE(replayed.has_value()) << error_text(replayed);
  ASSERT_EQ(*replayed, 2);
  EXPECT_THAT(claim(t + seconds(2)), IsEmpty());
  // ...then go first, one at a time and in order, before seq 3's retry.
  record({failed_attempt("dlv_evt_3_0", 1, t + seconds(3), t + seconds(4))});
  auto first = store().claim_due_deliveries(t + seconds(5), 10, t + hours(1), 1);
  ASSERT_TRUE(first.has_value()) << error_text(first);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->front().delivery.event_id, "evt_1");
  record({delivered_attempt(first->front().delivery.id, 1, t + seconds(6))});
  auto second = store().claim_due_deliveries(t + seconds(6), 10, t + hours(1), 1);
  ASSERT_TRUE(second.has_value()) << error_text(second);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ(second->front().delivery.event_id, "evt_2");
  record({delivered_attempt(second->front().delivery.id, 1, t + seconds(7))});
  EXPECT_THAT(claim(t + seconds(7)), ElementsAre("dlv_evt_3_0"));
}

INSTANTIATE_TEST_SUITE_P(Backends, AttemptContractTest, ::testing::ValuesIn(contract::store_backends()),
                         contract::backend_name);

}  // namespace
}  // namespace switchboard::store
