#include "alerts/look_throttle.h"

namespace switchboard::alerts {

MonotonicTime LookThrottle::allowed_at(const Key& key) const {
  auto it = last_.find(key);
  return it == last_.end() ? MonotonicTime::min() : it->second + interval_;
}

void LookThrottle::looked(const Key& key, MonotonicTime now) { last_[key] = now; }

void LookThrottle::forget_old(MonotonicTime now) {
  std::erase_if(last_, [&](const auto& entry) { return entry.second + interval_ <= now; });
}

}  // namespace switchboard::alerts
