#include "api/live_calls.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/test_temp_dir.h"
#include "store/sqlite/sqlite_test_support.h"

// The hub on a real SQLite store (for directory names), with a sink that
// records what a client would receive.
namespace switchboard::api {
namespace {

const TimePoint kStart = TimePoint(std::chrono::milliseconds(1'790'000'000'000));

class RecordingSink final : public StreamSink {
 public:
  bool send(std::string bytes) override {
    if (!open_) return false;
    received_ += bytes;
    return true;
  }
  bool is_open() const override { return open_; }
  void close() override { open_ = false; }

  // The `data:` lines of `event: call` messages, in order.
  std::vector<std::string> calls() const {
    std::vector<std::string> out;
    const std::string marker = "event: call\ndata: ";
    for (auto at = received_.find(marker); at != std::string::npos; at = received_.find(marker, at + 1)) {
      auto start = at + marker.size();
      out.push_back(received_.substr(start, received_.find('\n', start) - start));
    }
    return out;
  }
  const std::string& received() const { return received_; }

 private:
  bool open_ = true;
  std::string received_;
};

std::string call_data(const std::string& call_id, const std::string& status) {
  return R"({"call_id":")" + call_id + R"(","status":")" + status +
         R"(","direction":"inbound","from":"+918588123517","to":"+918040000102"})";
}

class LiveCallHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::testing::open_test_store(dir_.path() / "switchboard.db");
    ASSERT_NE(store_, nullptr);
    hub_ = std::make_unique<LiveCallHub>(*store_, clock_);
  }
  void TearDown() override { hub_->stop(); }

  std::shared_ptr<RecordingSink> watch(const std::string& user = "usr_1") {
    auto sink = std::make_shared<RecordingSink>();
    auto admission = hub_->admit("cmp_a", user);
    EXPECT_TRUE(admission.has_value());
    if (admission) hub_->watch(std::move(*admission), {}, sink);
    return sink;
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  ManualClock clock_{kStart};
  std::unique_ptr<LiveCallHub> hub_;
};

TEST_F(LiveCallHubTest, ASingleNodeSendsEachChangeToItsWatchersAndKeepsCallsInProgress) {
  auto sink = watch();
  hub_->publish("cmp_a", "call.initiated", call_data("call_1", "initiated"), kStart);
  hub_->publish("cmp_a", "call.answered", call_data("call_1", "in_progress"),
                kStart + std::chrono::seconds(1));
  hub_->publish("cmp_b", "call.initiated", call_data("call_9", "initiated"), kStart);  // another company
  auto calls = sink->calls();
  ASSERT_EQ(calls.size(), 2u) << sink->received();
  EXPECT_NE(calls[0].find(R"("state":"ringing")"), std::string::npos);
  EXPECT_NE(calls[1].find(R"("state":"connected")"), std::string::npos);

  auto late = watch();  // the snapshot: the call in progress, then ready
  ASSERT_EQ(late->calls().size(), 1u);
  EXPECT_NE(late->received().find("event: ready\ndata: {\"calls\":1}"), std::string::npos);
}

TEST_F(LiveCallHubTest, WithARelayUpdatesGoThroughItAndArriveThroughReceive) {
  std::vector<std::string> relayed;
  hub_->set_relay([&relayed](std::string payload) { relayed.push_back(std::move(payload)); });
  auto sink = watch();
  hub_->publish("cmp_a", "call.initiated", call_data("call_1", "initiated"), kStart);
  hub_->publish("cmp_a", "call.summary", call_data("call_1", "completed"), kStart);  // no widget change
  ASSERT_EQ(relayed.size(), 1u);
  EXPECT_TRUE(sink->calls().empty()) << "a relayed update reaches watchers only when it comes back";

  EXPECT_TRUE(hub_->receive(relayed[0]));
  EXPECT_TRUE(hub_->receive(relayed[0]));  // the same update again (a repeated NOTIFY): sent once
  ASSERT_EQ(sink->calls().size(), 1u);
  EXPECT_NE(sink->calls()[0].find(R"("call_id":"call_1")"), std::string::npos);
  EXPECT_FALSE(hub_->receive("{\"company_id\":\"cmp_a\"}"));
  EXPECT_FALSE(hub_->receive("garbage"));
  EXPECT_EQ(sink->calls().size(), 1u);
}

TEST_F(LiveCallHubTest, ALateEventNeverMovesACallBackNorRevivesAnEndedCall) {
  auto sink = watch();
  const auto t = [](int s) { return kStart + std::chrono::seconds(s); };
  hub_->publish("cmp_a", "call.answered", call_data("call_1", "in_progress"), t(2));
  hub_->publish("cmp_a", "call.initiated", call_data("call_1", "initiated"), t(1));  // older: ignored
  hub_->publish("cmp_a", "call.end", call_data("call_1", "completed"), t(3));
  hub_->publish("cmp_a", "call.dial_begin", call_data("call_1", "ringing"), t(2));  // after the end: ignored
  auto calls = sink->calls();
  ASSERT_EQ(calls.size(), 2u) << sink->received();
  EXPECT_NE(calls[0].find(R"("state":"connected")"), std::string::npos);
  EXPECT_NE(calls[1].find(R"("state":"disconnected")"), std::string::npos);
  auto late = watch();
  EXPECT_TRUE(late->calls().empty()) << "the ended call is not in the snapshot";
}

TEST_F(LiveCallHubTest, InTheSameMillisecondTheHigherSequenceIsTheLaterUpdate) {
  auto sink = watch();
  // Relayed from two nodes, the end arrives before the answer of the same millisecond.
  hub_->publish("cmp_a", "call.initiated", call_data("call_1", "initiated"), kStart, 1);
  hub_->publish("cmp_a", "call.end", call_data("call_1", "completed"), kStart, 3);
  hub_->publish("cmp_a", "call.answered", call_data("call_1", "in_progress"), kStart, 2);
  auto calls = sink->calls();
  ASSERT_EQ(calls.size(), 2u) << sink->received();
  EXPECT_NE(calls[1].find(R"("state":"disconnected")"), std::string::npos);
  EXPECT_TRUE(watch()->calls().empty()) << "the call stays ended";
}

TEST_F(LiveCallHubTest, RestoreRebuildsTheCallsInProgressFromTheStoredEvents) {
  const TimePoint now = clock_.now();
  model::User owner{"usr_owner", "cmp_a", "Owner", "owner@a.example", model::Role::kOwner, now};
  ASSERT_TRUE(store_->create_company(
      model::Company{"cmp_a", "Acme", false, now}, owner,
      model::ApiToken{"tok_owner", "cmp_a", "usr_owner", model::TokenKind::kUser, "hash_owner", now}));
  struct Stored {
    std::string id, type, call_id, status;
    std::chrono::minutes ago;
  };
  const std::vector<Stored> events = {
      {"evt_old", "call.initiated", "call_old", "initiated", std::chrono::minutes(7 * 60)},  // stale
      {"evt_1", "call.initiated", "call_1", "initiated", std::chrono::minutes(3)},
      {"evt_2", "call.initiated", "call_2", "initiated", std::chrono::minutes(2)},
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
  auto stored = store_->ingest_events(batch);
  ASSERT_TRUE(stored.has_value()) << stored.error().message;

  auto restored = hub_->restore();
  ASSERT_TRUE(restored.has_value()) << restored.error().message;
  EXPECT_EQ(*restored, 1u) << "call_1 is connected; call_2 ended; call_old is stale";
  auto sink = watch();
  auto calls = sink->calls();
  ASSERT_EQ(calls.size(), 1u) << sink->received();
  EXPECT_NE(calls[0].find(R"("call_id":"call_1")"), std::string::npos);
  EXPECT_NE(calls[0].find(R"("state":"connected")"), std::string::npos);
  // The ended call is remembered: a late event of it does not bring it back.
  hub_->publish("cmp_a", "call.dial_begin", call_data("call_2", "ringing"), now - std::chrono::minutes(2));
  EXPECT_EQ(sink->calls().size(), 1u);
}

TEST_F(LiveCallHubTest, RestoreOrdersOneCallsEventsOfTheSameMillisecondByTheirSequence) {
  const TimePoint now = clock_.now();
  model::User owner{"usr_owner", "cmp_a", "Owner", "owner@a.example", model::Role::kOwner, now};
  ASSERT_TRUE(store_->create_company(
      model::Company{"cmp_a", "Acme", false, now}, owner,
      model::ApiToken{"tok_owner", "cmp_a", "usr_owner", model::TokenKind::kUser, "hash_owner", now}));
  // Published in this order within one millisecond; the ids sort the other way.
  const std::vector<std::pair<std::string, std::string>> events = {{"evt_z", "call.initiated"},
                                                                   {"evt_a", "call.end"}};
  for (const auto& [id, type] : events) {
    store::NewEvent in;
    in.event.id = id;
    in.event.company_id = "cmp_a";
    in.event.type = type;
    in.event.sequence_key = "call:call_1";
    in.event.occurred_at = in.event.created_at = now - std::chrono::seconds(1);
    in.data_json = call_data("call_1", type == "call.end" ? "completed" : "initiated");
    auto stored = store_->ingest_events({in});
    ASSERT_TRUE(stored.has_value()) << stored.error().message;
  }
  auto restored = hub_->restore();
  ASSERT_TRUE(restored.has_value()) << restored.error().message;
  EXPECT_EQ(*restored, 0u) << "the call ended: call.end has the higher event_sequence";
}

TEST_F(LiveCallHubTest, StreamsAreBoundedPerUserAndPerCompanyAndAClosedOneFreesItsSlotAtOnce) {
  std::vector<std::shared_ptr<RecordingSink>> mine;
  for (std::size_t i = 0; i < model::limits::kMaxLiveStreamsPerUser; ++i) mine.push_back(watch("usr_me"));
  auto refused = hub_->admit("cmp_a", "usr_me");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().scope, LiveCallHub::Refusal::Scope::kUser);
  EXPECT_TRUE(hub_->admit("cmp_b", "usr_me").has_value()) << "another company counts apart";

  mine.front()->close();  // the client went away: its slot is free for the next admission
  EXPECT_TRUE(hub_->admit("cmp_a", "usr_me").has_value());
  {
    auto unused = hub_->admit("cmp_a", "usr_me");  // held while it lives...
    ASSERT_TRUE(unused.has_value());
    EXPECT_FALSE(hub_->admit("cmp_a", "usr_me").has_value());
  }
  EXPECT_TRUE(hub_->admit("cmp_a", "usr_me").has_value()) << "...and released when dropped unused";

  std::vector<std::shared_ptr<RecordingSink>> others;
  const std::size_t per_user = model::limits::kMaxLiveStreamsPerUser;
  for (std::size_t n = mine.size() - 1; n < model::limits::kMaxLiveStreamsPerCompany; ++n) {
    others.push_back(watch("usr_" + std::to_string(n / per_user)));
  }
  auto full = hub_->admit("cmp_a", "usr_new");
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error().scope, LiveCallHub::Refusal::Scope::kCompany);
  EXPECT_EQ(full.error().limit, model::limits::kMaxLiveStreamsPerCompany);
}

TEST_F(LiveCallHubTest, TheLargestSnapshotIsStreamedWhole) {
  for (std::size_t i = 0; i < model::limits::kMaxLiveCallsPerCompany; ++i) {
    hub_->publish("cmp_a", "call.initiated", call_data("call_" + std::to_string(i), "initiated"), kStart);
  }
  auto sink = watch();
  EXPECT_EQ(sink->calls().size(), model::limits::kMaxLiveCallsPerCompany);
  EXPECT_NE(sink->received().find("event: ready\ndata: {\"calls\":10000}"), std::string::npos);
}

}  // namespace
}  // namespace switchboard::api
