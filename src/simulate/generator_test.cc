#include "simulate/generator.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "common/time_format.h"
#include "model/event_catalog.h"
#include "model/event_input.h"

namespace switchboard::simulate {
namespace {

namespace json = boost::json;

TimePoint start_time() { return *parse_rfc3339("2026-11-22T10:00:00.000Z"); }

GeneratorOptions options(std::uint64_t seed, TrafficMix mix = {}) {
  return GeneratorOptions{seed, start_time(), mix, 8};
}

std::vector<SimEvent> generate(const GeneratorOptions& o, int n) {
  TrafficGenerator generator(o);
  std::vector<SimEvent> out;
  for (int i = 0; i < n; ++i) out.push_back(generator.next());
  return out;
}

std::string text_of(const std::vector<SimEvent>& events) {
  std::string out;
  for (const auto& e : events) out += e.to_json() + "\n";
  return out;
}

TEST(GeneratorTest, SameSeedSameEventsByteForByte) {
  EXPECT_EQ(text_of(generate(options(7), 3000)), text_of(generate(options(7), 3000)));
}

TEST(GeneratorTest, OtherSeedOtherEvents) {
  EXPECT_NE(text_of(generate(options(7), 200)), text_of(generate(options(8), 200)));
}

TEST(GeneratorTest, EveryEventIsValidAgainstItsSchema) {
  for (std::uint64_t seed : {1, 2, 3, 42, 20261122}) {
    for (const SimEvent& event : generate(options(seed), 4000)) {
      auto parsed = model::parse_event(event.to_object(), model::OccurredAtRange::unbounded());
      ASSERT_TRUE(parsed.has_value())
          << "seed " << seed << ": " << event.to_json() << "\n"
          << parsed.error().errors[0].field << ": " << parsed.error().errors[0].message;
    }
  }
}

TEST(GeneratorTest, ProducesEveryEventTypeAndEveryOutcome) {
  std::set<std::string> types;
  std::set<std::string> call_statuses;
  std::set<std::string> leg_states;
  bool transferred = false;
  bool campaign = false;
  for (const SimEvent& e : generate(options(3), 6000)) {
    types.insert(e.type);
    if (e.type == "call.end") {
      call_statuses.insert(std::string(e.data.at("status").as_string()));
      for (const auto& leg : e.data.at("legs").as_array()) {
        leg_states.insert(std::string(leg.at("state").as_string()));
        transferred = transferred || leg.at("state") == "transferred";
      }
    }
    if (e.type == "message.sent" && e.data.contains("source")) {
      EXPECT_EQ(e.data.at("source"), "lccmpapi");
      EXPECT_TRUE(e.data.contains("myop_ref_id"));
      campaign = true;
    }
  }
  for (const auto& info : model::event_catalog())
    EXPECT_TRUE(types.count(std::string(info.type))) << info.type;
  EXPECT_EQ(call_statuses, (std::set<std::string>{"busy", "completed", "missed", "no_answer"}));
  EXPECT_TRUE(leg_states.count("no_answer") && leg_states.count("cancelled") &&
              leg_states.count("completed"));
  EXPECT_TRUE(transferred);
  EXPECT_TRUE(campaign);
}

TEST(GeneratorTest, EventsComeInTimeOrder) {
  const auto events = generate(options(5), 5000);
  for (std::size_t i = 1; i < events.size(); ++i) {
    ASSERT_LE(events[i - 1].occurred_at, events[i].occurred_at) << i;
  }
}

// Per call: initiated → (dial_begin | answered)… → end → summary → disposition?,
// with an answer only after some leg was dialed.
TEST(GeneratorTest, EachCallFollowsTheCallLifecycle) {
  enum Stage { kNone, kInProgress, kEnded, kSummarized, kDisposed };
  struct CallState {
    Stage stage = kNone;
    bool dialed = false;
  };
  std::map<std::string, CallState> calls;
  int complete = 0;
  for (std::uint64_t seed : {11, 12, 13}) {
    for (const SimEvent& e : generate(options(seed, TrafficMix{1, 0, 0}), 3000)) {
      ASSERT_EQ(e.type.rfind("call.", 0), 0u) << e.type;
      CallState& call = calls[std::to_string(seed) + e.sequence_id()];
      const std::string& t = e.type;
      if (t == "call.initiated") {
        ASSERT_EQ(call.stage, kNone) << e.to_json();
        call.stage = kInProgress;
      } else if (t == "call.dial_begin") {
        ASSERT_EQ(call.stage, kInProgress) << e.to_json();
        call.dialed = true;
      } else if (t == "call.answered") {
        ASSERT_EQ(call.stage, kInProgress) << e.to_json();
        ASSERT_TRUE(call.dialed) << e.to_json();
      } else if (t == "call.end") {
        ASSERT_EQ(call.stage, kInProgress) << e.to_json();
        call.stage = kEnded;
      } else if (t == "call.summary") {
        ASSERT_EQ(call.stage, kEnded) << e.to_json();
        call.stage = kSummarized;
        ++complete;
      } else {
        ASSERT_EQ(t, "call.disposition");
        ASSERT_EQ(call.stage, kSummarized) << e.to_json();
        call.stage = kDisposed;
      }
    }
  }
  EXPECT_GT(complete, 300);
}

// Per conversation: it starts with a message and ends with conversation.close
// (campaign messages need not be closed); per message: sent → failed, or
// sent → delivered → read, and a tracked link is clicked only once read.
TEST(GeneratorTest, EachConversationFollowsTheMessageLifecycle) {
  std::map<std::string, std::string> conversation_last;  // conversation -> last event type
  std::map<std::string, std::string> message_status;     // message -> last status
  for (const SimEvent& e : generate(options(21, TrafficMix{0, 1, 1}), 6000)) {
    const std::string conv = e.sequence_id();
    auto& last = conversation_last[conv];
    ASSERT_NE(last, "conversation.close") << e.to_json();
    if (last.empty()) {
      ASSERT_TRUE(e.type == "message.received" || e.type == "message.sent") << e.to_json();
    }
    last = e.type;
    if (!e.data.contains("message_id")) continue;
    const std::string message(e.data.at("message_id").as_string());
    auto& status = message_status[message];
    if (e.type == "message.sent" || e.type == "message.received") {
      ASSERT_EQ(status, "") << e.to_json();
      status = e.type;
    } else if (e.type == "message.delivered" || e.type == "message.failed") {
      ASSERT_EQ(status, "message.sent") << e.to_json();
      status = e.type;
    } else if (e.type == "message.read") {
      ASSERT_EQ(status, "message.delivered") << e.to_json();
      status = e.type;
    } else if (e.type == "message.link_tracking") {
      ASSERT_EQ(status, "message.read") << e.to_json();
    }
  }
}

TEST(GeneratorTest, MixSelectsTheKindsOfTraffic) {
  for (const SimEvent& e : generate(options(4, TrafficMix{0, 1, 0}), 1000)) {
    EXPECT_TRUE(e.type.starts_with("message.") || e.type.starts_with("conversation.")) << e.type;
    EXPECT_FALSE(e.data.contains("source")) << e.to_json();
  }
  for (const SimEvent& e : generate(options(4, TrafficMix{0, 0, 1}), 1000)) {
    EXPECT_TRUE(e.type.starts_with("message.")) << e.type;
    if (e.type != "message.received") {
      EXPECT_EQ(e.data.at("source"), "lccmpapi") << e.to_json();
    }
  }
}

TEST(GeneratorTest, ParsesMixes) {
  struct Case {
    std::string_view text;
    bool ok;
    int calls, whatsapp, campaigns;
  };
  const Case cases[] = {
      {"calls=60,whatsapp=30,campaigns=10", true, 60, 30, 10},
      {"calls=1", true, 1, 0, 0},
      {"whatsapp=5,calls=0", true, 0, 5, 0},
      {"", false, 0, 0, 0},
      {"calls=0", false, 0, 0, 0},
      {"calls", false, 0, 0, 0},
      {"calls=-1", false, 0, 0, 0},
      {"calls=1001", false, 0, 0, 0},
      {"calls=1x", false, 0, 0, 0},
      {"sms=3", false, 0, 0, 0},
  };
  for (const Case& c : cases) {
    auto mix = parse_mix(c.text);
    ASSERT_EQ(mix.has_value(), c.ok) << c.text;
    if (!c.ok) continue;
    EXPECT_EQ(mix->calls, c.calls) << c.text;
    EXPECT_EQ(mix->whatsapp, c.whatsapp) << c.text;
    EXPECT_EQ(mix->campaigns, c.campaigns) << c.text;
  }
}

}  // namespace
}  // namespace switchboard::simulate
