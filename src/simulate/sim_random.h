// Deterministic randomness for the traffic simulator: the same seed gives the
// same sequence on every platform. std::mt19937_64's output is fixed by the
// standard; the distributions of <random> are not, so the few this simulator
// needs are written here on top of the raw 64-bit draws. Not thread-safe: one
// instance per generator.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace switchboard::simulate {

class SimRandom {
 public:
  explicit SimRandom(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [lo, hi] (inclusive). The modulo bias is below 2^-40 for the small ranges used here.
  long long between(long long lo, long long hi) {
    return lo + static_cast<long long>(engine_() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  // True with probability `p` (0..1).
  bool chance(double p) { return static_cast<double>(engine_() >> 11) * 0x1.0p-53 < p; }
  // One element of a non-empty array or vector.
  template <typename Items>
  const auto& pick(const Items& items) {
    return items[static_cast<std::size_t>(between(0, static_cast<long long>(items.size()) - 1))];
  }
  // `n` lowercase hex digits, for ids.
  std::string hex(int n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    while (static_cast<int>(out.size()) < n) {
      std::uint64_t bits = engine_();
      for (int i = 0; i < 16 && static_cast<int>(out.size()) < n; ++i, bits >>= 4) out += kDigits[bits & 15];
    }
    return out;
  }
  // `n` decimal digits.
  std::string digits(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += static_cast<char>('0' + between(0, 9));
    return out;
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace switchboard::simulate
