// The ingest algorithm over a small in-memory IngestPort: the rules as
// tables (idempotency answers, sequence assignment, fan-out selection,
// enrichment), then the batch and per-event paths. Both real backends are
// held to the same behaviour by the store contract tests.
#include "store/common/ingest_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

namespace switchboard::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const TimePoint kT0{std::chrono::milliseconds(1'780'000'000'000)};

NewEvent event(const std::string& id, const std::string& sequence_key = "call:1",
               std::optional<std::string> key = std::nullopt, const std::string& company_id = "cmp_a",
               const std::string& type = "call.answered") {
  NewEvent in;
  in.event.id = id;
  in.event.company_id = company_id;
  in.event.type = type;
  in.event.sequence_key = sequence_key;
  in.event.occurred_at = kT0;
  in.event.created_at = kT0;
  in.event.idempotency_key = std::move(key);
  in.data_json = R"({"call_id":"c1"})";
  in.sequenced = !sequence_key.empty();
  in.attributes = {"inbound", "dep_1", "agt_1"};
  return in;
}

IngestSubscriber subscriber(const std::string& id, std::vector<std::string> events,
                            std::vector<std::string> directions = {}) {
  IngestSubscriber out;
  out.id = id;
  out.spec.events = std::move(events);
  out.spec.filters.direction = std::move(directions);
  return out;
}

// An in-memory store behind the port. A savepoint snapshots the state and
// restores it when its body fails.
class FakePort final : public IngestPort {
 public:
  struct State {
    std::map<std::string, model::Event> events;  // by id
    std::map<std::pair<std::string, std::string>, std::int64_t> sequences;
    std::vector<model::Delivery> deliveries;
    std::vector<bool> follows;
    int v1_queued = 0;
  };
  State state;
  std::set<std::string> companies{"cmp_a", "cmp_b"};
  std::map<std::string, std::vector<IngestSubscriber>> subscribers;
  std::map<std::string, model::Agent> agents;
  // A concurrent transaction that commits `event` the moment ours tries to
  // insert the same idempotency key (another node winning the race).
  std::optional<model::Event> racing_winner;
  std::vector<model::Event> others_committed;
  bool lose_transaction = false;  // in_savepoint reports the transaction gone
  int savepoints = 0, finds = 0, bumps = 0, event_inserts = 0, subscriber_reads = 0;

  Result<std::vector<std::optional<IngestOutcome>>> find_idempotent(
      const std::vector<const model::Event*>& events) override {
    ++finds;
    std::vector<std::optional<IngestOutcome>> out;
    for (const model::Event* wanted : events) {
      out.emplace_back();
      for (const model::Event& stored : others_committed) {
        if (stored.company_id == wanted->company_id && stored.idempotency_key == wanted->idempotency_key) {
          out.back() = IngestOutcome{stored.id, stored.sequence, true, 0};
        }
      }
      for (const auto& [id, stored] : state.events) {
        if (stored.company_id == wanted->company_id && stored.idempotency_key == wanted->idempotency_key) {
          out.back() = IngestOutcome{stored.id, stored.sequence, true, 0};
        }
      }
    }
    return out;
  }
  Result<std::vector<std::int64_t>> bump_sequences(const std::vector<SequenceBump>& bumps_in) override {
    ++bumps;
    EXPECT_TRUE(std::is_sorted(bumps_in.begin(), bumps_in.end(), [](const auto& a, const auto& b) {
      return std::tie(a.company_id, a.sequence_key) < std::tie(b.company_id, b.sequence_key);
    }));
    std::vector<std::int64_t> lasts;
    for (const SequenceBump& bump : bumps_in) {
      if (!companies.count(bump.company_id)) return make_error(ErrorCode::kNotFound, "company not found");
      lasts.push_back(state.sequences[{bump.company_id, bump.sequence_key}] += bump.count);
    }
    return lasts;
  }
  Result<std::vector<IngestSubscriber>> active_subscribers(const std::string& company_id) override {
    ++subscriber_reads;
    return subscribers[company_id];
  }
  Result<std::optional<model::Agent>> find_agent(const std::string&, const std::string& agent_id) override {
    auto it = agents.find(agent_id);
    if (it == agents.end()) return std::optional<model::Agent>();
    return std::optional<model::Agent>(it->second);
  }
  Result<std::optional<model::Department>> find_department(const std::string&, const std::string&) override {
    return std::optional<model::Department>();
  }
  Result<void> insert_events(const std::vector<EventRow>& rows) override {
    ++event_inserts;
    for (const EventRow& row : rows) {
      if (racing_winner && row.event.idempotency_key == racing_winner->idempotency_key) {
        others_committed.push_back(*racing_winner);  // it committed first: no rollback undoes it
        racing_winner.reset();
        return make_error(ErrorCode::kConflict, "an event with id " + row.event.id + " exists");
      }
      for (const auto& [id, stored] : state.events) {
        if (row.event.idempotency_key && stored.company_id == row.event.company_id &&
            stored.idempotency_key == row.event.idempotency_key) {
          return make_error(ErrorCode::kConflict, "idempotency key taken");
        }
      }
      if (!state.events.emplace(row.event.id, row.event).second) {
        return make_error(ErrorCode::kConflict, "an event with id " + row.event.id + " exists");
      }
    }
    return {};
  }
  Result<void> insert_deliveries(const std::vector<model::Delivery>& deliveries,
                                 const std::vector<bool>& follows) override {
    EXPECT_EQ(deliveries.size(), follows.size());
    state.deliveries.insert(state.deliveries.end(), deliveries.begin(), deliveries.end());
    state.follows.insert(state.follows.end(), follows.begin(), follows.end());
    return {};
  }
  Result<int> queue_v1_deliveries(const model::Event& event) override {
    const int queued = event.type == "call.answered" ? v1_per_answered : 0;
    state.v1_queued += queued;
    return queued;
  }
  int v1_per_answered = 0;
  Result<Result<void>> in_savepoint(SavepointLevel, const std::function<Result<void>()>& body) override {
    ++savepoints;
    State before = state;
    Result<void> done = body();
    if (lose_transaction) return make_error(ErrorCode::kUnavailable, "the write transaction was aborted");
    if (!done) state = std::move(before);
    return done;
  }
};

std::vector<Result<IngestOutcome>> ingest(FakePort& port, const std::vector<NewEvent>& events) {
  auto out = write_ingest(port, events);
  EXPECT_TRUE(out) << out.error().message;
  return out ? std::move(*out) : std::vector<Result<IngestOutcome>>{};
}

// --- the rules, as tables ----------------------------------------------------

TEST(IngestRules, CheckNewEvent) {
  struct Case {
    const char* name;
    NewEvent in;
    bool ok;
  };
  NewEvent no_id = event("");
  NewEvent no_company = event("evt_1", "call:1", std::nullopt, "");
  NewEvent no_type = event("evt_1", "call:1", std::nullopt, "cmp_a", "");
  NewEvent sequenced_without_key = event("evt_1", "");
  sequenced_without_key.sequenced = true;
  const std::vector<Case> cases = {
      {"complete", event("evt_1"), true},
      {"unsequenced without key", event("evt_1", ""), true},
      {"no id", no_id, false},
      {"no company", no_company, false},
      {"no type", no_type, false},
      {"sequenced without key", sequenced_without_key, false},
  };
  for (const Case& c : cases) {
    auto checked = ingest_rules::check_new_event(c.in);
    EXPECT_EQ(checked.has_value(), c.ok) << c.name;
    if (!c.ok && !checked) {
      EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument) << c.name;
    }
  }
}

TEST(IngestRules, RepeatsWithinBatchPointAtTheFirstEventWithTheKey) {
  struct Case {
    const char* name;
    std::vector<NewEvent> events;
    std::vector<std::optional<std::size_t>> expected;
  };
  const std::vector<Case> cases = {
      {"no keys", {event("e1"), event("e2")}, {std::nullopt, std::nullopt}},
      {"distinct keys", {event("e1", "c", "k1"), event("e2", "c", "k2")}, {std::nullopt, std::nullopt}},
      {"same key twice", {event("e1", "c", "k"), event("e2", "c", "k")}, {std::nullopt, 0}},
      {"same key thrice",
       {event("e1", "c", "k"), event("e2"), event("e3", "c", "k"), event("e4", "c", "k")},
       {std::nullopt, std::nullopt, 0, 0}},
      {"same key, other company",
       {event("e1", "c", "k", "cmp_a"), event("e2", "c", "k", "cmp_b")},
       {std::nullopt, std::nullopt}},
      {"one event", {event("e1", "c", "k")}, {std::nullopt}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ingest_rules::repeats_within_batch(c.events), c.expected) << c.name;
  }
}

TEST(IngestRules, SequencesGoOutInBatchOrderPerCall) {
  struct Case {
    const char* name;
    std::vector<NewEvent> events;
    std::vector<std::int64_t> lasts_before;  // per distinct call, sorted by key
    std::vector<SequenceBump> bumps;
    std::vector<std::optional<std::int64_t>> expected;
  };
  const std::vector<Case> cases = {
      {"one call, new", {event("e1"), event("e2")}, {0}, {{"cmp_a", "call:1", 2}}, {1, 2}},
      {"one call, continued", {event("e1")}, {41}, {{"cmp_a", "call:1", 1}}, {42}},
      {"two calls interleaved",
       {event("e1", "call:2"), event("e2", "call:1"), event("e3", "call:2")},
       {10, 0},  // call:1 was at 10, call:2 is new
       {{"cmp_a", "call:1", 1}, {"cmp_a", "call:2", 2}},
       {1, 11, 2}},
      {"unsequenced events get none",
       {event("e1", ""), event("e2"), event("e3", "")},
       {5},
       {{"cmp_a", "call:1", 1}},
       {std::nullopt, 6, std::nullopt}},
      {"same call key, two companies",
       {event("e1", "call:1", std::nullopt, "cmp_b"), event("e2", "call:1", std::nullopt, "cmp_a")},
       {3, 7},
       {{"cmp_a", "call:1", 1}, {"cmp_b", "call:1", 1}},
       {8, 4}},
      {"nothing sequenced", {event("e1", "")}, {}, {}, {std::nullopt}},
  };
  for (const Case& c : cases) {
    std::vector<const NewEvent*> fresh;
    for (const NewEvent& in : c.events) fresh.push_back(&in);
    const std::vector<SequenceBump> bumps = ingest_rules::sequence_bumps(fresh);
    EXPECT_EQ(bumps, c.bumps) << c.name;
    std::vector<std::int64_t> lasts;
    for (std::size_t k = 0; k < bumps.size(); ++k) lasts.push_back(c.lasts_before[k] + bumps[k].count);
    EXPECT_EQ(ingest_rules::assign_sequences(fresh, bumps, lasts), c.expected) << c.name;
  }
}

TEST(IngestRules, FanOutSelectsAcceptingSubscribersInOrder) {
  struct Case {
    const char* name;
    std::vector<IngestSubscriber> subscribers;
    std::vector<std::string> delivery_ids;
    std::vector<std::string> expected_webhooks;
    std::vector<std::string> expected_ids;  // "" = a new dlv_ id
  };
  const std::vector<Case> cases = {
      {"none", {}, {"d1"}, {}, {}},
      {"type not subscribed", {subscriber("wh_1", {"call.end"})}, {"d1"}, {}, {}},
      {"subscribed", {subscriber("wh_1", {"call.answered"})}, {"d1"}, {"wh_1"}, {"d1"}},
      {"filter refuses",
       {subscriber("wh_1", {"call.answered"}, {"outbound"}),
        subscriber("wh_2", {"call.answered"}, {"inbound"})},
       {"d1", "d2"},
       {"wh_2"},
       {"d1"}},
      {"ids run short",
       {subscriber("wh_1", {"call.answered"}), subscriber("wh_2", {"call.answered"})},
       {"d1"},
       {"wh_1", "wh_2"},
       {"d1", ""}},
  };
  for (const Case& c : cases) {
    model::Event stored = event("evt_1").event;
    stored.sequence = 1;
    std::vector<model::Delivery> deliveries;
    std::vector<bool> follows;
    const int created = ingest_rules::fan_out(stored, {"inbound", "dep_1", "agt_1"}, c.subscribers,
                                              c.delivery_ids, nullptr, deliveries, follows);
    ASSERT_EQ(created, static_cast<int>(c.expected_webhooks.size())) << c.name;
    for (std::size_t i = 0; i < deliveries.size(); ++i) {
      EXPECT_EQ(deliveries[i].webhook_id, c.expected_webhooks[i]) << c.name;
      if (c.expected_ids[i].empty()) {
        EXPECT_TRUE(deliveries[i].id.starts_with("dlv_")) << c.name;
      } else {
        EXPECT_EQ(deliveries[i].id, c.expected_ids[i]) << c.name;
      }
      EXPECT_EQ(deliveries[i].next_attempt_at, kT0) << c.name;
      EXPECT_FALSE(follows[i]) << c.name;
    }
  }
}

TEST(IngestRules, FanOutMarksDeliveriesThatFollowTheirChainInTheCall) {
  const std::vector<IngestSubscriber> subscribers = {subscriber("wh_1", {"call.answered"}),
                                                     subscriber("wh_2", {"call.answered"})};
  ingest_rules::ChainsSeen chains;
  std::vector<model::Delivery> deliveries;
  std::vector<bool> follows;
  for (const auto& [id, key, sequence] : std::vector<std::tuple<std::string, std::string, int>>{
           {"e1", "call:1", 1}, {"e2", "call:2", 1}, {"e3", "call:1", 2}}) {
    model::Event stored = event(id, key).event;
    stored.sequence = sequence;
    ingest_rules::fan_out(stored, {"inbound", "", ""}, subscribers, {}, &chains, deliveries, follows);
  }
  EXPECT_THAT(follows, ElementsAre(false, false, false, false, true, true));
}

// --- the algorithm over the port ---------------------------------------------

TEST(WriteIngest, StoresEventsWithEnvelopeSequenceAndDeliveries) {
  FakePort port;
  port.subscribers["cmp_a"] = {subscriber("wh_1", {"call.answered"}), subscriber("wh_2", {"call.end"})};
  port.v1_per_answered = 1;
  NewEvent first = event("evt_1");
  first.delivery_ids = {"dlv_1"};
  auto out = ingest(port, {first, event("evt_2", "call:1", std::nullopt, "cmp_a", "call.end")});
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(out[0] && out[1]);
  EXPECT_EQ(out[0]->event_id, "evt_1");
  EXPECT_EQ(out[0]->sequence, 1);
  EXPECT_EQ(out[0]->deliveries, 2);  // wh_1 and one v1
  EXPECT_EQ(out[1]->sequence, 2);
  EXPECT_EQ(out[1]->deliveries, 1);  // wh_2
  EXPECT_FALSE(out[0]->duplicate);
  EXPECT_THAT(port.state.events.at("evt_1").payload, HasSubstr(R"("event_sequence":1)"));
  ASSERT_EQ(port.state.deliveries.size(), 2u);
  EXPECT_EQ(port.state.deliveries[0].id, "dlv_1");
  EXPECT_EQ(port.state.deliveries[1].webhook_id, "wh_2");
  // A batch is written set by set: one savepoint, one bump, one insert, one subscriber read.
  EXPECT_EQ(port.savepoints, 1);
  EXPECT_EQ(port.bumps, 1);
  EXPECT_EQ(port.event_inserts, 1);
  EXPECT_EQ(port.subscriber_reads, 1);
}

TEST(WriteIngest, IdempotencyAnswers) {
  struct Case {
    const char* name;
    std::vector<NewEvent> stored_before;
    std::vector<NewEvent> batch;
    std::vector<std::pair<std::string, bool>> expected;  // (event id, duplicate)
  };
  const std::vector<Case> cases = {
      {"new key", {}, {event("e1", "call:1", "k")}, {{"e1", false}}},
      {"key stored earlier", {event("e0", "call:1", "k")}, {event("e1", "call:1", "k")}, {{"e0", true}}},
      {"key twice in the batch",
       {},
       {event("e1", "call:1", "k"), event("e2", "call:1", "k")},
       {{"e1", false}, {"e1", true}}},
      {"key in another company",
       {event("e0", "call:1", "k", "cmp_b")},
       {event("e1", "call:1", "k")},
       {{"e1", false}}},
      {"no key never repeats", {event("e0")}, {event("e1")}, {{"e1", false}}},
  };
  for (const Case& c : cases) {
    FakePort port;
    port.subscribers["cmp_a"] = {subscriber("wh_1", {"call.answered"})};
    ingest(port, c.stored_before);
    const auto before = port.state.deliveries.size();
    auto out = ingest(port, c.batch);
    ASSERT_EQ(out.size(), c.expected.size()) << c.name;
    for (std::size_t i = 0; i < out.size(); ++i) {
      ASSERT_TRUE(out[i]) << c.name;
      EXPECT_EQ(out[i]->event_id, c.expected[i].first) << c.name;
      EXPECT_EQ(out[i]->duplicate, c.expected[i].second) << c.name;
      if (out[i]->duplicate) {
        EXPECT_EQ(out[i]->deliveries, 0) << c.name;
      }
    }
    std::size_t fresh = 0;
    for (const auto& e : c.expected) fresh += e.second ? 0 : 1;
    EXPECT_EQ(port.state.deliveries.size() - before, fresh) << c.name;
  }
  // A repeat carries the first one's sequence.
  FakePort port;
  auto out = ingest(port, {event("e1", "call:1", "k"), event("e2", "call:1", "k"), event("e3")});
  EXPECT_EQ(out[1]->sequence, out[0]->sequence);
  EXPECT_EQ(out[2]->sequence, 2);
}

TEST(WriteIngest, EnrichesOnlyWhenAsked) {
  FakePort port;
  model::Agent agent;
  agent.id = "agt_1";
  agent.company_id = "cmp_a";
  agent.name = "Ada";
  port.agents["agt_1"] = agent;
  NewEvent asked = event("e1", "call:1", std::nullopt, "cmp_a", "call.summary");
  asked.enrich_from_directory = true;
  NewEvent not_asked = event("e2", "call:2", std::nullopt, "cmp_a", "call.summary");
  ingest(port, {asked, not_asked});
  EXPECT_THAT(port.state.events.at("e1").payload, HasSubstr(R"("name":"Ada")"));
  EXPECT_THAT(port.state.events.at("e2").payload, ::testing::Not(HasSubstr("Ada")));
}

TEST(WriteIngest, AFailingEventFailsAloneAndGivesItsNumberBack) {
  FakePort port;
  port.subscribers["cmp_a"] = {subscriber("wh_1", {"call.answered"})};
  ingest(port, {event("evt_taken", "call:9")});
  NewEvent invalid = event("e_bad");
  invalid.event.type.clear();
  auto out = ingest(port, {event("e1"), event("evt_taken"), event("e2"), invalid,
                           event("e3", "call:1", std::nullopt, "cmp_unknown")});
  ASSERT_EQ(out.size(), 5u);
  ASSERT_TRUE(out[0] && out[2]);
  EXPECT_EQ(out[0]->sequence, 1);
  EXPECT_EQ(out[2]->sequence, 2);  // gapless: the taken one's number went back
  ASSERT_FALSE(out[1]);
  EXPECT_EQ(out[1].error().code, ErrorCode::kConflict);
  ASSERT_FALSE(out[3]);
  EXPECT_EQ(out[3].error().code, ErrorCode::kInvalidArgument);
  ASSERT_FALSE(out[4]);
  EXPECT_EQ(out[4].error().code, ErrorCode::kNotFound);
  EXPECT_EQ(port.state.deliveries.size(), 3u);  // evt_taken's earlier one, e1, e2
}

TEST(WriteIngest, ABatchThatFailsIsRetriedEventByEvent) {
  FakePort port;
  ingest(port, {event("evt_taken")});
  port.savepoints = 0;
  auto out = ingest(port, {event("e1"), event("evt_taken")});
  EXPECT_TRUE(out[0]);
  EXPECT_FALSE(out[1]);
  EXPECT_EQ(port.savepoints, 3);  // the batch, then each event
}

TEST(WriteIngest, LosingTheRaceForAnIdempotencyKeyAnswersWithTheWinner) {
  FakePort port;
  model::Event winner = event("evt_winner", "call:1", "k").event;
  winner.sequence = 7;
  port.racing_winner = winner;
  auto out = ingest(port, {event("evt_mine", "call:1", "k")});
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0]) << out[0].error().message;
  EXPECT_EQ(out[0]->event_id, "evt_winner");
  EXPECT_EQ(out[0]->sequence, 7);
  EXPECT_TRUE(out[0]->duplicate);
  EXPECT_EQ(port.state.events.count("evt_mine"), 0u);
  EXPECT_TRUE(port.state.deliveries.empty());
}

TEST(WriteIngest, ALostTransactionFailsTheWholeCall) {
  for (std::size_t n : {1u, 3u}) {
    FakePort port;
    port.lose_transaction = true;
    std::vector<NewEvent> events;
    for (std::size_t i = 0; i < n; ++i) events.push_back(event("e" + std::to_string(i)));
    auto out = write_ingest(port, events);
    ASSERT_FALSE(out) << n;
    EXPECT_EQ(out.error().code, ErrorCode::kUnavailable) << n;
  }
}

TEST(WriteIngest, EmptyCallWritesNothing) {
  FakePort port;
  EXPECT_TRUE(ingest(port, {}).empty());
  EXPECT_EQ(port.savepoints, 0);
}

}  // namespace
}  // namespace switchboard::store
