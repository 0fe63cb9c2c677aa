#include "common/test_clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace switchboard::testing {
namespace {

using std::chrono::milliseconds;

// Polls `condition` (the test's thread waits for the other thread to block).
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(ManualMonotonicClockTest, MovesOnlyWhenTold) {
  ManualMonotonicClock clock;
  const auto t0 = clock.now();
  EXPECT_EQ(clock.now(), t0);
  clock.advance(milliseconds(1500));
  EXPECT_EQ(clock.now() - t0, milliseconds(1500));
}

TEST(ManualMonotonicClockTest, ATimedWaitEndsWhenTimeReachesItsDeadline) {
  ManualMonotonicClock clock;
  std::mutex mutex;
  std::condition_variable cv;
  const auto deadline = clock.now() + milliseconds(100);
  auto waited = std::async(std::launch::async, [&] {
    std::unique_lock lock(mutex);
    return clock.MonotonicClock::wait_until(lock, cv, deadline, [] { return false; });
  });
  ASSERT_TRUE(eventually([&] { return clock.waiting() == 1; }));
  clock.advance(milliseconds(99));  // wakes it; it finds time short of its deadline and waits again
  ASSERT_TRUE(eventually([&] { return clock.waiting() == 1; }));
  EXPECT_EQ(waited.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  clock.advance(milliseconds(1));
  EXPECT_FALSE(waited.get());  // timed out, on the manual clock
  EXPECT_EQ(clock.waiting(), 0u);
}

TEST(ManualMonotonicClockTest, ANotifyEndsAWaitWithoutTimeMoving) {
  ManualMonotonicClock clock;
  std::mutex mutex;
  std::condition_variable cv;
  bool ready = false;
  auto waited = std::async(std::launch::async, [&] {
    std::unique_lock lock(mutex);
    return clock.MonotonicClock::wait_until(lock, cv, clock.now() + std::chrono::hours(1),
                                            [&] { return ready; });
  });
  ASSERT_TRUE(eventually([&] { return clock.waiting() == 1; }));
  {
    std::lock_guard lock(mutex);
    ready = true;
  }
  cv.notify_one();
  EXPECT_TRUE(waited.get());
}

TEST(ManualMonotonicClockTest, SleepUntilReturnsWhenTimeArrives) {
  ManualMonotonicClock clock;
  auto slept = std::async(std::launch::async, [&] { clock.sleep_until(clock.now() + milliseconds(50)); });
  ASSERT_TRUE(eventually([&] { return clock.waiting() == 1; }));
  clock.advance(milliseconds(50));
  slept.get();
  EXPECT_EQ(clock.waiting(), 0u);
}

TEST(ManualTimeTest, MovesWallAndMonotonicTimeTogether) {
  ManualTime time;
  const auto wall = time.wall().now();
  const auto mono = time.monotonic().now();
  time.advance(milliseconds(250));
  EXPECT_EQ(time.wall().now() - wall, milliseconds(250));
  EXPECT_EQ(time.monotonic().now() - mono, milliseconds(250));
}

}  // namespace
}  // namespace switchboard::testing
