#include "api/token_usage.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

namespace switchboard::api {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TimePoint at_s(long long s) { return TimePoint(seconds(s)); }

class Recorded {
 public:
  TokenUsageRecorder::Sink sink() {
    return [this](const std::vector<store::Store::TokenUse>& batch) {
      std::lock_guard lock(mutex_);
      uses_.insert(uses_.end(), batch.begin(), batch.end());
      ++batches_;
    };
  }
  std::vector<store::Store::TokenUse> uses() {
    std::lock_guard lock(mutex_);
    return uses_;
  }
  int batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }

 private:
  std::mutex mutex_;
  std::vector<store::Store::TokenUse> uses_;
  int batches_ = 0;
};

TEST(TokenUsageRecorderTest, WritesTheFirstUseThenAtMostOncePerResolution) {
  Recorded recorded;
  TokenUsageRecorder recorder(recorded.sink(), seconds(60));
  recorder.used("tok_a", std::nullopt, at_s(1000));
  // The store has not seen the write yet: the node's own memory holds it back.
  for (int i = 1; i < 1000; ++i) recorder.used("tok_a", std::nullopt, at_s(1000) + milliseconds(i * 50));
  recorder.flush();
  ASSERT_EQ(recorded.uses().size(), 1u);
  EXPECT_EQ(recorded.uses()[0].token_id, "tok_a");
  EXPECT_EQ(recorded.uses()[0].at, at_s(1000));
  // A minute later: one more.
  recorder.used("tok_a", at_s(1000), at_s(1060));
  recorder.flush();
  ASSERT_EQ(recorded.uses().size(), 2u);
  EXPECT_EQ(recorded.uses()[1].at, at_s(1060));
}

TEST(TokenUsageRecorderTest, ARecentStoredTimeNeedsNoWrite) {
  Recorded recorded;
  TokenUsageRecorder recorder(recorded.sink(), seconds(60));
  // Another node wrote it 10 s ago.
  recorder.used("tok_a", at_s(990), at_s(1000));
  recorder.flush();
  EXPECT_TRUE(recorded.uses().empty());
  recorder.used("tok_a", at_s(940), at_s(1000));  // 60 s old: due
  recorder.flush();
  EXPECT_EQ(recorded.uses().size(), 1u);
}

TEST(TokenUsageRecorderTest, TokensAreIndependent) {
  Recorded recorded;
  TokenUsageRecorder recorder(recorded.sink(), seconds(60));
  recorder.used("tok_a", std::nullopt, at_s(1000));
  recorder.used("tok_b", std::nullopt, at_s(1000));
  recorder.used("tok_a", std::nullopt, at_s(1001));
  recorder.flush();
  EXPECT_EQ(recorded.uses().size(), 2u);
}

TEST(TokenUsageRecorderTest, ManyThreadsOneTokenOneWrite) {
  Recorded recorded;
  TokenUsageRecorder recorder(recorded.sink(), seconds(60));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) recorder.used("tok_hot", std::nullopt, at_s(1000) + milliseconds(i));
    });
  }
  for (auto& thread : threads) thread.join();
  recorder.flush();
  EXPECT_EQ(recorded.uses().size(), 1u);
  EXPECT_LE(recorded.batches(), 1);
}

TEST(TokenUsageRecorderTest, DestructionWritesWhatIsQueued) {
  Recorded recorded;
  {
    TokenUsageRecorder recorder(recorded.sink(), seconds(60));
    for (int i = 0; i < 100; ++i) recorder.used("tok_" + std::to_string(i), std::nullopt, at_s(1000));
  }
  EXPECT_EQ(recorded.uses().size(), 100u);
}

}  // namespace
}  // namespace switchboard::api
