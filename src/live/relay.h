// Relay: how the live call hubs of a cluster's nodes share their updates, so
// that every node's stream shows every node's calls. The hub publishes each
// update it makes (model::encode_live_call_relay) to the relay instead of to
// its own watchers; the relay carries it to every node, this one included,
// and there hands it to LiveCallHub::receive(). A relay that may have missed
// updates (its connection was lost) calls LiveCallHub::restore() once it is
// back, to catch up from the store. A single node has no relay.
//
// Cluster mode implements it over PostgreSQL LISTEN/NOTIFY
// (server/postgres_live_relay.h); a missed update is repaired by the call's
// next event, so delivery is best effort.
//
// Thread-safety: publish() is called from any thread that publishes to the
// hub and must not wait for the network.
#pragma once

#include <string>

namespace switchboard::live {

class Relay {
 public:
  virtual ~Relay() = default;
  // Queues one encoded update for every node.
  virtual void publish(std::string payload) = 0;
};

}  // namespace switchboard::live
