// Sink: one watcher's stream as the live call hub sees it, Server-Sent Events
// bytes out. The API adapts the HTTP transport's stream to it (the hub knows
// no HTTP); tests record what a client would receive.
//
// Thread-safety: the hub calls every method from any thread, under its lock
// (never while waiting for anything).
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace switchboard::live {

class Sink {
 public:
  // Produces the next piece of a long body; nullopt when there is no more.
  using Producer = std::function<std::optional<std::string>()>;

  virtual ~Sink() = default;
  // Queues bytes for the client. False once the stream has ended (the client
  // went away, the server is stopping, or the client fell too far behind).
  virtual bool send(std::string bytes) = 0;
  // Streams a body of any size with backpressure: `next` is asked for a piece
  // each time the one before has been written; bytes given to send()
  // afterwards follow the last piece. False once the stream has ended. This
  // default, for sinks without a socket, sends every piece at once.
  virtual bool send_from(Producer next) {
    while (auto piece = next()) {
      if (!send(std::move(*piece))) return false;
    }
    return true;
  }
  virtual bool is_open() const = 0;
  virtual void close() = 0;
};

}  // namespace switchboard::live
