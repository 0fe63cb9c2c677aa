#include "live/live_call_hub.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

// The hub over tiny fakes of its inputs (sources.h, relay.h), with a sink
// that records what a client would receive. store_sources_test.cc runs it
// over a real store.
namespace switchboard::live {
namespace {

const TimePoint kStart = TimePoint(std::chrono::milliseconds(1'790'000'000'000));

class RecordingSink final : public Sink {
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

// Stored call events as the store keeps them: the newest `max` since
// `since`, oldest first. Remembers what the hub asked.
class FakeCallEvents final : public CompanyList, public CallEventSource, public DirectoryNames {
 public:
  std::vector<std::string> companies;
  std::vector<model::Event> events;
  std::map<std::string, std::string> names;  // agent or department id -> name
  std::vector<std::string> looked_up;        // ids, in order
  TimePoint asked_since{};
  int asked_max = 0;

  LiveCallSources sources() { return LiveCallSources{*this, *this, *this}; }

  Result<std::vector<std::string>> company_ids() override { return companies; }
  Result<std::vector<model::Event>> list_recent_call_events(const std::string& company_id, TimePoint since,
                                                            int max) override {
    asked_since = since;
    asked_max = max;
    std::vector<model::Event> out;
    for (const auto& e : events) {
      if (e.company_id == company_id && e.created_at >= since && model::moves_live_call(e.type))
        out.push_back(e);
    }
    if (out.size() > static_cast<std::size_t>(max)) out.erase(out.begin(), out.end() - max);
    return out;
  }
  std::string agent_name(const std::string&, const std::string& agent_id) override { return name(agent_id); }
  std::string department_name(const std::string&, const std::string& department_id) override {
    return name(department_id);
  }

 private:
  std::string name(const std::string& id) {
    looked_up.push_back(id);
    auto found = names.find(id);
    return found == names.end() ? "" : found->second;
  }
};

class RecordingRelay final : public Relay {
 public:
  void publish(std::string payload) override { published.push_back(std::move(payload)); }
  std::vector<std::string> published;
};

class LiveCallHubTest : public ::testing::Test {
 protected:
  void SetUp() override { hub_ = std::make_unique<LiveCallHub>(inputs_.sources(), clock_); }
  void TearDown() override { hub_->stop(); }

  std::shared_ptr<RecordingSink> watch(const std::string& user = "usr_1") {
    auto sink = std::make_shared<RecordingSink>();
    auto admission = hub_->admit("cmp_a", user);
    EXPECT_TRUE(admission.has_value());
    if (admission) hub_->watch(std::move(*admission), {}, sink);
    return sink;
  }

  // A stored event of cmp_a: its envelope carries `data`.
  void store_event(const std::string& id, const std::string& type, const std::string& data, TimePoint at,
                   std::int64_t sequence) {
    model::Event e;
    e.id = id;
    e.company_id = "cmp_a";
    e.type = type;
    e.sequence = sequence;
    e.occurred_at = e.created_at = at;
    e.payload = R"({"id":")" + id + R"(","type":")" + type + R"(","data":)" + data + "}";
    inputs_.events.push_back(std::move(e));
  }

  FakeCallEvents inputs_;
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
  RecordingRelay relay;
  hub_->set_relay(&relay);
  const auto& relayed = relay.published;
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
  inputs_.companies = {"cmp_a"};
  store_event("evt_old", "call.initiated", call_data("call_old", "initiated"), now - std::chrono::hours(7),
              1);
  store_event("evt_1", "call.initiated", call_data("call_1", "initiated"), now - std::chrono::minutes(3), 1);
  store_event("evt_2", "call.initiated", call_data("call_2", "initiated"), now - std::chrono::minutes(2), 1);
  store_event("evt_3", "call.answered", call_data("call_1", "in_progress"), now - std::chrono::minutes(1), 2);
  store_event("evt_4", "call.end", call_data("call_2", "completed"), now - std::chrono::minutes(1), 2);

  auto restored = hub_->restore();
  ASSERT_TRUE(restored.has_value()) << restored.error().message;
  EXPECT_EQ(*restored, 1u) << "call_1 is connected; call_2 ended; call_old is stale";
  EXPECT_EQ(inputs_.asked_since, now - std::chrono::hours(6)) << "the calls of the last stale_after";
  EXPECT_EQ(inputs_.asked_max, static_cast<int>(model::limits::kMaxLiveCallsPerCompany));
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
  const TimePoint at = clock_.now() - std::chrono::seconds(1);
  inputs_.companies = {"cmp_a"};
  // Published in this order within one millisecond; the ids sort the other way.
  store_event("evt_z", "call.initiated", call_data("call_1", "initiated"), at, 1);
  store_event("evt_a", "call.end", call_data("call_1", "completed"), at, 2);
  std::swap(inputs_.events[0], inputs_.events[1]);  // as read back: by id within the millisecond
  auto restored = hub_->restore();
  ASSERT_TRUE(restored.has_value()) << restored.error().message;
  EXPECT_EQ(*restored, 0u) << "the call ended: call.end has the higher event_sequence";
}

TEST_F(LiveCallHubTest, NamesComeFromTheDirectoryOncePerCallAndAgainWhenTheAgentChanges) {
  inputs_.names = {{"agt_1", "Asha"}, {"dep_1", "Sales"}};
  auto sink = watch();
  auto data = [](const std::string& agent, const std::string& status) {
    return R"({"call_id":"call_1","status":")" + status + R"(","agent_id":")" + agent +
           R"(","department_id":"dep_1","from":"+918588123517","to":"+918040000102"})";
  };
  hub_->publish("cmp_a", "call.initiated", data("agt_1", "initiated"), kStart);
  hub_->publish("cmp_a", "call.answered", data("agt_1", "in_progress"), kStart + std::chrono::seconds(1));
  hub_->publish("cmp_a", "call.dial_begin", data("agt_2", "in_progress"), kStart + std::chrono::seconds(2));
  auto calls = sink->calls();
  ASSERT_EQ(calls.size(), 3u) << sink->received();
  EXPECT_NE(calls[0].find(R"("agent":{"id":"agt_1","name":"Asha"})"), std::string::npos) << calls[0];
  EXPECT_NE(calls[0].find(R"("department":{"id":"dep_1","name":"Sales"})"), std::string::npos) << calls[0];
  EXPECT_NE(calls[2].find(R"("agent":{"id":"agt_2","name":null})"), std::string::npos) << calls[2];
  EXPECT_EQ(inputs_.looked_up, (std::vector<std::string>{"agt_1", "dep_1", "agt_2"}));
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
}  // namespace switchboard::live
