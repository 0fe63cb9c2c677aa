#include "live/store_sources.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "live/live_call_hub.h"
#include "store/sqlite/sqlite_test_support.h"

// The hub over a real SQLite store through StoreSources: what `serve` runs
// (the contract suite runs list_recent_call_events on PostgreSQL too).
namespace switchboard::live {
namespace {

const TimePoint kStart = TimePoint(std::chrono::milliseconds(1'790'000'000'000));

class RecordingSink final : public Sink {
 public:
  bool send(std::string bytes) override {
    received += bytes;
    return true;
  }
  bool is_open() const override { return true; }
  void close() override {}
  std::string received;
};

std::string call_data(const std::string& call_id, const std::string& status) {
  return R"({"call_id":")" + call_id + R"(","status":")" + status +
         R"(","agent_id":"agt_1","department_id":"dep_1","direction":"inbound","from":"+918588123517",)"
         R"("to":"+918040000102"})";
}

TEST(StoreSources, RestoreRebuildsTheCallsInProgressFromTheStoreWithDirectoryNames) {
  store::testing::TempDir dir;
  auto store = store::testing::open_test_store(dir.path() / "switchboard.db");
  ASSERT_NE(store, nullptr);
  ManualClock clock{kStart};
  const TimePoint now = clock.now();
  model::User owner{"usr_owner", "cmp_a", "Owner", "owner@a.example", model::Role::kOwner, now};
  ASSERT_TRUE(store->create_company(
      model::Company{"cmp_a", "Acme", false, now}, owner,
      model::ApiToken{"tok_owner", "cmp_a", "usr_owner", model::TokenKind::kUser, "hash_owner", now}));
  ASSERT_TRUE(store->create_department(model::Department{"dep_1", "cmp_a", "Sales", now, now}, 100));
  ASSERT_TRUE(store->create_agent(
      model::Agent{"agt_1", "cmp_a", "Asha", std::nullopt, std::nullopt, std::nullopt, "dep_1", now, now},
      100));
  struct Stored {
    std::string id, type, call_id, status;
    std::chrono::minutes ago;
  };
  const std::vector<Stored> events = {
      {"evt_old", "call.initiated", "call_old", "initiated", std::chrono::minutes(7 * 60)},  // stale
      {"evt_1", "call.initiated", "call_1", "initiated", std::chrono::minutes(3)},
      {"evt_2", "call.initiated", "call_2", "initiated", std::chrono::minutes(2)},
      {"evt_s", "call.summary", "call_2", "completed", std::chrono::minutes(2)},  // moves no call
      {"evt_3", "call.answered", "call_1", "in_progress", std::chrono::minutes(1)},
      {"evt_4", "call.end", "call_2", "completed", std::chrono::minutes(1)},
  };
  std::vector<store::NewEvent> batch;
  for (const auto& e : events) {
    store::NewEvent in;
    in.event.id = e.id;
    in.event.company_id = "cmp_a";
    in.event.type = e.type;
    in.event.sequence_key = "call:" + e.call_id;
    in.event.occurred_at = in.event.created_at = now - e.ago;
    in.data_json = call_data(e.call_id, e.status);
    batch.push_back(std::move(in));
  }
  auto stored = store->ingest_events(batch);
  ASSERT_TRUE(stored.has_value()) << stored.error().message;

  StoreSources sources(*store, *store, *store);
  LiveCallHub hub(sources.sources(), clock);
  auto restored = hub.restore();
  ASSERT_TRUE(restored.has_value()) << restored.error().message;
  EXPECT_EQ(*restored, 1u) << "call_1 is connected; call_2 ended; call_old is stale";
  auto sink = std::make_shared<RecordingSink>();
  auto admission = hub.admit("cmp_a", "usr_owner");
  ASSERT_TRUE(admission.has_value());
  hub.watch(std::move(*admission), {}, sink);
  EXPECT_NE(sink->received.find(R"("call_id":"call_1","state":"connected")"), std::string::npos)
      << sink->received;
  EXPECT_NE(sink->received.find(R"("agent":{"id":"agt_1","name":"Asha"})"), std::string::npos);
  EXPECT_NE(sink->received.find(R"("department":{"id":"dep_1","name":"Sales"})"), std::string::npos);
  EXPECT_EQ(sink->received.find("call_2"), std::string::npos);
  hub.stop();
}

TEST(StoreSources, AnUnknownNameIsEmpty) {
  store::testing::TempDir dir;
  auto store = store::testing::open_test_store(dir.path() / "switchboard.db");
  ASSERT_NE(store, nullptr);
  StoreSources sources(*store, *store, *store);
  EXPECT_EQ(sources.agent_name("cmp_a", "agt_none"), "");
  EXPECT_EQ(sources.department_name("cmp_a", "dep_none"), "");
  auto companies = sources.company_ids();
  ASSERT_TRUE(companies.has_value());
  EXPECT_TRUE(companies->empty());
}

}  // namespace
}  // namespace switchboard::live
