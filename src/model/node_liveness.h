// Cluster node liveness (issue 14, item 4) as pure functions of times. No
// clock, no I/O: the PostgreSQL store and the heartbeat thread pass `now`.
//
// Every `serve` node of a cluster keeps a heartbeat row in the store; the
// deliveries it claims carry its node id (the lease belongs to the node, and
// renewing the node's row renews them all at once). A node whose last
// heartbeat is more than `stale_after` old is presumed dead: any other node
// takes its row away and releases its leases at once, so its claimed work is
// delivered by the others within about stale_after + beat_every + one claim,
// instead of when the per-row lease (EngineOptions::lease, 120 s) runs out.
//
// The bound must exceed the longest stall a live node may have (a GC-like
// pause, a slow database) plus the clock skew between nodes: a live node that
// is declared stale only loses its leases (it notices, rejoins under a new id,
// and the store refuses its late results), so a bound that is too short costs
// repeated attempts, never lost or reordered ones.
//
// The bound is NOT divided by --time-scale: it measures real process death and
// real database round trips, not a policy of the product.
#pragma once

#include <algorithm>
#include <chrono>

#include "common/clock.h"

namespace switchboard::model {

struct NodeLiveness {
  static constexpr std::chrono::milliseconds kDefaultStaleAfter{10000};
  // Below this a healthy node under load would be declared dead.
  static constexpr std::chrono::milliseconds kMinStaleAfter{500};
  // Heartbeats per bound: a live node beats this many times before it could
  // be declared stale, so a few slow round trips do not cost it its leases.
  static constexpr int kBeatsPerBound = 5;

  std::chrono::milliseconds stale_after = kDefaultStaleAfter;

  // How often a node renews its heartbeat (and looks for stale nodes).
  constexpr std::chrono::milliseconds beat_every() const {
    return std::max(std::chrono::milliseconds(1), stale_after / kBeatsPerBound);
  }
  // Heartbeats strictly before this time are stale at `now` (the store's
  // WHERE heartbeat_at < cutoff).
  constexpr TimePoint stale_cutoff(TimePoint now) const { return now - stale_after; }
  // A node last heard of at `last_heartbeat` is stale at `now`: more than
  // `stale_after` passed. The same rule as stale_cutoff().
  constexpr bool is_stale(TimePoint last_heartbeat, TimePoint now) const {
    return last_heartbeat < stale_cutoff(now);
  }
};

}  // namespace switchboard::model
