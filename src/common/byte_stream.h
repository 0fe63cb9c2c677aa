// ByteStream: the open end of a streamed response (Server-Sent Events) as its
// writers see it. The transport (server/http_server.cc) implements it over a
// socket; the API hands it to whoever streams (the live call hub, which knows
// no HTTP); tests record what a client would receive. One interface for all of
// them, so nothing adapts one stream type to another.
//
// Thread-safety: implementations are thread-safe (any thread may send); the
// live call hub calls them under its lock, never while waiting for anything.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace switchboard {

class ByteStream {
 public:
  // Produces the next piece of a long body; nullopt when there is no more.
  using Producer = std::function<std::optional<std::string>()>;

  virtual ~ByteStream() = default;
  // Queues bytes for the client. False once the stream has ended: the client
  // went away, the server is stopping, or the client fell too far behind
  // (its queue passed the transport's bound, which ends the stream).
  virtual bool send(std::string bytes) = 0;
  // Streams a body of any size with backpressure: the transport asks `next`
  // for a piece each time the piece before it has been written to the socket
  // (never more than one piece is held), on its own thread. Bytes given to
  // send() afterwards are written after the last piece, and the pieces do not
  // count toward the queue bound. False once the stream has ended. This
  // default, for streams without a socket, sends every piece at once.
  virtual bool send_from(Producer next) {
    while (auto piece = next()) {
      if (!send(std::move(*piece))) return false;
    }
    return true;
  }
  virtual bool is_open() const = 0;
  virtual void close() = 0;
};

}  // namespace switchboard
