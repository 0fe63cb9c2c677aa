// NodeHeartbeat (node_heartbeat.h): the heartbeat thread of a cluster node.
#include "delivery/node_heartbeat.h"

#include <spdlog/spdlog.h>

#include <string>

namespace switchboard::delivery {

void NodeHeartbeat::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { loop(); });
}

void NodeHeartbeat::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NodeHeartbeat::loop() {
  for (;;) {
    const MonotonicTime next = monotonic_.now() + liveness_.beat_every();
    beat();
    std::unique_lock lock(mutex_);
    if (monotonic_.wait_until(lock, cv_, next, [&] { return stopping_; })) return;
  }
}

Result<store::NodeMembership::Beat> NodeHeartbeat::beat() {
  auto beat = membership_.heartbeat(clock_.now(), liveness_);
  if (!beat) {
    ++failures_;
    spdlog::warn("event=node_heartbeat_failed error=\"{}\"", beat.error().message);
    return beat;
  }
  if (beats_++ == 0) {
    spdlog::info("event=node_joined node_id={} stale_after_ms={} beat_every_ms={}", beat->node_id,
                 liveness_.stale_after.count(), liveness_.beat_every().count());
  }
  if (beat->rejoined) {
    ++rejoined_;
    spdlog::warn(
        "event=node_rejoined node_id={} reason=\"this node's heartbeat went stale (stalled longer than {} "
        "ms): "
        "other nodes took its leases; its late results for their work are refused\"",
        beat->node_id, liveness_.stale_after.count());
  }
  if (!beat->stale_nodes.empty()) {
    taken_over_ += beat->stale_nodes.size();
    released_ += static_cast<std::uint64_t>(beat->released);
    for (const std::string& node : beat->stale_nodes) {
      spdlog::warn("event=node_failover stale_node_id={} by_node_id={} stale_after_ms={}", node,
                   beat->node_id, liveness_.stale_after.count());
    }
    spdlog::info("event=leases_released count={}", beat->released);
    if (beat->released > 0 && on_released_) on_released_();
  }
  return beat;
}

NodeHeartbeat::Stats NodeHeartbeat::stats() const {
  return Stats{beats_.load(), failures_.load(), rejoined_.load(), taken_over_.load(), released_.load()};
}

}  // namespace switchboard::delivery
