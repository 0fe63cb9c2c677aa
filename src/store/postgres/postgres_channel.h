// PostgresChannel: one LISTEN/NOTIFY channel shared by the nodes of a
// cluster, for messages every node must see soon but that are not state
// (the live call stream: a missed message is repaired by the call's next
// event). Each node sends with NOTIFY and hears every node's messages, its
// own included, in the order the database delivered them.
//
// Two threads, each with its own connection (never a pool connection: a
// listening connection must stay idle):
//   sender    takes queued messages in batches and NOTIFYs them in one
//             transaction (one round trip per batch, not per message);
//   listener  LISTENs and hands each payload to the receiver.
// Both reconnect on their own with a short backoff when PostgreSQL restarts;
// messages sent while a listener is away are not replayed by the channel
// (the Relistened callback lets the owner catch up from its own state).
//
// Bounded: at most kMaxQueued messages wait to be sent (the oldest are
// dropped and counted); a payload over 7,999 bytes (PostgreSQL's limit) is
// refused by send().
//
// Thread-safety: send() and stats() may be called from any thread; the
// receiver runs on the listener thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/result.h"

namespace switchboard::store::postgres {

class PostgresChannel {
 public:
  using Receiver = std::function<void(const std::string& payload)>;
  // Called on the listener thread each time it starts LISTENing again after
  // losing its connection (not the first time), before it hands on anything
  // heard since: the place to catch up on what was sent meanwhile.
  using Relistened = std::function<void()>;
  static constexpr std::size_t kMaxQueued = 10000;
  static constexpr std::size_t kMaxPayloadBytes = 7999;

  // Connects once to check `url` (kUnavailable / kInvalidArgument as for the
  // store), then starts both threads. The channel is `name` + ":" + the
  // connection's schema (cut to PostgreSQL's 63 bytes), so that clusters
  // sharing a database in different schemas do not hear each other.
  static Result<std::unique_ptr<PostgresChannel>> open(std::string url, const std::string& name,
                                                       Receiver receiver, Relistened relistened = {});
  const std::string& channel() const { return channel_; }
  ~PostgresChannel();
  PostgresChannel(const PostgresChannel&) = delete;
  PostgresChannel& operator=(const PostgresChannel&) = delete;

  // Queues `payload` for every node; false when it is too large or the
  // channel has stopped. Never waits for the database.
  bool send(std::string payload);

  // True once the listener is LISTENing (after open() or a reconnect).
  bool listening() const { return listening_.load(); }

  struct Stats {
    std::uint64_t sent = 0;        // NOTIFYs committed
    std::uint64_t dropped = 0;     // queued messages lost to the bound or a failed batch
    std::uint64_t received = 0;    // payloads handed to the receiver
    std::uint64_t reconnects = 0;  // listener and sender reconnections
  };
  Stats stats() const;

  // Stops both threads (pending messages are dropped). Idempotent.
  void stop();

 private:
  PostgresChannel(std::string url, std::string channel, Receiver receiver, Relistened relistened);
  void send_loop();
  void listen_loop();
  // Sleeps up to `delay` unless stopping; false when stopping.
  bool pause(std::chrono::milliseconds delay);

  const std::string url_;
  const std::string channel_;
  const Receiver receiver_;
  const Relistened relistened_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;          // guarded by mutex_
  std::deque<std::string> queue_;  // guarded by mutex_
  Stats stats_;                    // guarded by mutex_
  std::atomic<bool> listening_{false};
  std::thread sender_;
  std::thread listener_;
};

}  // namespace switchboard::store::postgres
