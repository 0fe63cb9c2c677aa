// TokenBucket: a webhook's max_rate (issue 16 item 4), deliveries started per
// second, on the monotonic clock.
//
// Tokens accrue continuously at `rate` per second up to `capacity`; starting a
// delivery takes one. The capacity is small (capacity_for: 1 up to 50/s, 20 ms
// worth above), so a burst is smoothed rather than passed on: any window of
// T seconds sees at most capacity + rate·T starts. Waiting for a token is not an
// attempt: nothing is recorded while a delivery waits here.
//
// Pure: time is passed in. Not thread-safe (the engine's scheduler thread owns it).
#pragma once

#include <algorithm>
#include <chrono>

namespace switchboard::delivery {

class TokenBucket {
 public:
  using Time = std::chrono::steady_clock::time_point;

  static double capacity_for(int rate) { return std::max(1.0, static_cast<double>(rate) / 50.0); }

  // Full at `now`.
  TokenBucket(int rate, Time now) : rate_(std::max(1, rate)), tokens_(capacity_for(rate_)), at_(now) {}

  int rate() const { return rate_; }
  // A new rate keeps the tokens there are (capped to the new capacity).
  void set_rate(int rate, Time now) {
    refill(now);
    rate_ = std::max(1, rate);
    tokens_ = std::min(tokens_, capacity_for(rate_));
  }

  // Takes a token if there is one at `now`.
  bool try_take(Time now) {
    refill(now);
    if (tokens_ + kRounding < 1.0) return false;
    tokens_ = std::max(0.0, tokens_ - 1.0);
    return true;
  }

  // When the next token is there (now when there is one already).
  Time next_token_at(Time now) {
    refill(now);
    if (tokens_ + kRounding >= 1.0) return now;
    const double wait_s = (1.0 - tokens_) / rate_;
    // Rounded up, so that a wake-up at that time finds the token.
    return now + std::chrono::duration_cast<Time::duration>(std::chrono::duration<double>(wait_s)) +
           Time::duration(1);
  }

  // Whether the bucket is full at `now` (forgetting it then loses nothing).
  bool full(Time now) {
    refill(now);
    return tokens_ >= capacity_for(rate_);
  }

 private:
  // A token a floating-point rounding short of whole counts (else a wake-up at
  // next_token_at() could find 0.999999… and wait again).
  static constexpr double kRounding = 1e-9;

  void refill(Time now) {
    if (now <= at_) return;
    const double elapsed_s = std::chrono::duration<double>(now - at_).count();
    tokens_ = std::min(capacity_for(rate_), tokens_ + elapsed_s * rate_);
    at_ = now;
  }

  int rate_;
  double tokens_;
  Time at_;
};

}  // namespace switchboard::delivery
