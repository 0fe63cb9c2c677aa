// fold_calls / page_calls: one row per call, its true final state (an
// answered call never reads Missed), out-of-order events, paging.
#include "api/call_history.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace switchboard::api {
namespace {

using model::LiveCallState;
using std::chrono::seconds;

model::LiveCallUpdate update(const std::string& call, LiveCallState state, int at_s, std::string agent = "",
                             std::int64_t sequence = 0) {
  model::LiveCallUpdate u;
  u.call_id = call;
  u.state = state;
  u.direction = "inbound";
  u.from = "+911";
  u.to = "+912";
  u.agent_id = std::move(agent);
  u.at = TimePoint(seconds(1000 + at_s));
  u.sequence = sequence;
  return u;
}

TEST(CallHistoryTest, FoldsEachCallToItsTrueState) {
  struct Case {
    const char* name;
    std::vector<model::LiveCallUpdate> updates;
    LiveCallState state;
    bool answered, ended;
    std::string agent;
  };
  const Case cases[] = {
      {"ringing only", {update("c", LiveCallState::kRinging, 0)}, LiveCallState::kRinging, false, false, ""},
      {"answered then completed",
       {update("c", LiveCallState::kRinging, 0), update("c", LiveCallState::kConnected, 5, "a1"),
        update("c", LiveCallState::kDisconnected, 60)},
       LiveCallState::kDisconnected,
       true,
       true,
       "a1"},
      {"never answered: missed",
       {update("c", LiveCallState::kRinging, 0), update("c", LiveCallState::kMissed, 30)},
       LiveCallState::kMissed,
       false,
       true,
       ""},
      {"answered, then an end that says missed: disconnected, never Missed",
       {update("c", LiveCallState::kRinging, 0), update("c", LiveCallState::kConnected, 5, "a1"),
        update("c", LiveCallState::kMissed, 40)},
       LiveCallState::kDisconnected,
       true,
       true,
       "a1"},
      {"events arrive out of order: the newest wins",
       {update("c", LiveCallState::kDisconnected, 60), update("c", LiveCallState::kConnected, 5, "a1"),
        update("c", LiveCallState::kRinging, 0)},
       LiveCallState::kDisconnected,
       true,
       true,
       "a1"},
      {"same millisecond: the higher sequence wins",
       {update("c", LiveCallState::kConnected, 5, "a1", 3), update("c", LiveCallState::kRinging, 5, "", 2)},
       LiveCallState::kConnected,
       true,
       false,
       "a1"},
      {"transfer: still going",
       {update("c", LiveCallState::kConnected, 5, "a1"), update("c", LiveCallState::kTransferred, 20)},
       LiveCallState::kTransferred,
       true,
       false,
       "a1"},
  };
  for (const auto& c : cases) {
    auto calls = fold_calls(c.updates);
    ASSERT_EQ(calls.size(), 1u) << c.name;
    EXPECT_EQ(calls[0].latest.state, c.state) << c.name;
    EXPECT_EQ(calls[0].answered_at.has_value(), c.answered) << c.name;
    EXPECT_EQ(calls[0].ended_at.has_value(), c.ended) << c.name;
    EXPECT_EQ(calls[0].latest.agent_id, c.agent) << c.name;
    const auto first = std::min_element(c.updates.begin(), c.updates.end(),
                                        [](const auto& a, const auto& b) { return a.at < b.at; });
    EXPECT_EQ(calls[0].started_at, first->at) << c.name;
    EXPECT_EQ(calls[0].events, static_cast<int>(c.updates.size())) << c.name;
  }
}

TEST(CallHistoryTest, NewestStartedFirstAndPaged) {
  std::vector<model::LiveCallUpdate> updates;
  for (int i = 0; i < 5; ++i) updates.push_back(update("c" + std::to_string(i), LiveCallState::kRinging, i));
  auto calls = fold_calls(updates);
  ASSERT_EQ(calls.size(), 5u);
  EXPECT_EQ(calls[0].latest.call_id, "c4");
  std::string next;
  auto first = page_calls(calls, "", 2, next);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[1].latest.call_id, "c3");
  EXPECT_EQ(next, cursor_of(first[1]));
  auto second = page_calls(calls, next, 2, next);
  EXPECT_EQ(second[0].latest.call_id, "c2");
  auto last = page_calls(calls, next, 2, next);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].latest.call_id, "c0");
  EXPECT_EQ(next, "");
  EXPECT_TRUE(page_calls(calls, "unknown", 2, next).empty());
}

}  // namespace
}  // namespace switchboard::api
