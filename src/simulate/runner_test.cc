#include "simulate/runner.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <sstream>

#include "common/time_format.h"
#include "simulate/scenarios.h"

namespace switchboard::simulate {
namespace {

namespace json = boost::json;

// Accepts every event except message.failed, which it refuses, and records the
// request shapes.
class FakePublisher final : public Publisher {
 public:
  PublishOutcome publish_one(const SimEvent& event) override {
    ++singles;
    return outcome(event);
  }
  std::vector<PublishOutcome> publish_batch(std::span<const SimEvent> events) override {
    ++batches;
    largest_batch = std::max(largest_batch, events.size());
    std::vector<PublishOutcome> out;
    for (const auto& e : events) out.push_back(outcome(e));
    return out;
  }
  int singles = 0;
  int batches = 0;
  std::size_t largest_batch = 0;
  TimePoint latest_occurred_at{};

 private:
  PublishOutcome outcome(const SimEvent& e) {
    latest_occurred_at = std::max(latest_occurred_at, e.occurred_at);
    if (e.type == "message.failed") return {PublishOutcome::Kind::kRefused, {}, {}, "invalid_value: no"};
    return {PublishOutcome::Kind::kAccepted, "evt_" + std::to_string(++n_), n_, {}};
  }
  long long n_ = 0;
};

std::vector<json::object> json_lines(const std::string& text) {
  std::vector<json::object> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) out.push_back(json::parse(line).as_object());
  return out;
}

TrafficGenerator generator() {
  return TrafficGenerator(GeneratorOptions{9, *parse_rfc3339("2026-11-22T10:00:00Z"), TrafficMix{}, 4});
}

TEST(RunnerTest, HighRatesGoOutInBatchesAndStopAtTheCount) {
  auto gen = generator();
  FakePublisher publisher;
  std::ostringstream results;
  const auto summary = run_simulation(gen, publisher, RunPlan{.rate = 5000, .count = 1200}, &results);
  EXPECT_EQ(summary.sent, 1200);
  EXPECT_EQ(summary.accepted + summary.refused, 1200);
  EXPECT_EQ(publisher.singles, 0);
  EXPECT_GT(publisher.batches, 1);
  EXPECT_LE(publisher.largest_batch, model::limits::kMaxEventsPerBatch);
  const auto lines = json_lines(results.str());
  EXPECT_EQ(lines.size(), 1200u);
  for (const auto& v : lines) {
    EXPECT_TRUE(v.contains("event_id") || v.contains("error")) << json::serialize(v);
    EXPECT_FALSE(v.at("id").as_string().empty()) << json::serialize(v);
  }
}

// The simulated timeline runs ahead of the wall clock at high rates; the
// server refuses occurred_at more than 5 minutes ahead, so events go out
// stamped no later than the clock's now.
TEST(RunnerTest, EventsGoOutNoLaterThanTheClock) {
  const TimePoint start = *parse_rfc3339("2026-11-22T10:00:00Z");
  auto free_run = generator();
  FakePublisher unclamped;
  run_simulation(free_run, unclamped, RunPlan{.rate = 5000, .count = 1000}, nullptr);
  ASSERT_GT(unclamped.latest_occurred_at,
            start + std::chrono::minutes(10));  // the timeline ran ahead

  auto gen = generator();
  FakePublisher publisher;
  ManualClock clock(start + std::chrono::minutes(1));
  const auto summary =
      run_simulation(gen, publisher, RunPlan{.rate = 5000, .count = 1000, .clock = &clock}, nullptr);
  EXPECT_EQ(summary.sent, 1000);
  EXPECT_EQ(publisher.latest_occurred_at, clock.now());
}

TEST(RunnerTest, LowRatesSendOneEventPerRequestAtTheRate) {
  auto gen = generator();
  FakePublisher publisher;
  const auto summary = run_simulation(gen, publisher, RunPlan{.rate = 20, .count = 6}, nullptr);
  EXPECT_EQ(summary.sent, 6);
  EXPECT_EQ(publisher.singles, 6);
  EXPECT_EQ(publisher.batches, 0);
  // Six events at 20/s: the first at once, the last 250 ms later.
  EXPECT_GE(summary.elapsed_sec, 0.24);
  EXPECT_LT(summary.elapsed_sec, 2.0);
}

TEST(RunnerTest, StopsAfterTheDuration) {
  auto gen = generator();
  FakePublisher publisher;
  const auto summary = run_simulation(gen, publisher, RunPlan{.rate = 200, .duration_sec = 0.5}, nullptr);
  EXPECT_GE(summary.sent, 80);
  EXPECT_LE(summary.sent, 101);
  EXPECT_LT(summary.elapsed_sec, 1.5);
}

TEST(RunnerTest, StopsWhenAsked) {
  auto gen = generator();
  FakePublisher publisher;
  std::atomic<bool> stop{true};
  const auto summary = run_simulation(gen, publisher, RunPlan{.rate = 100, .stop = &stop}, nullptr);
  EXPECT_EQ(summary.sent, 0);
}

TEST(RunnerTest, SummaryCountsAndReasons) {
  RunSummary s;
  s.sent = 5;
  s.accepted = 3;
  s.refused = 2;
  s.elapsed_sec = 2;
  s.reasons["invalid_value: data.status must be \"sent\"."] = 2;
  s.by_type["message.sent"] = 5;
  const std::string text = format_summary(s);
  EXPECT_NE(text.find("sent 5 events in 2.0 s (2.5/s): 3 accepted, 2 refused, 0 failed"), std::string::npos)
      << text;
  EXPECT_NE(text.find("message.sent"), std::string::npos);
  EXPECT_NE(text.find("not accepted (2): invalid_value: data.status must be \"sent\"."), std::string::npos);
}

TEST(RunnerTest, DryRunWritesTheEventBodies) {
  auto gen = generator();
  std::ostringstream out;
  write_events(gen, 3, out);
  const auto lines = json_lines(out.str());
  EXPECT_EQ(lines.size(), 3u);
  for (const auto& v : lines) {
    EXPECT_TRUE(v.contains("type") && v.contains("occurred_at") && v.contains("data")) << json::serialize(v);
  }
}

struct ResponseCase {
  long status;
  std::string_view body;
  std::size_t count;
  bool batch;
  std::vector<PublishOutcome::Kind> kinds;
  std::string_view first_reason;
};

TEST(PublisherTest, ReadsTheServersAnswers) {
  using K = PublishOutcome::Kind;
  const ResponseCase cases[] = {
      {202, R"({"event_id":"evt_1","event_sequence":3})", 1, false, {K::kAccepted}, ""},
      {202, R"({"event_id":"evt_1","event_sequence":null})", 1, false, {K::kAccepted}, ""},
      {422,
       R"({"error":{"code":"required","message":"data.to is required.","field":"data.to"}})",
       1,
       false,
       {K::kRefused},
       "HTTP 422 required: data.to is required."},
      {401,
       R"({"error":{"code":"unauthorized","message":"Invalid token."}})",
       2,
       true,
       {K::kFailed, K::kFailed},
       "HTTP 401 unauthorized: Invalid token."},
      {503, "", 1, false, {K::kFailed}, "HTTP 503 (no error body)"},
      {0, "Couldn't connect to server", 1, false, {K::kFailed}, "transport: Couldn't connect to server"},
      {202,
       R"({"results":[{"event_id":"evt_1","event_sequence":1},{"error":{"code":"invalid_phone","message":"data.from must be a phone number.","field":"events[1].data.from"}},{"error":{"code":"unavailable","message":"store"}}]})",
       3,
       true,
       {K::kAccepted, K::kRefused, K::kFailed},
       ""},
      {202, R"({"results":[]})", 2, true, {K::kFailed, K::kFailed}, "unexpected answer to a 202"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.body));
    const auto out = outcomes_from_response(c.status, c.body, c.count, c.batch);
    ASSERT_EQ(out.size(), c.kinds.size());
    for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].kind, c.kinds[i]) << i;
    EXPECT_EQ(out[0].reason, c.first_reason);
  }
  const auto batch = outcomes_from_response(
      202,
      R"({"results":[{"event_id":"evt_9","event_sequence":4},{"error":{"code":"invalid_phone","message":"m"}}]})",
      2, true);
  EXPECT_EQ(batch[0].event_id, "evt_9");
  EXPECT_EQ(batch[0].event_sequence, 4);
  EXPECT_EQ(batch[1].reason, "invalid_phone: m");
}

TEST(PublisherTest, RefusesBadBaseUrlsAndMissingTokens) {
  EXPECT_FALSE(HttpPublisher::create("127.0.0.1:8080", "t").has_value());
  EXPECT_FALSE(HttpPublisher::create("http://127.0.0.1:8080", "").has_value());
  EXPECT_TRUE(HttpPublisher::create("http://127.0.0.1:8080/", "t").has_value());
}

TEST(PublisherTest, ReportsAnUnreachableServerAsFailed) {
  auto publisher = HttpPublisher::create("http://127.0.0.1:1", "t");
  ASSERT_TRUE(publisher.has_value());
  const auto gen_events = [] {
    auto gen = generator();
    return gen.next();
  }();
  const auto outcome = (*publisher)->publish_one(gen_events);
  EXPECT_EQ(outcome.kind, PublishOutcome::Kind::kFailed);
  EXPECT_EQ(outcome.reason.rfind("transport: ", 0), 0u) << outcome.reason;
}

// Filling the directory: created, taken (update it), not allowed (an ingest
// token: leave it), or failed.
TEST(DirectoryFillTest, StepAfterCreate) {
  const std::pair<long, DirectoryStep> cases[] = {
      {201, DirectoryStep::kDone},       {409, DirectoryStep::kUpdate}, {401, DirectoryStep::kNotAllowed},
      {403, DirectoryStep::kNotAllowed}, {422, DirectoryStep::kFailed}, {500, DirectoryStep::kFailed},
      {0, DirectoryStep::kFailed},       {200, DirectoryStep::kFailed},
  };
  for (const auto& [status, step] : cases) EXPECT_EQ(directory_step_after_create(status), step) << status;
}

// The directory holds every agent and department the generated calls name,
// each agent with a name, an e-mail, an extension and a known department.
TEST(DirectoryFillTest, SimDirectoryCoversTheGeneratedCalls) {
  const SimDirectory directory = sim_directory();
  std::set<std::string> departments, agents;
  for (const auto& d : directory.departments) departments.insert(d.id);
  for (const auto& a : directory.agents) {
    agents.insert(a.id);
    EXPECT_FALSE(a.name.empty()) << a.id;
    EXPECT_NE(a.email.find('@'), std::string::npos) << a.id;
    EXPECT_FALSE(a.extension.empty()) << a.id;
    EXPECT_TRUE(departments.count(a.department_id)) << a.id;
  }
  GeneratorOptions options;
  options.seed = 11;
  options.mix = TrafficMix{1, 0, 0};
  TrafficGenerator generator(options);
  for (int i = 0; i < 2000; ++i) {
    const json::object data = generator.next().data;
    if (auto* agent = data.if_contains("agent_id"))
      EXPECT_TRUE(agents.count(std::string(agent->as_string())));
    if (auto* dep = data.if_contains("department_id"))
      EXPECT_TRUE(departments.count(std::string(dep->as_string())));
  }
}

}  // namespace
}  // namespace switchboard::simulate
