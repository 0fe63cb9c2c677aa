// The ingest pipeline around the store: stamping (a table), and which
// listeners hear of what after COMMIT (a table over the store's answers).
#include "ingest/ingestor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <utility>

#include "common/ids.h"

namespace switchboard::ingest {
namespace {

using ::testing::ElementsAre;

const TimePoint kT0{std::chrono::milliseconds(1'780'000'000'000)};

model::EventInput input(const std::string& type, std::optional<TimePoint> occurred_at = std::nullopt) {
  model::EventInput in;
  in.type = type;
  in.occurred_at = occurred_at;
  in.idempotency_key = "key-" + type;
  in.data_json = R"({"call_id":"c1"})";
  in.sequenced = true;
  in.sequence_key = "call:c1";
  in.attributes = {"inbound", "dep_1", "agt_1"};
  return in;
}

TEST(StampEvent, StampsIdsTimesAndTheEnrichmentDecision) {
  struct Case {
    const char* type;
    std::optional<TimePoint> occurred_at;
    TimePoint expected_occurred_at;
    bool enriched;
  };
  const std::vector<Case> cases = {
      {"call.summary", std::nullopt, kT0, true},
      {"call.summary", kT0 - std::chrono::minutes(3), kT0 - std::chrono::minutes(3), true},
      {"call.end", std::nullopt, kT0, false},
      {"call.disposition", kT0 - std::chrono::seconds(1), kT0 - std::chrono::seconds(1), false},
      {"message.received", std::nullopt, kT0, false},
  };
  for (const Case& c : cases) {
    store::NewEvent out = stamp_event(input(c.type, c.occurred_at), "cmp_a", kT0);
    EXPECT_TRUE(is_valid_id(out.event.id, "evt")) << c.type << " " << out.event.id;
    EXPECT_EQ(out.event.company_id, "cmp_a") << c.type;
    EXPECT_EQ(out.event.type, c.type);
    EXPECT_EQ(out.event.created_at, kT0) << c.type;
    EXPECT_EQ(out.event.occurred_at, c.expected_occurred_at) << c.type;
    EXPECT_EQ(out.enrich_from_directory, c.enriched) << c.type;
    EXPECT_EQ(out.event.idempotency_key, "key-" + std::string(c.type));
    EXPECT_EQ(out.event.sequence_key, "call:c1");
    EXPECT_TRUE(out.sequenced);
    EXPECT_EQ(out.data_json, R"({"call_id":"c1"})");
    EXPECT_EQ(out.attributes.agent_id, "agt_1");
    EXPECT_TRUE(out.delivery_ids.empty());  // the store makes ids for real deliveries only
  }
  EXPECT_NE(stamp_event(input("call.end"), "cmp_a", kT0).event.id,
            stamp_event(input("call.end"), "cmp_a", kT0).event.id);
}

// Answers ingest_events() with what the test sets, and keeps what it was given.
class ScriptedEventStore final : public store::EventStore {
 public:
  Result<std::vector<Result<store::IngestOutcome>>> answer;
  std::vector<store::NewEvent> given;

  Result<std::vector<Result<store::IngestOutcome>>> ingest_events(
      const std::vector<store::NewEvent>& events) override {
    given = events;
    return answer;
  }
  Result<model::Event> get_event(const std::string&, const std::string&) override {
    return make_error(ErrorCode::kNotFound, "unused");
  }
  Result<std::vector<model::Event>> list_recent_call_events(const std::string&, TimePoint, int) override {
    return std::vector<model::Event>{};
  }
};

// Holds ingest_events_async()'s answer until finish(), as a store whose
// COMMIT has not happened yet.
class DeferredEventStore final : public store::EventStore, public store::AsyncEventIngest {
 public:
  Result<std::vector<Result<store::IngestOutcome>>> answer;

  Result<std::vector<Result<store::IngestOutcome>>> ingest_events(
      const std::vector<store::NewEvent>&) override {
    return answer;
  }
  void ingest_events_async(std::shared_ptr<const std::vector<store::NewEvent>> events,
                           IngestDone done) override {
    EXPECT_EQ(events->size(), answer ? answer->size() : events->size());
    done_ = std::move(done);
  }
  void finish() { std::exchange(done_, nullptr)(answer); }
  Result<model::Event> get_event(const std::string&, const std::string&) override {
    return make_error(ErrorCode::kNotFound, "unused");
  }
  Result<std::vector<model::Event>> list_recent_call_events(const std::string&, TimePoint, int) override {
    return std::vector<model::Event>{};
  }

 private:
  IngestDone done_;
};

struct Heard : StoredEventSink, DeliveryWakeup {
  std::vector<std::string> events;  // "<type>#<sequence>"
  int wakeups = 0;
  void event_stored(const std::string& company_id, const std::string& event_type,
                    const std::string& data_json, TimePoint occurred_at, std::int64_t sequence) override {
    EXPECT_EQ(company_id, "cmp_a");
    EXPECT_EQ(data_json, R"({"call_id":"c1"})");
    EXPECT_EQ(occurred_at, kT0);
    events.push_back(event_type + "#" + std::to_string(sequence));
  }
  std::vector<std::string> queued;  // ids the wake-ups carried
  void deliveries_queued(std::vector<store::PendingDelivery> created) override {
    ++wakeups;
    for (const auto& delivery : created) queued.push_back(delivery.id);
  }
};

// An outcome with `deliveries` v2 deliveries, named dlv_<sequence>_<n>.
store::IngestOutcome stored(int deliveries, std::optional<std::int64_t> sequence = 1,
                            bool duplicate = false) {
  store::IngestOutcome outcome{"evt_x", sequence, duplicate, deliveries};
  for (int n = 0; n < deliveries && !duplicate; ++n) {
    store::PendingDelivery delivery;
    delivery.id = "dlv_" + std::to_string(sequence.value_or(0)) + "_" + std::to_string(n);
    outcome.queued.push_back(delivery);
  }
  return outcome;
}

TEST(Ingestor, TellsListenersOfWhatWasNewlyStoredAfterCommit) {
  using Outcome = Result<store::IngestOutcome>;
  struct Case {
    const char* name;
    std::vector<Outcome> outcomes;
    std::vector<std::string> live;
    int wakeups;
    std::vector<std::string> queued;  // the ids the one wake-up carries
  };
  const Outcome failed = make_error(ErrorCode::kConflict, "taken");
  const std::vector<Case> cases = {
      {"new with deliveries", {stored(2)}, {"call.answered#1"}, 1, {"dlv_1_0", "dlv_1_1"}},
      {"new without deliveries", {stored(0)}, {"call.answered#1"}, 0, {}},
      {"unsequenced", {stored(0, std::nullopt)}, {"call.answered#0"}, 0, {}},
      {"duplicate", {stored(0, 1, true)}, {}, 0, {}},
      {"failed", {failed}, {}, 0, {}},
      {"batch: one wake-up for the call, carrying every new delivery",
       {stored(1, 1), failed, stored(0, 2, true), stored(3, 3)},
       {"call.answered#1", "call.answered#3"},
       1,
       {"dlv_1_0", "dlv_3_0", "dlv_3_1", "dlv_3_2"}},
  };
  for (const Case& c : cases) {
    ScriptedEventStore store;
    store.answer = c.outcomes;
    Heard heard;
    Ingestor ingestor(store, &heard, &heard);
    std::vector<model::EventInput> inputs;
    for (std::size_t i = 0; i < c.outcomes.size(); ++i) inputs.push_back(input("call.answered", kT0));
    auto out = ingestor.ingest("cmp_a", std::move(inputs), kT0);
    ASSERT_TRUE(out) << c.name;
    EXPECT_EQ(out->size(), c.outcomes.size()) << c.name;
    EXPECT_EQ(store.given.size(), c.outcomes.size()) << c.name;
    EXPECT_EQ(heard.events, c.live) << c.name;
    EXPECT_EQ(heard.wakeups, c.wakeups) << c.name;
    EXPECT_EQ(heard.queued, c.queued) << c.name;

    // ingest_async(): the same listeners, told before `done`, only once the
    // store answers (after its COMMIT).
    DeferredEventStore later;
    later.answer = c.outcomes;
    Heard heard_async;
    Ingestor async_ingestor(later, &heard_async, &heard_async);
    std::vector<model::EventInput> async_inputs;
    for (std::size_t i = 0; i < c.outcomes.size(); ++i) async_inputs.push_back(input("call.answered", kT0));
    std::optional<Result<IngestResults>> answer;
    async_ingestor.ingest_async("cmp_a", std::move(async_inputs), kT0, [&](Result<IngestResults> result) {
      EXPECT_EQ(heard_async.events, c.live) << c.name;  // told first
      answer = std::move(result);
    });
    EXPECT_TRUE(heard_async.events.empty()) << c.name;  // nothing before the store answers
    EXPECT_FALSE(answer) << c.name;
    later.finish();
    ASSERT_TRUE(answer && *answer) << c.name;
    EXPECT_EQ((*answer)->size(), c.outcomes.size()) << c.name;
    EXPECT_EQ(heard_async.events, c.live) << c.name;
    EXPECT_EQ(heard_async.wakeups, c.wakeups) << c.name;
    EXPECT_EQ(heard_async.queued, c.queued) << c.name;
  }
}

TEST(Ingestor, AFailedAsyncTransactionTellsNobodyButDone) {
  DeferredEventStore store;
  store.answer = tl::unexpected(Error{ErrorCode::kUnavailable, "disk full"});
  Heard heard;
  Ingestor ingestor(store, &heard, &heard);
  std::vector<model::EventInput> inputs;
  inputs.push_back(input("call.answered", kT0));
  std::optional<Result<IngestResults>> answer;
  ingestor.ingest_async("cmp_a", std::move(inputs), kT0,
                        [&](Result<IngestResults> r) { answer = std::move(r); });
  store.finish();
  ASSERT_TRUE(answer);
  ASSERT_FALSE(*answer);
  EXPECT_EQ(answer->error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(heard.events.empty());
  EXPECT_EQ(heard.wakeups, 0);
}

TEST(Ingestor, AFailedTransactionTellsNobody) {
  ScriptedEventStore store;
  store.answer = tl::unexpected(Error{ErrorCode::kUnavailable, "disk full"});
  Heard heard;
  Ingestor ingestor(store, &heard, &heard);
  std::vector<model::EventInput> inputs;
  inputs.push_back(input("call.answered", kT0));
  auto out = ingestor.ingest("cmp_a", std::move(inputs), kT0);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(heard.events.empty());
  EXPECT_EQ(heard.wakeups, 0);
}

TEST(Ingestor, HandsTheStoreTheEventsInOrderAndRunsWithoutListeners) {
  ScriptedEventStore store;
  store.answer = std::vector<Result<store::IngestOutcome>>{stored(1), stored(1, 2)};
  Ingestor ingestor(store, nullptr, nullptr);
  std::vector<model::EventInput> inputs;
  inputs.push_back(input("call.initiated"));
  inputs.push_back(input("call.summary"));
  ASSERT_TRUE(ingestor.ingest("cmp_a", std::move(inputs), kT0));
  ASSERT_EQ(store.given.size(), 2u);
  EXPECT_EQ(store.given[0].event.type, "call.initiated");
  EXPECT_EQ(store.given[1].event.type, "call.summary");
  EXPECT_TRUE(store.given[1].enrich_from_directory);
}

}  // namespace
}  // namespace switchboard::ingest
