#include "model/live_call.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "model/event_catalog.h"

namespace switchboard::model {
namespace {

namespace json = boost::json;

const TimePoint kAt = TimePoint(std::chrono::milliseconds(1'700'000'000'000));

json::object object_of(std::string_view text) { return json::parse(text).as_object(); }

struct StateCase {
  std::string type;
  std::string status;
  std::optional<LiveCallState> expected;
};

TEST(LiveCallUpdate, MapsEachCallEventAndStatusToAWidgetState) {
  const std::vector<StateCase> cases = {
      {"call.initiated", "initiated", LiveCallState::kRinging},
      {"call.dial_begin", "ringing", LiveCallState::kRinging},
      {"call.dial_begin", "in_progress", LiveCallState::kTransferred},
      {"call.answered", "in_progress", LiveCallState::kConnected},
      {"call.end", "completed", LiveCallState::kDisconnected},
      {"call.end", "missed", LiveCallState::kMissed},
      {"call.end", "no_answer", LiveCallState::kMissed},
      {"call.end", "busy", LiveCallState::kMissed},
      {"call.end", "failed", LiveCallState::kMissed},
      {"call.summary", "completed", std::nullopt},
      {"call.disposition", "completed", std::nullopt},
      {"message.sent", "sent", std::nullopt},
  };
  for (const auto& c : cases) {
    auto d = object_of(
        R"({"call_id":"call_1","direction":"inbound","from":"+918588123517","to":"+918040000102"})");
    d["status"] = c.status;
    auto update = live_call_update(c.type, d, kAt);
    ASSERT_EQ(update.has_value(), c.expected.has_value()) << c.type << " " << c.status;
    if (!update) continue;
    EXPECT_EQ(update->state, *c.expected) << c.type << " " << c.status;
    EXPECT_EQ(update->call_id, "call_1");
    EXPECT_EQ(update->from, "+918588123517");
    EXPECT_EQ(update->to, "+918040000102");
    EXPECT_EQ(update->direction, "inbound");
    EXPECT_EQ(update->at, kAt);
  }
}

TEST(LiveCallUpdate, NeedsACallId) {
  EXPECT_FALSE(live_call_update("call.initiated", object_of(R"({"status":"initiated"})"), kAt));
  EXPECT_FALSE(live_call_update("call.initiated", object_of(R"({"call_id":7})"), kAt));
}

// kLiveCallEventTypes is the set the store reads back at start: it must be
// exactly the catalog's types that give an update, whatever the status.
TEST(LiveCallUpdate, ExactlyTheLiveCallEventTypesOfTheCatalogMoveACall) {
  std::size_t moving = 0;
  for (const auto& info : event_catalog()) {
    bool any = false;
    for (std::string_view status : {"initiated", "ringing", "in_progress", "completed", "missed", "sent"}) {
      auto d = object_of(R"({"call_id":"call_1"})");
      d["status"] = status;
      any = any || live_call_update(info.type, d, kAt).has_value();
    }
    EXPECT_EQ(any, moves_live_call(info.type)) << info.type;
    if (any) ++moving;
  }
  EXPECT_EQ(moving, kLiveCallEventTypes.size()) << "every listed type is in the catalog";
  EXPECT_FALSE(moves_live_call("call.")) << "no prefix match";
  EXPECT_FALSE(moves_live_call(""));
}

TEST(LiveCallUpdate, TheAgentIsTheDataAgentElseTheLastAgentStillOnTheCall) {
  struct Case {
    std::string legs_and_agent;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {R"("agent_id":"agt_top","legs":[{"role":"agent","state":"ringing","agent_id":"agt_leg"}])", "agt_top"},
      {R"("legs":[{"role":"agent","state":"no_answer","agent_id":"agt_1"},
                  {"role":"agent","state":"ringing","agent_id":"agt_2"}])",
       "agt_2"},
      {R"("legs":[{"role":"agent","state":"answered","agent_id":"agt_1"},
                  {"role":"agent","state":"busy","agent_id":"agt_2"}])",
       "agt_1"},
      {R"("legs":[{"role":"customer","state":"answered"}])", ""},
      {R"("legs":[{"role":"agent","state":"ringing"}])", ""},
      {R"("legs":"not a list")", ""},
  };
  for (const auto& c : cases) {
    auto d = object_of(R"({"call_id":"call_1","status":"ringing",)" + c.legs_and_agent + "}");
    auto update = live_call_update("call.dial_begin", d, kAt);
    ASSERT_TRUE(update) << c.legs_and_agent;
    EXPECT_EQ(update->agent_id, c.expected) << c.legs_and_agent;
  }
}

TEST(LiveCallState, OnlyDisconnectedAndMissedAreFinal) {
  EXPECT_FALSE(is_final(LiveCallState::kRinging));
  EXPECT_FALSE(is_final(LiveCallState::kConnected));
  EXPECT_FALSE(is_final(LiveCallState::kTransferred));
  EXPECT_TRUE(is_final(LiveCallState::kDisconnected));
  EXPECT_TRUE(is_final(LiveCallState::kMissed));
  EXPECT_EQ(to_string(LiveCallState::kTransferred), "transferred");
  EXPECT_EQ(to_string(LiveCallState::kDisconnected), "disconnected");
}

TEST(LiveCallFilter, ParsesCommaSeparatedListsAndNormalizesNumbers) {
  auto filter = parse_live_call_filter(" +91 98765-00023 ,+918040000102,", "dep_support, dep_sales");
  ASSERT_TRUE(filter);
  EXPECT_EQ(filter->numbers, (std::vector<std::string>{"+919876500023", "+918040000102"}));
  EXPECT_EQ(filter->department_ids, (std::vector<std::string>{"dep_support", "dep_sales"}));
  auto empty = parse_live_call_filter("", "");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->numbers.empty());
  EXPECT_TRUE(empty->department_ids.empty());
}

TEST(LiveCallFilter, RejectsBadEntriesWithTheField) {
  struct Case {
    std::string numbers;
    std::string departments;
    std::string field;
    std::string code;
  };
  std::string many_numbers;
  for (int i = 0; i < 51; ++i) many_numbers += "+9180400001" + std::to_string(10 + i) + ",";
  std::string many_departments;
  for (int i = 0; i < 51; ++i) many_departments += "dep_" + std::to_string(i) + ",";
  const std::vector<Case> cases = {
      {"918040000102", "", "numbers", "invalid_value"},
      {"+91abc", "", "numbers", "invalid_value"},
      {"+1", "", "numbers", "invalid_value"},
      {"+12345678901234567", "", "numbers", "invalid_value"},
      {many_numbers, "", "numbers", "too_many"},
      {"", "dep support", "department_ids", "invalid_value"},
      {"", "<script>", "department_ids", "invalid_value"},
      {"", many_departments, "department_ids", "too_many"},
  };
  for (const auto& c : cases) {
    auto filter = parse_live_call_filter(c.numbers, c.departments);
    ASSERT_FALSE(filter) << c.numbers << c.departments;
    ASSERT_FALSE(filter.error().errors.empty());
    EXPECT_EQ(filter.error().errors.front().field, c.field) << c.numbers << c.departments;
    EXPECT_EQ(filter.error().errors.front().code, c.code) << c.numbers << c.departments;
  }
}

TEST(LiveCallFilter, MatchesFromOrToAndTheDepartment) {
  LiveCallUpdate call;
  call.from = "+918588123517";
  call.to = "+918040000102";
  call.department_id = "dep_support";
  struct Case {
    std::vector<std::string> numbers;
    std::vector<std::string> departments;
    bool matches;
  };
  const std::vector<Case> cases = {
      {{}, {}, true},
      {{"+918588123517"}, {}, true},
      {{"+918040000102"}, {}, true},
      {{"+910000000000"}, {}, false},
      {{}, {"dep_support"}, true},
      {{}, {"dep_sales"}, false},
      {{"+918040000102"}, {"dep_sales", "dep_support"}, true},
      {{"+918040000102"}, {"dep_sales"}, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(live_call_matches(LiveCallFilter{c.numbers, c.departments}, call), c.matches);
  }
  call.department_id.clear();
  EXPECT_FALSE(live_call_matches(LiveCallFilter{{}, {"dep_support"}}, call));
}

TEST(LiveCallRelay, RoundTripsEveryFieldAndState) {
  for (auto state : {LiveCallState::kRinging, LiveCallState::kConnected, LiveCallState::kTransferred,
                     LiveCallState::kDisconnected, LiveCallState::kMissed}) {
    RelayedLiveCall relayed{"cmp_1", LiveCallUpdate{"call_\"1\"", state, "inbound", "+918588123517",
                                                    "+918040000102", "agt_1", "dep_1", kAt, 42}};
    auto text = encode_live_call_relay(relayed);
    ASSERT_TRUE(text);
    auto back = decode_live_call_relay(*text);
    ASSERT_TRUE(back) << *text;
    EXPECT_EQ(back->company_id, "cmp_1");
    EXPECT_EQ(back->update.call_id, "call_\"1\"");
    EXPECT_EQ(back->update.state, state);
    EXPECT_EQ(back->update.direction, "inbound");
    EXPECT_EQ(back->update.from, "+918588123517");
    EXPECT_EQ(back->update.to, "+918040000102");
    EXPECT_EQ(back->update.agent_id, "agt_1");
    EXPECT_EQ(back->update.department_id, "dep_1");
    EXPECT_EQ(back->update.at, kAt);
    EXPECT_EQ(back->update.sequence, 42);
  }
}

TEST(LiveCallRelay, APayloadWithoutASequenceDecodesWithSequenceZero) {
  // As a node of the previous version sends it, during a rolling upgrade.
  auto back = decode_live_call_relay(
      R"({"company_id":"cmp_1","call_id":"call_1","state":"ringing","direction":"inbound",)"
      R"("from":"+1","to":"+2","agent_id":"","department_id":"","at":1700000000000})");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->update.sequence, 0);
}

TEST(LiveCallUpdate, IsAfterComparesTimeThenSequence) {
  struct Case {
    long long a_ms;
    std::int64_t a_seq;
    long long b_ms;
    std::int64_t b_seq;
    bool after;
  };
  const std::vector<Case> cases = {
      {2, 0, 1, 9, true},   // later wins whatever the sequences
      {1, 9, 2, 0, false},  //
      {1, 3, 1, 2, true},   // same millisecond: the higher sequence
      {1, 2, 1, 3, false},  //
      {1, 2, 1, 2, false},  // the same update is not after itself
  };
  for (const auto& c : cases) {
    LiveCallUpdate a, b;
    a.at = kAt + std::chrono::milliseconds(c.a_ms);
    a.sequence = c.a_seq;
    b.at = kAt + std::chrono::milliseconds(c.b_ms);
    b.sequence = c.b_seq;
    EXPECT_EQ(is_after(a, b), c.after) << c.a_ms << "/" << c.a_seq << " vs " << c.b_ms << "/" << c.b_seq;
  }
}

TEST(LiveCallRelay, RefusesAPayloadOverTheNotifyLimit) {
  RelayedLiveCall relayed{
      "cmp_1", LiveCallUpdate{std::string(kMaxLiveCallRelayBytes, 'c'), LiveCallState::kRinging, "inbound",
                              "", "", "", "", kAt, 1}};
  EXPECT_FALSE(encode_live_call_relay(relayed));
}

TEST(LiveCallRelay, DecodesOnlyWhatEncodeProduces) {
  const std::string good =
      R"({"company_id":"cmp_1","call_id":"call_1","state":"connected","direction":"inbound",)"
      R"("from":"+1","to":"+2","agent_id":"","department_id":"","at":1700000000000})";
  ASSERT_TRUE(decode_live_call_relay(good));
  const std::vector<std::string> bad = {
      "",
      "not json",
      "[]",
      R"({"call_id":"call_1","state":"connected","at":1})",                         // no company
      R"({"company_id":"cmp_1","state":"connected","at":1})",                       // no call
      R"({"company_id":"cmp_1","call_id":"call_1","state":"talking","at":1})",      // unknown state
      R"({"company_id":"cmp_1","call_id":"call_1","state":"connected"})",           // no time
      R"({"company_id":"cmp_1","call_id":"call_1","state":"connected","at":"1"})",  // time not a number
      R"({"company_id":7,"call_id":"call_1","state":"connected","at":1})",          // company not a string
      std::string(kMaxLiveCallRelayBytes + 1, ' '),
  };
  for (const auto& text : bad) EXPECT_FALSE(decode_live_call_relay(text)) << text;
}

}  // namespace
}  // namespace switchboard::model
