// NodeMembership: the store role of cluster membership (issue 14 item 4).
// Implemented by the PostgreSQL store only (a single-node store has no other
// node to fail over to); `serve` finds it on the store it opened with
// dynamic_cast, so that the Store interface and its fakes stay as they are.
//
// Thread-safety: as Store (any thread).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "model/node_liveness.h"

namespace switchboard::store {

// Cluster membership of this process's delivery engine (PostgreSQL only: a
// single-node store has no other node to fail over to).
//
// The deliveries a node claims carry its node id; the node's heartbeat row is
// what keeps them all leased (renewed in one write, never per row; each claim
// renews it too). A node that misses its heartbeats for longer than the bound
// loses its row and its leases to whichever node beats next. A node that was
// only stalled (SIGSTOP, a long pause) finds at its next claim or beat that
// its row is gone: it rejoins (its row is made again), and the store refuses its late
// results for deliveries now leased to another node (record_attempts skips
// them, as it skips an already settled delivery), so at-least-once and the
// per-call order hold.
class NodeMembership {
 public:
  virtual ~NodeMembership() = default;

  struct Beat {
    std::string node_id;  // the id this node's claims carry
    // This node had been declared stale (its leases were released to the
    // others) and has just rejoined.
    bool rejoined = false;
    std::vector<std::string> stale_nodes;  // other nodes this beat found stale and removed
    std::int64_t released = 0;             // their leases, released at once
  };
  // Renews this node's heartbeat at `now` (joining if need be), then removes
  // the nodes whose heartbeat is stale by `rule` and releases their leases, in
  // one transaction.
  virtual Result<Beat> heartbeat(TimePoint now, const model::NodeLiveness& rule) = 0;

  // A graceful stop (serve's drain, once its engine has stopped claiming):
  // releases every lease this node holds and removes its row, in one
  // transaction, so the others claim its work at once instead of after
  // stale_after. Returns the leases released. The default is for a
  // membership that holds none (tests' scripted ones).
  virtual Result<std::int64_t> leave(TimePoint /*now*/) { return std::int64_t{0}; }
};

}  // namespace switchboard::store
