#include "delivery/recorder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "common/test_clock.h"
#include "delivery/test_support.h"

namespace switchboard::delivery {
namespace {

using std::chrono::milliseconds;
using testing::wait_until;

// A queue that keeps the batches written to it and fails the first `failures` writes.
class BatchQueue final : public store::DeliveryQueue {
 public:
  Result<std::vector<store::DueDelivery>> claim_due_deliveries(TimePoint, int, TimePoint, int) override {
    return std::vector<store::DueDelivery>{};
  }
  Result<void> release_leases(const std::vector<store::LeaseRelease>& leases) override {
    std::lock_guard lock(mutex_);
    for (const auto& lease : leases) released_.push_back(lease.delivery_id);
    return {};
  }
  Result<void> release_all_leases() override { return {}; }
  Result<std::optional<TimePoint>> next_due_time() override { return std::optional<TimePoint>(); }
  Result<void> record_attempts(const std::vector<store::AttemptOutcome>& outcomes) override {
    std::lock_guard lock(mutex_);
    ++writes_;
    if (failures_ > 0) {
      --failures_;
      return make_error(error_, "write failed");
    }
    batches_.push_back(outcomes.size());
    return {};
  }

  void fail_next(int writes, ErrorCode error) {
    std::lock_guard lock(mutex_);
    failures_ = writes;
    error_ = error;
  }
  std::vector<std::size_t> batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
  }
  std::vector<std::string> released() const {
    std::lock_guard lock(mutex_);
    return released_;
  }
  int writes() const {
    std::lock_guard lock(mutex_);
    return writes_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::size_t> batches_;
  std::vector<std::string> released_;
  int failures_ = 0;
  ErrorCode error_ = ErrorCode::kUnavailable;
  int writes_ = 0;
};

store::AttemptOutcome outcome(bool success) {
  store::AttemptOutcome o;
  o.attempt.success = success;
  return o;
}

TEST(ResultRecorderTest, WritesWhatAccumulatedInBatchesOfAtMostKMaxBatch) {
  BatchQueue queue;
  switchboard::testing::ManualMonotonicClock clock;
  std::atomic<int> written{0};
  ResultRecorder recorder(queue, clock, [&] { ++written; });
  const std::size_t total = 2 * ResultRecorder::kMaxBatch + 7;
  for (std::size_t i = 0; i < total; ++i) recorder.record(outcome(i % 2 == 0));
  recorder.release({{"dlv_1", TimePoint{}}});
  recorder.start();  // everything is already queued: the batches are as large as allowed
  recorder.stop();
  EXPECT_EQ(queue.batches(),
            (std::vector<std::size_t>{ResultRecorder::kMaxBatch, ResultRecorder::kMaxBatch, 7}));
  EXPECT_EQ(queue.released(), (std::vector<std::string>{"dlv_1"}));
  EXPECT_EQ(recorder.delivered() + recorder.failed(), total);
  EXPECT_EQ(recorder.delivered(), (total + 1) / 2);
  EXPECT_EQ(written, 3);
}

TEST(ResultRecorderTest, RetriesATransientFailureAfterBackingOff) {
  BatchQueue queue;
  switchboard::testing::ManualMonotonicClock clock;
  queue.fail_next(2, ErrorCode::kUnavailable);
  ResultRecorder recorder(queue, clock, {});
  recorder.start();
  recorder.record(outcome(true));
  ASSERT_TRUE(wait_until([&] { return queue.writes() == 1 && clock.waiting() == 1; }));  // backing off 50 ms
  clock.advance(milliseconds(49));
  ASSERT_TRUE(wait_until([&] { return clock.waiting() == 1; }));
  EXPECT_EQ(queue.writes(), 1);
  clock.advance(milliseconds(1));
  ASSERT_TRUE(wait_until([&] { return queue.writes() == 2 && clock.waiting() == 1; }));  // then 100 ms
  clock.advance(milliseconds(100));
  ASSERT_TRUE(wait_until([&] { return queue.batches().size() == 1; }));
  recorder.stop();
  EXPECT_EQ(queue.writes(), 3);
  EXPECT_EQ(recorder.delivered(), 1u);
}

TEST(ResultRecorderTest, GivesUpOnAPermanentFailureOrAfterKTries) {
  struct Case {
    const char* name;
    ErrorCode error;
    int failures;
    int want_writes;
  };
  const Case cases[] = {
      {"permanent", ErrorCode::kInternal, 1, 1},
      {"transient every time", ErrorCode::kUnavailable, ResultRecorder::kTries, ResultRecorder::kTries},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    BatchQueue queue;
    switchboard::testing::ManualMonotonicClock clock;
    queue.fail_next(c.failures, c.error);
    ResultRecorder recorder(queue, clock, {});
    recorder.start();
    recorder.record(outcome(true));
    // Move time along whenever it backs off, until it stops trying.
    ASSERT_TRUE(wait_until([&] {
      if (clock.waiting() > 0) clock.advance(milliseconds(1000));
      return queue.writes() == c.want_writes && clock.waiting() == 0;
    }));
    recorder.stop();
    EXPECT_EQ(queue.writes(), c.want_writes);
    EXPECT_TRUE(queue.batches().empty());
    EXPECT_EQ(recorder.delivered(), 0u);  // dropped: the lease lapses and it is attempted again
  }
}

}  // namespace
}  // namespace switchboard::delivery

namespace switchboard::delivery {
namespace {

// Failure alerts' hook: the listener hears each batch once it is committed,
// and never a batch the store refused.
class CountingListener final : public RecordedListener {
 public:
  void on_recorded(const std::vector<store::AttemptOutcome>& batch) override {
    std::lock_guard lock(mutex_);
    heard_ += batch.size();
  }
  std::size_t heard() const {
    std::lock_guard lock(mutex_);
    return heard_;
  }

 private:
  mutable std::mutex mutex_;
  std::size_t heard_ = 0;
};

TEST(ResultRecorderTest, TellsTheListenerOnlyWhatWasCommitted) {
  BatchQueue queue;
  switchboard::testing::ManualMonotonicClock clock;
  CountingListener listener;
  queue.fail_next(1, ErrorCode::kInvalidArgument);  // permanent: the first batch is dropped
  ResultRecorder recorder(queue, clock, nullptr, {}, &listener);
  recorder.start();
  recorder.record(outcome(false));
  ASSERT_TRUE(wait_until([&] { return queue.writes() == 1; }));
  recorder.record({outcome(true), outcome(false)});
  ASSERT_TRUE(wait_until([&] { return queue.batches().size() == 1; }));
  recorder.stop();
  EXPECT_EQ(listener.heard(), 2u);
}

}  // namespace
}  // namespace switchboard::delivery
