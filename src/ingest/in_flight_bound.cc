// InFlightBound: per-key counts of admitted units (see the header).
#include "ingest/in_flight_bound.h"

#include <algorithm>
#include <utility>

namespace switchboard::ingest {

InFlightBound::Ticket& InFlightBound::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    release();
    bound_ = std::exchange(other.bound_, nullptr);
    key_ = std::move(other.key_);
    units_ = std::exchange(other.units_, 0);
  }
  return *this;
}

void InFlightBound::Ticket::release() {
  if (!bound_) return;
  std::exchange(bound_, nullptr)->give_back(key_, units_);
  units_ = 0;
}

tl::expected<InFlightBound::Ticket, InFlightBound::Busy> InFlightBound::admit(const std::string& key,
                                                                              std::size_t units) {
  std::lock_guard lock(mutex_);
  auto it = in_flight_.find(key);
  const std::size_t now = it == in_flight_.end() ? 0 : it->second;
  if (now > 0 && now + units > limit_) return tl::unexpected(Busy{now, limit_});
  if (it == in_flight_.end()) it = in_flight_.emplace(key, 0).first;
  it->second += units;
  return Ticket(this, key, units);
}

std::size_t InFlightBound::in_flight(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = in_flight_.find(key);
  return it == in_flight_.end() ? 0 : it->second;
}

void InFlightBound::give_back(const std::string& key, std::size_t units) {
  std::lock_guard lock(mutex_);
  auto it = in_flight_.find(key);
  if (it == in_flight_.end()) return;
  it->second -= std::min(units, it->second);
  if (it->second == 0) in_flight_.erase(it);
}

}  // namespace switchboard::ingest
