#include "model/rate_limit.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace switchboard::model {

RateLimit rate_limit_per_second(double per_second) {
  if (per_second <= 0) return {};
  return RateLimit{per_second, std::max(1.0, std::floor(per_second * 2))};
}

RateLimiter::RateLimiter(std::size_t max_keys)
    : max_per_shard_(std::max<std::size_t>(1, max_keys / kShards)) {}

std::size_t RateLimiter::size() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.buckets.size();
  }
  return total;
}

RateDecision RateLimiter::take(const std::string& key, const RateLimit& limit, TimePoint now) {
  if (limit.unlimited()) return {};
  const double burst = std::max(1.0, limit.burst);
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard lock(shard.mutex);

  auto found = shard.buckets.find(key);
  if (found == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) {
      shard.buckets.erase(shard.by_use.back());
      shard.by_use.pop_back();
    }
    shard.by_use.push_front(key);
    found = shard.buckets.emplace(key, Bucket{burst, now, shard.by_use.begin()}).first;
  } else {
    shard.by_use.splice(shard.by_use.begin(), shard.by_use, found->second.recent);
  }
  Bucket& bucket = found->second;
  // A clock that stepped back refills nothing (and takes nothing away).
  const double elapsed = std::max(0.0, std::chrono::duration<double>(now - bucket.updated).count());
  bucket.tokens = std::min(burst, bucket.tokens + elapsed * limit.per_second);
  bucket.updated = std::max(bucket.updated, now);

  RateDecision decision;
  decision.limit = static_cast<std::int64_t>(burst);
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    decision.allowed = true;
    decision.remaining = static_cast<std::int64_t>(std::floor(bucket.tokens));
    return decision;
  }
  decision.allowed = false;
  decision.remaining = 0;
  const double wait = (1.0 - bucket.tokens) / limit.per_second;
  decision.retry_after =
      std::chrono::seconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait))));
  return decision;
}

}  // namespace switchboard::model
