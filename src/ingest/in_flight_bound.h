// InFlightBound: at most `limit` units of work in flight per key (ingest: the
// events of one company accepted and not yet answered by the store), so one
// company publishing faster than the store commits queues its own requests,
// not every company's (architecture §6: in-flight work bounded per company).
//
// admit() hands out a Ticket for `units`; the units count until the ticket is
// released or destroyed. The first admission of a key always passes, however
// large (a batch above the limit must still be able to run, alone), so a key
// is never shut out for good.
//
// Thread-safety: every member may be called from any thread; a Ticket may be
// released on another thread than the one that took it.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <tl/expected.hpp>
#include <unordered_map>

namespace switchboard::ingest {

class InFlightBound {
 public:
  explicit InFlightBound(std::size_t limit) : limit_(limit) {}
  InFlightBound(const InFlightBound&) = delete;
  InFlightBound& operator=(const InFlightBound&) = delete;

  // The units of one admission; gives them back when released or destroyed.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept { *this = std::move(other); }
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { release(); }
    void release();

   private:
    friend class InFlightBound;
    Ticket(InFlightBound* bound, std::string key, std::size_t units)
        : bound_(bound), key_(std::move(key)), units_(units) {}
    InFlightBound* bound_ = nullptr;  // null: released or empty
    std::string key_;
    std::size_t units_ = 0;
  };

  // Why an admission was refused: what is in flight for the key already.
  struct Busy {
    std::size_t in_flight = 0;
    std::size_t limit = 0;
  };

  tl::expected<Ticket, Busy> admit(const std::string& key, std::size_t units);
  std::size_t in_flight(const std::string& key) const;
  std::size_t limit() const { return limit_; }

 private:
  void give_back(const std::string& key, std::size_t units);

  const std::size_t limit_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> in_flight_;  // keys with units out only
};

}  // namespace switchboard::ingest
