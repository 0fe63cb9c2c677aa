// Per-token request rate limits (architecture §6: 429 + Retry-After).
//
// A token bucket per key: it holds at most `burst` requests, refills at
// `per_second`, and each request takes one. An empty bucket refuses and says
// how long until the next request would pass. Time comes from the caller
// (an injected Clock), so the rules are tested without sleeping.
//
// Bounded: at most `max_keys` buckets; past that the least recently used one
// is forgotten (it comes back full, which only ever errs towards allowing).
//
// Thread-safety: take() may be called from any thread (sharded locks).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.h"

namespace switchboard::model {

struct RateLimit {
  double per_second = 0;  // 0: unlimited
  double burst = 0;       // the most requests at once; at least 1 when limited
  bool unlimited() const { return per_second <= 0; }
};

// A limit of `per_second` with a burst of twice that (at least 1); 0 or
// less: unlimited.
RateLimit rate_limit_per_second(double per_second);

struct RateDecision {
  bool allowed = true;
  std::int64_t limit = 0;               // the bucket's size (the burst), for X-RateLimit-Limit
  std::int64_t remaining = 0;           // requests left now, for X-RateLimit-Remaining
  std::chrono::seconds retry_after{0};  // when refused: whole seconds until one passes (>= 1)
};

class RateLimiter {
 public:
  explicit RateLimiter(std::size_t max_keys = 100000);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // One request of `key` at `now` under `limit`. An unlimited limit always
  // allows and keeps no state.
  RateDecision take(const std::string& key, const RateLimit& limit, TimePoint now);

  std::size_t size() const;

 private:
  struct Bucket {
    double tokens = 0;
    TimePoint updated{};
    std::list<std::string>::iterator recent;  // its place in Shard::by_use
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Bucket> buckets;
    std::list<std::string> by_use;  // most recently used first
  };
  static constexpr std::size_t kShards = 16;

  const std::size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace switchboard::model
