// Test-only: what the Store contract test files share. The backends every
// contract test runs against (each implementation joins by adding a
// StoreBackend to store_backends()), a fixture parameterized by backend, and
// small sample-data builders.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "model/identity.h"
#include "store/postgres/postgres_test_support.h"
#include "store/sqlite/sqlite_test_support.h"
#include "store/store.h"

namespace switchboard::store::contract {

// A Store under test together with whatever it needs to live.
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  virtual Store& store() = 0;
};

struct StoreBackend {
  std::string name;
  std::function<std::unique_ptr<StoreHarness>()> make;  // null when the backend cannot start
};

class SqliteHarness final : public StoreHarness {
 public:
  SqliteHarness() : store_(testing::open_test_store(dir_.path() / "switchboard.db")) {}
  Store& store() override { return *store_; }
  bool ok() const { return store_ != nullptr; }

 private:
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

// A PostgresStore in a fresh schema of the test server (postgres_test_support.h).
class PostgresHarness final : public StoreHarness {
 public:
  PostgresHarness()
      : schema_(testing::TestPostgresSchema::create()),
        store_(schema_ ? testing::open_test_postgres_store(*schema_) : nullptr) {}
  Store& store() override { return *store_; }
  bool ok() const { return store_ != nullptr; }

 private:
  std::unique_ptr<testing::TestPostgresSchema> schema_;  // dropped after the store closes
  std::unique_ptr<Store> store_;
};

inline std::vector<StoreBackend> store_backends() {
  std::vector<StoreBackend> backends{
      {"Sqlite",
       []() -> std::unique_ptr<StoreHarness> {
         auto harness = std::make_unique<SqliteHarness>();
         if (!harness->ok()) return nullptr;
         return harness;
       }},
  };
  // PostgreSQL runs unless explicitly turned off: without a server the
  // Postgres tests fail (saying how to get one), they never skip silently.
  if (!testing::postgres_tests_disabled()) {
    backends.push_back({"Postgres", []() -> std::unique_ptr<StoreHarness> {
                          auto harness = std::make_unique<PostgresHarness>();
                          if (!harness->ok()) return nullptr;
                          return harness;
                        }});
  }
  return backends;
}

// Names the backend in test listings (and so in CTest names) instead of a byte dump.
inline void PrintTo(const StoreBackend& backend, std::ostream* out) { *out << backend.name; }

inline std::string backend_name(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

// --- sample data -----------------------------------------------------------

inline TimePoint at(long long ms) { return TimePoint(std::chrono::milliseconds(ms)); }

inline model::Company company(const std::string& id) {
  return model::Company{id, "Company " + id, false, at(1'700'000'000'001)};
}

inline model::User user(const std::string& company_id, const std::string& id, const std::string& email,
                        model::Role role = model::Role::kAgent) {
  return model::User{id, company_id, "Name of " + id, email, role, at(1'700'000'000'002)};
}

inline model::ApiToken user_token(const model::User& owner, const std::string& id) {
  return model::ApiToken{id,           owner.company_id,     owner.id, model::TokenKind::kUser,
                         "hash-" + id, at(1'700'000'000'003)};
}

template <typename T>
std::string error_text(const Result<T>& result) {
  return result ? std::string("ok") : result.error().message;
}

// --- fixture ---------------------------------------------------------------

class StoreContractFixture : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    ASSERT_NE(harness_, nullptr) << "backend " << GetParam().name << " did not start";
  }

  Store& store() { return harness_->store(); }

  // Creates company `id` with owner "<id>_owner" and that owner's token; returns the owner.
  model::User seed_company(const std::string& id) {
    model::User owner = user(id, id + "_owner", "owner@" + id + ".example", model::Role::kOwner);
    auto created = store().create_company(company(id), owner, user_token(owner, id + "_owner_tok"));
    EXPECT_TRUE(created.has_value()) << error_text(created);
    return owner;
  }

  std::unique_ptr<StoreHarness> harness_;
};

// --- events, deliveries, attempts ------------------------------------------

inline constexpr long long kT0 = 1'750'000'000'000;  // when sample events are accepted

// An active webhook subscribed to `events`, without auth or filters.
inline model::Webhook subscriber(const std::string& company_id, const std::string& id,
                                 std::vector<std::string> events = {"call.answered", "call.end",
                                                                    "call.disposition", "message.sent"}) {
  model::Webhook webhook;
  webhook.id = id;
  webhook.company_id = company_id;
  webhook.spec.name = "hook " + id;
  webhook.spec.url = "https://receiver.example.com/" + id;
  webhook.spec.events = std::move(events);
  webhook.secret = "whsec_secret_" + id;
  webhook.created_at = webhook.updated_at = at(kT0 - 1'000'000);
  return webhook;
}

// An event of `type` accepted at `created` (occurred 100 ms earlier), ordered
// by `sequence_key` ("" = unsequenced). Its deliveries get ids "dlv_<id>_<k>".
inline NewEvent new_event(const std::string& company_id, const std::string& id,
                          const std::string& type = "call.answered",
                          const std::string& sequence_key = "call:1", TimePoint created = at(kT0)) {
  NewEvent in;
  in.event.id = id;
  in.event.company_id = company_id;
  in.event.type = type;
  in.event.sequence_key = sequence_key;
  in.event.occurred_at = created - std::chrono::milliseconds(100);
  in.event.created_at = created;
  in.data_json = R"({"call_id":"c1","note":"héllo \"quoted\"","id":")" + id + R"("})";
  in.sequenced = !sequence_key.empty();
  in.attributes = {"inbound", "dep_1", "agt_1"};
  for (int k = 0; k < 10; ++k) in.delivery_ids.push_back("dlv_" + id + "_" + std::to_string(k));
  return in;
}

inline AttemptOutcome failed_attempt(const std::string& delivery_id, int attempt, TimePoint when,
                                     std::optional<TimePoint> next, int status_code = 500) {
  AttemptOutcome outcome;
  model::Attempt& a = outcome.attempt;
  a.id = "att_" + delivery_id + "_" + std::to_string(attempt);
  a.delivery_id = delivery_id;
  a.attempt = attempt;
  a.at = when;
  a.success = false;
  a.status_code = status_code;
  a.error = model::AttemptError::kHttpStatus;
  a.error_message = "HTTP " + std::to_string(status_code);
  a.latency_ms = 12.5;
  a.request_url = "https://receiver.example.com/x?api_key=****";
  a.request_headers = R"([["Content-Type","application/json"]])";
  a.request_body = R"({"event_id":"x"})";
  a.response_headers = R"([["Server","test"]])";
  a.response_body = "oops";
  outcome.next_attempt_at = next;
  return outcome;
}

inline AttemptOutcome delivered_attempt(const std::string& delivery_id, int attempt, TimePoint when) {
  AttemptOutcome outcome = failed_attempt(delivery_id, attempt, when, std::nullopt, 200);
  outcome.attempt.success = true;
  outcome.attempt.error = model::AttemptError::kNone;
  outcome.attempt.error_message.clear();
  return outcome;
}

// The names the contract tests share, brought in at once inside a test
// file's anonymous namespace with `using namespace contract::vocabulary;`.
namespace vocabulary {
using contract::at;
using contract::delivered_attempt;
using contract::error_text;
using contract::failed_attempt;
using contract::kT0;
using contract::new_event;
using contract::subscriber;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
}  // namespace vocabulary

// The fixture plus shortcuts for the event/delivery tests.
class DeliveryContractFixture : public StoreContractFixture {
 protected:
  void add_webhook(const model::Webhook& webhook) {
    auto created = store().create_webhook(webhook, 10);
    ASSERT_TRUE(created.has_value()) << error_text(created);
  }

  // Company `company_id` (seed_company) with one active webhook subscribed to
  // the sample events (subscriber()).
  void seed_subscriber(const std::string& company_id, const std::string& webhook_id) {
    seed_company(company_id);
    add_webhook(subscriber(company_id, webhook_id));
  }

  void set_status(const std::string& company_id, const std::string& webhook_id, model::WebhookStatus status,
                  int consecutive_exhausted = 0) {
    auto webhook = store().get_webhook(company_id, webhook_id);
    ASSERT_TRUE(webhook.has_value()) << error_text(webhook);
    auto changed = store().set_webhook_status(
        company_id, webhook_id, model::StatusChange{status, consecutive_exhausted}, webhook->updated_at);
    ASSERT_TRUE(changed.has_value()) << error_text(changed);
  }

  // Ingests `events`, expecting every one to succeed.
  std::vector<IngestOutcome> ingest(const std::vector<NewEvent>& events) {
    std::vector<IngestOutcome> out;
    auto outcomes = store().ingest_events(events);
    EXPECT_TRUE(outcomes.has_value()) << error_text(outcomes);
    if (!outcomes) return out;
    EXPECT_EQ(outcomes->size(), events.size());
    for (const auto& outcome : *outcomes) {
      EXPECT_TRUE(outcome.has_value()) << error_text(outcome);
      out.push_back(outcome.value_or(IngestOutcome{}));
    }
    return out;
  }
  IngestOutcome ingest_one(const NewEvent& event) {
    auto out = ingest({event});
    return out.empty() ? IngestOutcome{} : out.front();
  }

  // One unsequenced call.answered event of cmp_a per id, accepted at
  // `created`, each with one delivery to every matching webhook.
  void ingest_unsequenced(const std::vector<std::string>& event_ids, TimePoint created = at(kT0)) {
    std::vector<NewEvent> batch;
    for (const std::string& id : event_ids)
      batch.push_back(new_event("cmp_a", id, "call.answered", "", created));
    ingest(batch);
  }

  // Claims at `now` with a one-minute lease; returns the claimed delivery ids in order.
  std::vector<std::string> claim(TimePoint now, int limit = 100) {
    std::vector<std::string> ids;
    auto claimed = store().claim_due_deliveries(now, limit, now + std::chrono::minutes(1), 1);
    EXPECT_TRUE(claimed.has_value()) << error_text(claimed);
    if (claimed) {
      for (const DueDelivery& due : *claimed) ids.push_back(due.delivery.id);
    }
    return ids;
  }

  void record(const std::vector<AttemptOutcome>& outcomes) {
    auto recorded = store().record_attempts(outcomes);
    ASSERT_TRUE(recorded.has_value()) << error_text(recorded);
  }

  model::Delivery delivery(const std::string& company_id, const std::string& id) {
    auto got = store().get_delivery(company_id, id);
    EXPECT_TRUE(got.has_value()) << id << ": " << error_text(got);
    return got.value_or(model::Delivery{});
  }
};

}  // namespace switchboard::store::contract
