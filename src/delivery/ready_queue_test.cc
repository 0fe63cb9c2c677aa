#include "delivery/ready_queue.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace switchboard::delivery {
namespace {

using std::chrono::milliseconds;

const TimePoint kT0 = TimePoint(std::chrono::hours(1000));
TimePoint at(int ms) { return kT0 + milliseconds(ms); }

// A scenario is a script, one step per string:
//   "add ID WEBHOOK KEY SEQ DUE"  (KEY "-" = unordered; DUE in ms after kT0)
//   "now MS"                      (the time of the following steps; take_due)
//   "pop EXPECTED"                (pops every ready head: ids joined by ',', "" = none)
//   "ok ID" / "fail ID RETRY_MS"  (an attempt's outcome)
//   "drop WEBHOOK N"              (drop_webhook removes N)
//   "next MS" / "next none"       (next_due())
struct Scenario {
  const char* name;
  std::vector<std::string> steps;
};

void run(const Scenario& scenario) {
  SCOPED_TRACE(scenario.name);
  ReadyQueue queue;
  TimePoint now = kT0;
  for (const std::string& step : scenario.steps) {
    SCOPED_TRACE(step);
    std::istringstream in(step);
    std::string op;
    in >> op;
    if (op == "add") {
      ReadyQueue::Item item;
      int due = 0;
      in >> item.id >> item.webhook_id >> item.ordering_key >> item.sequence >> due;
      if (item.ordering_key == "-") item.ordering_key.clear();
      item.due = at(due);
      EXPECT_TRUE(queue.add(item, now));
      EXPECT_FALSE(queue.add(item, now)) << "a known id is not added twice";
    } else if (op == "now") {
      int ms = 0;
      in >> ms;
      now = at(ms);
      queue.take_due(now);
    } else if (op == "pop") {
      std::string expected;
      in >> expected;
      std::string got;
      while (auto item = queue.pop_ready()) got += (got.empty() ? "" : ",") + item->id;
      EXPECT_EQ(got, expected);
    } else if (op == "ok") {
      std::string id;
      in >> id;
      queue.settled(id, now);
    } else if (op == "fail") {
      std::string id;
      int retry = 0;
      in >> id >> retry;
      queue.retry(id, at(retry), now);
    } else if (op == "drop") {
      std::string webhook;
      std::size_t n = 0;
      in >> webhook >> n;
      EXPECT_EQ(queue.drop_webhook(webhook), n);
    } else if (op == "next") {
      std::string when;
      in >> when;
      auto due = queue.next_due();
      if (when == "none") {
        EXPECT_FALSE(due.has_value());
      } else {
        ASSERT_TRUE(due.has_value());
        EXPECT_EQ(*due, at(std::stoi(when)));
      }
    } else {
      FAIL() << "unknown step";
    }
  }
}

TEST(ReadyQueueTest, Scenarios) {
  const Scenario scenarios[] = {
      {"only a chain's head is ready; the next one when it is delivered",
       {"add a w c1 1 0", "add b w c1 2 0", "add c w c1 3 0", "pop a", "pop ", "ok a", "pop b", "ok b",
        "pop c", "ok c", "pop "}},
      {"different calls go in parallel, unordered deliveries too",
       {"add a w c1 1 0", "add b w c2 1 0", "add c w - 0 0", "add d w - 0 0", "pop a,b,c,d"}},
      {"the same call on two webhooks is two chains",
       {"add a w1 c1 1 0", "add b w2 c1 1 0", "add c w1 c1 2 0", "pop a,b", "ok b", "pop ", "ok a", "pop c"}},
      {"a failed head keeps its place and its followers wait for its retry",
       {"add a w c1 1 0", "add b w c1 2 0", "pop a", "fail a 100", "pop ", "next 100", "now 99", "pop ",
        "now 100", "pop a", "ok a", "pop b"}},
      {"dropped (exhausted) moves the chain on like delivered",
       {"add a w c1 1 0", "add b w c1 2 0", "pop a", "ok a", "pop b"}},
      {"timers fire in due order, ties in the order they were set",
       {"add a w - 0 300", "add b w - 0 100", "add c w - 0 200", "add d w - 0 100", "next 100", "now 150",
        "pop b,d", "next 200", "now 400", "pop c,a", "next none"}},
      {"a follower not yet due waits for its time after the head",
       {"add a w c1 1 0", "add b w c1 2 500", "pop a", "ok a", "pop ", "next 500", "now 500", "pop b"}},
      {"an earlier event joining a chain whose head is not out becomes the head",
       {"add b w c1 5 0", "add a w c1 2 0", "pop a", "ok a", "pop b"}},
      {"an earlier event joining while the head is out waits; after a failure it goes first",
       {"add b w c1 5 0", "pop b", "add a w c1 2 0", "pop ", "fail b 100", "pop a", "ok a", "pop ", "now 100",
        "pop b"}},
      {"an earlier event joining while the head is out goes next when the head is delivered",
       {"add b w c1 5 0", "add c w c1 6 0", "pop b", "add a w c1 2 0", "ok b", "pop a", "ok a", "pop c"}},
      {"a given-back head comes back at its time, still first",
       {"add a w c1 1 0", "add b w c1 2 0", "pop a", "fail a 50", "now 50", "pop a"}},
      {"a deleted webhook's queue is forgotten, what is out settles later",
       {"add a w1 c1 1 0", "add b w1 c1 2 0", "add c w1 - 0 0", "add d w2 c1 1 0", "pop a,c,d", "drop w1 1",
        "ok a", "pop ", "ok c", "ok d", "pop "}},
  };
  for (const Scenario& scenario : scenarios) run(scenario);
}

TEST(ReadyQueueTest, CountsWhatItHolds) {
  ReadyQueue queue;
  ASSERT_TRUE(queue.add({"a", "w", "c1", 1, kT0}, kT0));
  ASSERT_TRUE(queue.add({"b", "w", "c1", 2, kT0}, kT0));
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.ready(), 1u);
  auto popped = queue.pop_ready();
  ASSERT_TRUE(popped);
  EXPECT_EQ(popped->webhook_id, "w");
  EXPECT_EQ(queue.out(), 1u);
  EXPECT_TRUE(queue.contains("a"));
  queue.settled("a", kT0);
  EXPECT_FALSE(queue.contains("a"));
  EXPECT_EQ(queue.out(), 0u);
  EXPECT_EQ(queue.size(), 1u);
}

}  // namespace
}  // namespace switchboard::delivery
