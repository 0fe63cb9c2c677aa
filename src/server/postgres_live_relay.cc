#include "server/postgres_live_relay.h"

#include <spdlog/spdlog.h>

#include "common/result.h"

namespace switchboard::server {

Result<std::unique_ptr<PostgresLiveRelay>> PostgresLiveRelay::open(const std::string& url,
                                                                   live::LiveCallHub& hub) {
  auto channel = store::postgres::PostgresChannel::open(
      url, "switchboard_live",
      [&hub](const std::string& payload) {
        if (!hub.receive(payload)) spdlog::warn("event=live_relay_ignored reason=\"not a live call update\"");
      },
      [&hub] {
        // Updates sent while this node was not listening are in the store.
        if (auto restored = hub.restore(); !restored) {
          spdlog::warn("event=live_calls_restore_failed error=\"{}\"", restored.error().message);
        }
      });
  if (!channel) return forward_error(channel);
  return std::unique_ptr<PostgresLiveRelay>(new PostgresLiveRelay(std::move(*channel)));
}

// A refused payload (too large, or the channel stopped) is dropped: the
// call's next event repairs the stream, as for a lost NOTIFY.
void PostgresLiveRelay::publish(std::string payload) { channel_->send(std::move(payload)); }

}  // namespace switchboard::server
