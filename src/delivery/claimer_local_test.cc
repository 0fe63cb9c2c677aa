// LocalClaimer (issue 14): a rescan of the store never brings back a delivery
// settled in memory whose result is still on its way to the store.
#include "delivery/claimer_local.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "common/test_clock.h"
#include "delivery/test_fake_store.h"
#include "delivery/test_support.h"

namespace switchboard::delivery {
namespace {

using switchboard::testing::ManualTime;
using testing::FakeStore;
using testing::wait_until;

struct Handed {
  std::mutex mutex;
  std::vector<std::string> ids;
  std::size_t count() {
    std::lock_guard lock(mutex);
    return ids.size();
  }
};

// A store holding one pending delivery, dlv_1 of wh_a, and a claimer over it
// that notes every delivery it hands out (not yet started).
struct Rig {
  ManualTime time;
  FakeStore store;
  Handed handed;
  LocalClaimer claimer;

  Rig()
      : claimer(store, store, time.wall(), time.monotonic(), LocalClaimer::Options{},
                [this](const std::vector<store::DueDelivery>& claimed, TimePoint) {
                  std::lock_guard lock(handed.mutex);
                  for (const auto& due : claimed) handed.ids.push_back(due.delivery.id);
                }) {
    store.offer_pending_reads(true);
    model::Webhook webhook;
    webhook.id = "wh_a";
    webhook.company_id = "co_1";
    store.put_webhook(webhook);
    store.add_delivery(webhook, "dlv_1", time.wall().now(), "{}");
  }
};

TEST(LocalClaimerTest, ARescanBringsBackOnlyWhatTheStoreStillOwes) {
  enum class Written { kOnItsWay, kWritten, kGivenUp };
  struct Case {
    const char* name;
    Written result;
    std::size_t handed_out;  // times dlv_1 was handed out in all
  };
  const std::vector<Case> cases = {
      {"result on its way: the store still lists it pending", Written::kOnItsWay, 1},
      {"result written: the store no longer lists it", Written::kWritten, 1},
      {"the recorder gave up: the store still owes it", Written::kGivenUp, 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Rig rig;
    ManualTime& time = rig.time;
    FakeStore& store = rig.store;
    Handed& handed = rig.handed;
    LocalClaimer& claimer = rig.claimer;
    claimer.start(100);
    ASSERT_TRUE(wait_until([&] { return handed.count() == 1; }));
    claimer.settled({"dlv_1"});  // delivered: its result goes to the recorder
    if (c.result == Written::kWritten) {
      store::AttemptOutcome outcome;
      outcome.attempt.delivery_id = "dlv_1";
      outcome.attempt.success = true;
      ASSERT_TRUE(store.record_attempts({outcome}));
      claimer.committed({"dlv_1"}, true);
    }
    if (c.result == Written::kGivenUp) claimer.committed({"dlv_1"}, false);
    claimer.resync();
    ASSERT_TRUE(wait_until([&] { return store.list_calls() >= 2; }));
    if (c.handed_out > 1) {
      ASSERT_TRUE(wait_until([&] { return handed.count() == c.handed_out; }));
    }
    time.advance(std::chrono::milliseconds(1000));
    claimer.stop();
    EXPECT_EQ(handed.count(), c.handed_out);
    EXPECT_EQ(claimer.size(), c.handed_out - 1);  // a delivery handed out again is held again
  }
}

// A failed delivery is due again at its retry time only once the recorder has
// written the failure: its next attempt is loaded from the store, whose row
// must already count the one before (otherwise the attempt number repeats).
TEST(LocalClaimerTest, ARetryWaitsForItsFailureToBeWritten) {
  Rig rig;
  ManualTime& time = rig.time;
  FakeStore& store = rig.store;
  Handed& handed = rig.handed;
  LocalClaimer& claimer = rig.claimer;
  claimer.start(100);
  ASSERT_TRUE(wait_until([&] { return handed.count() == 1; }));
  claimer.retry("dlv_1", time.wall().now() + std::chrono::milliseconds(10));
  time.advance(std::chrono::milliseconds(1000));  // past its retry time
  // Two passes of the claimer's loop (each rescan starts after the last feed).
  claimer.resync();
  ASSERT_TRUE(wait_until([&] { return store.list_calls() >= 2; }));
  claimer.resync();
  ASSERT_TRUE(wait_until([&] { return store.list_calls() >= 3; }));
  EXPECT_EQ(handed.count(), 1u) << "handed out again before its failure was written";
  claimer.committed({"dlv_1"}, true);
  EXPECT_TRUE(wait_until([&] { return handed.count() == 2; }));
  claimer.stop();
}

}  // namespace
}  // namespace switchboard::delivery
