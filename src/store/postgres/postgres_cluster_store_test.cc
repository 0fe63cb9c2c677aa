// Cluster mode: TWO PostgresStore instances (two "nodes", each with its own
// connection pool) on one database, used from concurrent threads. What the
// single-store contract suite cannot show: claims are disjoint, a chain's
// next event is never handed to one node while another holds the one before
// it, an expired lease returns work to any node, a node whose heartbeat went
// stale loses its leases at once to the next node that beats and cannot
// record over their new owner when it comes back, and ingest from several
// nodes keeps sequences gapless and idempotency keys single.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "store/node_membership.h"
#include "store/postgres/postgres_test_support.h"
#include "store/store.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using contract::at;
using contract::delivered_attempt;
using contract::error_text;
using contract::kT0;
using contract::new_event;
using contract::subscriber;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class PostgresClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::postgres_tests_disabled()) GTEST_SKIP() << "SWITCHBOARD_TEST_PG=off";
    schema_ = testing::TestPostgresSchema::create();
    ASSERT_NE(schema_, nullptr);
    node_a_ = testing::open_test_postgres_store(*schema_);
    node_b_ = testing::open_test_postgres_store(*schema_);
    ASSERT_NE(node_a_, nullptr);
    ASSERT_NE(node_b_, nullptr);
    model::User owner = contract::user("cmp_a", "cmp_a_owner", "owner@a.example", model::Role::kOwner);
    auto created =
        a().create_company(contract::company("cmp_a"), owner, contract::user_token(owner, "tok_a"));
    ASSERT_TRUE(created.has_value()) << error_text(created);
  }

  Store& a() { return *node_a_; }
  Store& b() { return *node_b_; }
  Store& node(int i) { return i == 0 ? a() : b(); }
  NodeMembership& members(int i) {
    auto* m = dynamic_cast<NodeMembership*>(&node(i));
    EXPECT_NE(m, nullptr);
    return *m;
  }
  NodeMembership::Beat beat(int i, TimePoint now, std::chrono::milliseconds stale_after = seconds(10)) {
    auto done = members(i).heartbeat(now, model::NodeLiveness{stale_after});
    EXPECT_TRUE(done.has_value()) << error_text(done);
    return done ? *done : NodeMembership::Beat{};
  }

  void add_webhook(const std::string& id) {
    auto created = a().create_webhook(subscriber("cmp_a", id), 10);
    ASSERT_TRUE(created.has_value()) << error_text(created);
  }

  void ingest(Store& store, const std::vector<NewEvent>& events) {
    auto outcomes = store.ingest_events(events);
    ASSERT_TRUE(outcomes.has_value()) << error_text(outcomes);
    for (const auto& outcome : *outcomes) ASSERT_TRUE(outcome.has_value()) << error_text(outcome);
  }

  static std::vector<std::string> ids(const Result<std::vector<DueDelivery>>& claimed) {
    std::vector<std::string> out;
    EXPECT_TRUE(claimed.has_value()) << error_text(claimed);
    if (claimed) {
      for (const DueDelivery& due : *claimed) out.push_back(due.delivery.id);
    }
    return out;
  }

  std::unique_ptr<testing::TestPostgresSchema> schema_;  // dropped after the stores close
  std::unique_ptr<Store> node_a_;
  std::unique_ptr<Store> node_b_;
};

TEST_F(PostgresClusterTest, ConcurrentClaimsFromTwoNodesAreDisjoint) {
  add_webhook("wh_1");
  add_webhook("wh_2");
  std::vector<NewEvent> batch;
  for (int i = 0; i < 300; ++i)
    batch.push_back(new_event("cmp_a", "evt_u" + std::to_string(i), "call.answered", ""));
  for (int call = 0; call < 20; ++call) {
    for (int k = 0; k < 3; ++k) {
      batch.push_back(new_event("cmp_a", "evt_c" + std::to_string(call) + "_" + std::to_string(k),
                                "call.answered", "call:" + std::to_string(call)));
    }
  }
  ingest(a(), batch);

  // Both nodes claim as fast as they can, in small batches with followers,
  // never giving anything back (the leases outlive the test).
  const TimePoint now = at(kT0);
  std::mutex mutex;
  std::map<std::string, int> claimed_by;  // delivery -> node
  std::vector<std::string> duplicates;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int n = 0; n < 2; ++n) {
    threads.emplace_back([&, n] {
      for (;;) {
        auto claimed = node(n).claim_due_deliveries(now, 7, now + hours(1), 3);
        std::lock_guard lock(mutex);
        if (!claimed) {
          errors.push_back(claimed.error().message);
          return;
        }
        if (claimed->empty()) return;
        for (const DueDelivery& due : *claimed) {
          if (!claimed_by.emplace(due.delivery.id, n).second) duplicates.push_back(due.delivery.id);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_THAT(duplicates, IsEmpty());
  // Every unsequenced delivery was claimed exactly once; every chain's head too.
  for (int i = 0; i < 300; ++i) {
    for (int k = 0; k < 2; ++k) {
      EXPECT_EQ(claimed_by.count("dlv_evt_u" + std::to_string(i) + "_" + std::to_string(k)), 1u) << i;
    }
  }
  // Within a chain, what was claimed is a prefix, all by one node (followers
  // come with their head).
  for (int call = 0; call < 20; ++call) {
    for (int k = 0; k < 2; ++k) {
      SCOPED_TRACE("call " + std::to_string(call) + " webhook " + std::to_string(k));
      std::vector<int> nodes;
      bool gap = false;
      for (int seq = 0; seq < 3; ++seq) {
        auto it = claimed_by.find("dlv_evt_c" + std::to_string(call) + "_" + std::to_string(seq) + "_" +
                                  std::to_string(k));
        if (it == claimed_by.end()) {
          gap = true;
          continue;
        }
        EXPECT_FALSE(gap) << "seq " << seq + 1 << " claimed after a gap";
        nodes.push_back(it->second);
      }
      ASSERT_FALSE(nodes.empty());
      EXPECT_TRUE(std::all_of(nodes.begin(), nodes.end(), [&](int n) { return n == nodes.front(); }));
    }
  }
}

TEST_F(PostgresClusterTest, SeqTwoWaitsWhileAnotherNodeHoldsSeqOneAndAnExpiredLeaseReturnsWork) {
  add_webhook("wh_1");
  ingest(a(), {new_event("cmp_a", "evt_1"), new_event("cmp_a", "evt_2")});
  const TimePoint t = at(kT0);
  EXPECT_THAT(ids(a().claim_due_deliveries(t, 10, t + minutes(1), 1)), ElementsAre("dlv_evt_1_0"));
  // Node B sees seq 1 leased by node A: seq 2 is not its to take.
  EXPECT_THAT(ids(b().claim_due_deliveries(t + seconds(1), 10, t + seconds(1) + minutes(1), 1)), IsEmpty());
  EXPECT_EQ(b().next_due_time().value(), t + minutes(1));
  // Node A died: once its lease ends, node B takes seq 1 (not seq 2).
  EXPECT_THAT(ids(b().claim_due_deliveries(t + minutes(1), 10, t + minutes(2), 1)),
              ElementsAre("dlv_evt_1_0"));
  EXPECT_THAT(ids(a().claim_due_deliveries(t + minutes(1), 10, t + minutes(2), 1)), IsEmpty());
  // Node B's success is committed: now node A may take seq 2.
  ASSERT_TRUE(b().record_attempts({delivered_attempt("dlv_evt_1_0", 1, t + minutes(1))}).has_value());
  EXPECT_THAT(ids(a().claim_due_deliveries(t + minutes(1), 10, t + minutes(2), 1)),
              ElementsAre("dlv_evt_2_0"));
  // Node A's late report of its own (expired) attempt of seq 1 changes nothing.
  ASSERT_TRUE(a().record_attempts({contract::failed_attempt("dlv_evt_1_0", 1, t + minutes(1), std::nullopt)})
                  .has_value());
  EXPECT_EQ(a().get_delivery("cmp_a", "dlv_evt_1_0")->state, model::DeliveryState::kDelivered);
  EXPECT_EQ(a().get_webhook("cmp_a", "wh_1")->consecutive_exhausted, 0);
}

TEST_F(PostgresClusterTest, TwoNodesRacingOverOneCallDeliverItInSequenceOrder) {
  add_webhook("wh_1");
  constexpr int kEvents = 60;
  std::vector<NewEvent> batch;
  for (int i = 1; i <= kEvents; ++i) batch.push_back(new_event("cmp_a", "evt_" + std::to_string(i)));
  ingest(a(), batch);

  // Each node claims (depth 1, so one delivery at a time) and at once records
  // success. Whenever a node is handed seq k > 1, seq k - 1 must already be
  // delivered: its claim's snapshot saw that committed.
  const TimePoint t = at(kT0);
  std::atomic<int> delivered{0};
  std::mutex mutex;
  std::vector<std::string> violations;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int n = 0; n < 2; ++n) {
    threads.emplace_back([&, n] {
      int idle = 0;
      while (delivered.load() < kEvents && idle < 2000) {
        auto claimed = node(n).claim_due_deliveries(t, 1, t + hours(1), 1);
        if (!claimed) {
          std::lock_guard lock(mutex);
          errors.push_back(claimed.error().message);
          return;
        }
        if (claimed->empty()) {
          ++idle;
          std::this_thread::yield();
          continue;
        }
        idle = 0;
        const model::Delivery& d = claimed->front().delivery;
        const std::int64_t seq = d.sequence.value_or(0);
        if (seq > 1) {
          auto before = node(1 - n).get_delivery("cmp_a", "dlv_evt_" + std::to_string(seq - 1) + "_0");
          if (!before || before->state != model::DeliveryState::kDelivered) {
            std::lock_guard lock(mutex);
            violations.push_back("seq " + std::to_string(seq) + " claimed before seq " +
                                 std::to_string(seq - 1) + " was delivered");
          }
        }
        auto recorded = node(n).record_attempts({delivered_attempt(d.id, 1, t)});
        if (!recorded) {
          std::lock_guard lock(mutex);
          errors.push_back(recorded.error().message);
          return;
        }
        ++delivered;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_THAT(violations, IsEmpty());
  EXPECT_EQ(delivered.load(), kEvents);
}

TEST_F(PostgresClusterTest, ConcurrentIngestOfOneCallFromTwoNodesGivesGaplessSequences) {
  add_webhook("wh_1");
  constexpr int kRounds = 30;
  std::vector<std::vector<std::int64_t>> seen(2);
  std::vector<std::string> errors;
  std::mutex mutex;
  std::vector<std::thread> threads;
  for (int n = 0; n < 2; ++n) {
    threads.emplace_back([&, n] {
      for (int i = 0; i < kRounds; ++i) {
        // Batches touching two calls in opposite orders on the two nodes:
        // deadlocks are possible and must be retried, not surface.
        const std::string id = "evt_" + std::to_string(n) + "_" + std::to_string(i);
        std::vector<NewEvent> batch = {
            new_event("cmp_a", id + "_x", "call.answered", n == 0 ? "call:x" : "call:y"),
            new_event("cmp_a", id + "_y", "call.answered", n == 0 ? "call:y" : "call:x")};
        auto outcomes = node(n).ingest_events(batch);
        std::lock_guard lock(mutex);
        if (!outcomes) {
          errors.push_back(outcomes.error().message);
          continue;
        }
        for (std::size_t k = 0; k < batch.size(); ++k) {
          const auto& outcome = (*outcomes)[k];
          if (!outcome) {
            errors.push_back(outcome.error().message);
          } else if (batch[k].event.sequence_key == "call:x") {
            seen[n].push_back(outcome->sequence.value_or(0));
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(errors, IsEmpty());
  std::vector<std::int64_t> all;
  for (const auto& per_node : seen) {
    EXPECT_TRUE(std::is_sorted(per_node.begin(), per_node.end()));
    all.insert(all.end(), per_node.begin(), per_node.end());
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(2 * kRounds));
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], static_cast<std::int64_t>(i + 1));
  // The stored events agree with the answers, and the queue offers one head per call.
  EXPECT_EQ(b().claim_due_deliveries(at(kT0), 100, at(kT0) + minutes(1), 1)->size(), 2u);
}

TEST_F(PostgresClusterTest, TheSameIdempotencyKeyFromTwoNodesMakesOneEvent) {
  add_webhook("wh_1");
  constexpr int kRounds = 25;
  std::barrier sync(2);
  std::vector<std::vector<Result<IngestOutcome>>> answers(2);
  std::vector<std::thread> threads;
  for (int n = 0; n < 2; ++n) {
    threads.emplace_back([&, n] {
      for (int i = 0; i < kRounds; ++i) {
        NewEvent in = new_event("cmp_a", "evt_" + std::to_string(n) + "_" + std::to_string(i),
                                "call.answered", "call:" + std::to_string(i));
        in.event.idempotency_key = "key-" + std::to_string(i);
        sync.arrive_and_wait();  // both nodes publish round i at the same moment
        auto outcomes = node(n).ingest_events({in});
        if (!outcomes) {
          answers[n].push_back(forward_error(outcomes));
        } else {
          answers[n].push_back(outcomes->front());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < kRounds; ++i) {
    SCOPED_TRACE("round " + std::to_string(i));
    const auto& first = answers[0][i];
    const auto& second = answers[1][i];
    ASSERT_TRUE(first.has_value()) << error_text(first);
    ASSERT_TRUE(second.has_value()) << error_text(second);
    EXPECT_NE(first->duplicate, second->duplicate);  // exactly one was new
    EXPECT_EQ(first->event_id, second->event_id);
    EXPECT_EQ(first->sequence, 1);
    EXPECT_EQ(second->sequence, 1);
    const IngestOutcome& fresh = first->duplicate ? *second : *first;
    EXPECT_EQ(fresh.deliveries, 1);
    // The loser stored nothing and consumed no number.
    const std::string loser = first->duplicate ? "evt_0_" + std::to_string(i) : "evt_1_" + std::to_string(i);
    EXPECT_EQ(a().get_event("cmp_a", loser).error().code, ErrorCode::kNotFound);
  }
  // One delivery per key: the loser queued none.
  auto deliveries = a().list_deliveries("cmp_a", "wh_1", std::nullopt, {500, ""});
  ASSERT_TRUE(deliveries.has_value());
  EXPECT_EQ(deliveries->items.size(), static_cast<std::size_t>(kRounds));
  NewEvent next = new_event("cmp_a", "evt_next", "call.answered", "call:0");
  auto outcome = b().ingest_events({next});
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->front()->sequence, 2);
}

// --- node heartbeats and failover (issue 14 item 4) ------------------------

TEST_F(PostgresClusterTest, ANodeIsTakenOverExactlyWhenItsHeartbeatIsOlderThanTheBound) {
  // Each row: node A renews (a beat or a claim) at `a_at`, then node B beats at
  // `b_at`. The rows run in order on one database, so a row after a takeover
  // also shows A rejoining.
  struct Case {
    const char* name;
    long long a_at_ms, b_at_ms;
    bool a_by_claim;  // A renews through a claim rather than a beat
    bool a_rejoins;   // A's beat finds its row was taken (not checked for a claim)
    bool b_takes_over_a;
  };
  const Case cases[] = {
      {"first beats: both join", 0, 0, false, false, false},
      {"inside the bound", 1000, 6000, false, false, false},
      {"exactly the bound", 7000, 17000, false, false, false},
      {"one ms past it", 18000, 28001, false, false, true},
      {"the stalled node comes back", 29000, 29000, false, true, false},
      {"a claim renews like a beat", 30000, 40000, true, false, false},
      {"then goes stale too", 41000, 51001, true, false, true},
      {"and comes back through a claim", 52000, 52000, true, false, false},
  };
  std::string a_id;
  for (const Case& c : cases) {
    const TimePoint a_at = at(kT0) + std::chrono::milliseconds(c.a_at_ms);
    const TimePoint b_at = at(kT0) + std::chrono::milliseconds(c.b_at_ms);
    if (c.a_by_claim) {
      ASSERT_TRUE(a().claim_due_deliveries(a_at, 10, a_at + minutes(2), 1).has_value()) << c.name;
    } else {
      const NodeMembership::Beat by_a = beat(0, a_at);
      EXPECT_EQ(by_a.rejoined, c.a_rejoins) << c.name;
      a_id = by_a.node_id;
    }
    const NodeMembership::Beat by_b = beat(1, b_at);
    EXPECT_FALSE(by_b.rejoined) << c.name;
    EXPECT_NE(by_b.node_id, a_id) << c.name;
    if (c.b_takes_over_a) {
      EXPECT_THAT(by_b.stale_nodes, ElementsAre(a_id)) << c.name;
    } else {
      EXPECT_THAT(by_b.stale_nodes, IsEmpty()) << c.name;
    }
  }
}

TEST_F(PostgresClusterTest, AStaleNodesLeasesAreReleasedAtOnceAndItsChainResumesInOrder) {
  add_webhook("wh_1");
  ingest(a(), {new_event("cmp_a", "evt_1"), new_event("cmp_a", "evt_2"), new_event("cmp_a", "evt_3"),
               new_event("cmp_a", "evt_u", "call.answered", "")});
  const TimePoint t = at(kT0);
  beat(1, t);
  // Node A claims everything (the chain's head with its followers), leased for 2 minutes.
  EXPECT_THAT(ids(a().claim_due_deliveries(t, 10, t + minutes(2), 3)),
              ::testing::UnorderedElementsAre("dlv_evt_1_0", "dlv_evt_2_0", "dlv_evt_3_0", "dlv_evt_u_0"));
  // Node A dies. Within the bound, node B neither takes over nor finds work.
  EXPECT_THAT(beat(1, t + seconds(10)).stale_nodes, IsEmpty());
  EXPECT_THAT(ids(b().claim_due_deliveries(t + seconds(10), 10, t + seconds(10) + minutes(2), 3)), IsEmpty());
  // Past it, B's beat releases all four leases in one go, long before they end...
  const NodeMembership::Beat takeover = beat(1, t + seconds(11));
  EXPECT_EQ(takeover.stale_nodes.size(), 1u);
  EXPECT_EQ(takeover.released, 4);
  EXPECT_EQ(b().next_due_time().value(), t);
  // ... and B claims the chain from its head, in order.
  const TimePoint later = t + seconds(11);
  auto claimed = b().claim_due_deliveries(later, 10, later + minutes(2), 3);
  std::vector<std::string> chain;
  for (const DueDelivery& due : claimed.value()) {
    if (!due.delivery.ordering_key.empty()) chain.push_back(due.delivery.id);
  }
  EXPECT_THAT(chain, ElementsAre("dlv_evt_1_0", "dlv_evt_2_0", "dlv_evt_3_0"));
  EXPECT_EQ(claimed->size(), 4u);
  // A second survivor beating later finds nothing more to release.
  EXPECT_EQ(beat(1, later + seconds(1)).released, 0);
}

// A graceful stop (serve's drain): the node leaves at once, without waiting
// for the stale bound: its leases are released and its row removed.
TEST_F(PostgresClusterTest, ANodeThatLeavesReleasesItsLeasesAtOnce) {
  add_webhook("wh_1");
  ingest(a(), {new_event("cmp_a", "evt_1"), new_event("cmp_a", "evt_2")});
  const TimePoint t = at(kT0);
  beat(0, t);
  beat(1, t);
  EXPECT_THAT(ids(a().claim_due_deliveries(t, 10, t + minutes(2), 3)),
              ::testing::UnorderedElementsAre("dlv_evt_1_0", "dlv_evt_2_0"));
  EXPECT_THAT(ids(b().claim_due_deliveries(t, 10, t + minutes(2), 3)), IsEmpty());
  auto left = members(0).leave(t + seconds(1));
  ASSERT_TRUE(left.has_value()) << error_text(left);
  EXPECT_EQ(*left, 2);
  // Long before A would be stale, B claims the chain from its head.
  EXPECT_THAT(ids(b().claim_due_deliveries(t + seconds(1), 10, t + minutes(2), 3)),
              ::testing::UnorderedElementsAre("dlv_evt_1_0", "dlv_evt_2_0"));
  // A's row is gone: B's next beat finds no stale node to take over.
  EXPECT_THAT(beat(1, t + minutes(1)).stale_nodes, IsEmpty());
  // Leaving twice releases nothing more.
  EXPECT_EQ(members(0).leave(t + seconds(2)).value_or(-1), 0);
}

TEST_F(PostgresClusterTest, AStalledNodeComingBackCannotRecordOverTheNewOwner) {
  add_webhook("wh_1");
  ingest(a(), {new_event("cmp_a", "evt_1"), new_event("cmp_a", "evt_2"), new_event("cmp_a", "evt_3")});
  const TimePoint t = at(kT0);
  beat(1, t);
  auto by_a = a().claim_due_deliveries(t, 10, t + minutes(2), 3);
  ASSERT_THAT(ids(by_a), ElementsAre("dlv_evt_1_0", "dlv_evt_2_0", "dlv_evt_3_0"));
  // A stalls (SIGSTOP) past the bound: B takes its leases and claims seq 1 only.
  const TimePoint t1 = t + seconds(12);
  EXPECT_EQ(beat(1, t1).released, 3);
  EXPECT_THAT(ids(b().claim_due_deliveries(t1, 10, t1 + minutes(2), 1)), ElementsAre("dlv_evt_1_0"));
  // A comes back. Its attempt of seq 1 (now B's) is refused: recording it
  // would let seq 2 be claimed while B's attempt of seq 1 is under way.
  const TimePoint t2 = t1 + seconds(1);
  ASSERT_TRUE(a().record_attempts({delivered_attempt("dlv_evt_1_0", 1, t2)}).has_value());
  EXPECT_EQ(a().get_delivery("cmp_a", "dlv_evt_1_0")->state, model::DeliveryState::kPending);
  // Its give-back of the followers it held touches nothing it no longer holds.
  std::vector<LeaseRelease> give_back;
  for (const DueDelivery& due : *by_a) give_back.push_back({due.delivery.id, t + minutes(2)});
  ASSERT_TRUE(a().release_leases(give_back).has_value());
  // Seq 1 is still B's: nobody may claim seq 1 or 2 (A's claim rejoins it).
  EXPECT_THAT(ids(a().claim_due_deliveries(t2, 10, t2 + minutes(2), 3)), IsEmpty());
  EXPECT_FALSE(beat(0, t2).rejoined);  // the claim above already rejoined
  // A failure it reports for seq 3, released and not claimed by anyone since,
  // is its own attempt and is recorded (at-least-once: it did go out).
  ASSERT_TRUE(
      a().record_attempts({contract::failed_attempt("dlv_evt_3_0", 1, t2, t2 + minutes(1))}).has_value());
  EXPECT_EQ(a().get_delivery("cmp_a", "dlv_evt_3_0")->attempts, 1);
  // B's result decides seq 1; then seq 2 is next, for any node.
  ASSERT_TRUE(b().record_attempts({delivered_attempt("dlv_evt_1_0", 1, t2)}).has_value());
  EXPECT_EQ(b().get_delivery("cmp_a", "dlv_evt_1_0")->state, model::DeliveryState::kDelivered);
  EXPECT_THAT(ids(a().claim_due_deliveries(t2, 10, t2 + minutes(2), 1)), ElementsAre("dlv_evt_2_0"));
}

TEST_F(PostgresClusterTest, AStalledNodeFindsAtItsNextBeatThatItRejoined) {
  const TimePoint t = at(kT0);
  const std::string a_id = beat(0, t).node_id;
  EXPECT_FALSE(beat(1, t).rejoined);
  EXPECT_THAT(beat(1, t + seconds(11)).stale_nodes, ElementsAre(a_id));
  const NodeMembership::Beat back = beat(0, t + seconds(12));
  EXPECT_TRUE(back.rejoined);
  EXPECT_EQ(back.node_id, a_id);
  EXPECT_FALSE(beat(0, t + seconds(13)).rejoined);
  EXPECT_THAT(beat(1, t + seconds(14)).stale_nodes, IsEmpty());
}

}  // namespace
}  // namespace switchboard::store
