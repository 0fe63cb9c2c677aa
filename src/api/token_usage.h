// TokenUsageRecorder: keeps each token's last_used_at roughly current without
// a store write per request. A request only compares times (and, at most once
// per kLastUsedResolution per token and node, queues the token); a background
// thread writes what is queued in one batch (Store::record_token_use). So
// ingest pays no write for it, and a busy token costs one small write a
// minute per node.
//
// Thread-safety: used() may be called from many threads at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "model/identity.h"
#include "store/store.h"

namespace switchboard::api {

class TokenUsageRecorder {
 public:
  using Sink = std::function<void(const std::vector<store::Store::TokenUse>&)>;

  // `sink` writes a batch (errors are its own business: last_used_at is advisory).
  explicit TokenUsageRecorder(Sink sink, std::chrono::milliseconds resolution = model::kLastUsedResolution);
  // Writes what is still queued, then stops the thread.
  ~TokenUsageRecorder();
  TokenUsageRecorder(const TokenUsageRecorder&) = delete;
  TokenUsageRecorder& operator=(const TokenUsageRecorder&) = delete;

  // A request authenticated with `token_id` at `now`; `stored` is the
  // last_used_at the principal lookup read. Queues a write only when both the
  // stored time and this node's last queued one are older than the resolution.
  void used(const std::string& token_id, const std::optional<TimePoint>& stored, TimePoint now);

  // Waits until everything queued before the call is written (tests).
  void flush();

 private:
  void run();

  const Sink sink_;
  const std::chrono::milliseconds resolution_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_;
  std::map<std::string, TimePoint> queued_at_;  // per token: when this node last queued it
  std::vector<store::Store::TokenUse> pending_;
  long long batches_queued_ = 0;  // batches handed to the thread (a batch = what pending_ held)
  long long batches_written_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the rest is built
};

}  // namespace switchboard::api
