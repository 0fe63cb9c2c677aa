// PostgresLiveRelay: the live::Relay of cluster mode, over the PostgreSQL
// LISTEN/NOTIFY channel "switchboard_live" (store/postgres/postgres_channel.h).
// publish() NOTIFYs the update; every update heard (this node's own
// included) goes to the hub's receive(), and after the listener lost its
// connection the hub restores from the store what it may have missed.
//
// Owned by the Service: opened after the hub exists, stopped after the hub
// stopped (and before it is destroyed). Thread-safety: publish() and
// stats() from any thread; the hub is called on the channel's listener
// thread.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "live/live_call_hub.h"
#include "live/relay.h"
#include "store/postgres/postgres_channel.h"

namespace switchboard::server {

class PostgresLiveRelay final : public live::Relay {
 public:
  // Connects to `url` (errors as PostgresChannel::open) and starts listening
  // for `hub`, which must outlive the relay's stop().
  static Result<std::unique_ptr<PostgresLiveRelay>> open(const std::string& url, live::LiveCallHub& hub);

  void publish(std::string payload) override;
  store::postgres::PostgresChannel::Stats stats() const { return channel_->stats(); }
  // Stops listening and sending. Idempotent.
  void stop() { channel_->stop(); }

 private:
  explicit PostgresLiveRelay(std::unique_ptr<store::postgres::PostgresChannel> channel)
      : channel_(std::move(channel)) {}
  std::unique_ptr<store::postgres::PostgresChannel> channel_;
};

}  // namespace switchboard::server
