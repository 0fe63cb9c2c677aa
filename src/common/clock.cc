#include "common/clock.h"

#include <thread>

namespace switchboard {

void SteadyMonotonicClock::sleep_until(MonotonicTime deadline) const {
  std::this_thread::sleep_until(deadline);
}

const SteadyMonotonicClock& SteadyMonotonicClock::instance() {
  static const SteadyMonotonicClock clock;
  return clock;
}

}  // namespace switchboard
