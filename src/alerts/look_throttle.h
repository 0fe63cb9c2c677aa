// LookThrottle: how often the alert monitor looks again at one webhook
// because new failed results came in (issue 16 item 2). A failing webhook has
// results in nearly every batch the recorder writes; each look reads the
// webhook, its episodes, its threshold and its health rollups, so without a
// bound a busy failing webhook costs four reads per batch. A webhook is looked
// at on results at most once per `interval` (on the monotonic clock passed
// in); what comes in meanwhile waits for the next allowed look, and nothing of
// it is lost (the monitor keeps it). Looks the throttle must not delay (an
// API status change, a 410, the periodic sweep) still count as the last look.
//
// Pure bookkeeping on given times; not thread-safe (the monitor's thread owns it).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>

#include "common/clock.h"

namespace switchboard::alerts {

class LookThrottle {
 public:
  using Key = std::pair<std::string, std::string>;  // company id, webhook id

  explicit LookThrottle(std::chrono::milliseconds interval) : interval_(interval) {}

  // When a look at `key` is next allowed: now or earlier when it was never
  // looked at, or its last look is `interval` old.
  MonotonicTime allowed_at(const Key& key) const;
  // Whether a look at `key` is allowed at `now`.
  bool allowed(const Key& key, MonotonicTime now) const { return allowed_at(key) <= now; }
  // A look at `key` happened at `now`.
  void looked(const Key& key, MonotonicTime now);
  // Forgets looks at least `interval` old (they no longer hold anything back).
  void forget_old(MonotonicTime now);

  std::size_t size() const { return last_.size(); }

 private:
  std::chrono::milliseconds interval_;
  std::map<Key, MonotonicTime> last_;
};

}  // namespace switchboard::alerts
