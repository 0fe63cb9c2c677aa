// The receiver's JSON.stringify(JSON.parse(text)) (receiver/canonical_json.h):
// receiver::js_canonical on the bytes, and receiver::js_number on the first 8
// bytes read as a double.
//
// Invariants: no crash; a canonical form is valid JSON that Boost.JSON reads,
// and canonical already (js_canonical of it is itself); js_number of a finite
// double reads back as exactly that double, as JavaScript's shortest form does.
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_check.h"
#include "receiver/canonical_json.h"

namespace {

using namespace switchboard;

void check_number(double value) {
  if (!std::isfinite(value)) return;
  const std::string text = receiver::js_number(value);
  FUZZ_CHECK(!text.empty());
  double back = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), back);
  FUZZ_CHECK(ec == std::errc() && end == text.data() + text.size());
  FUZZ_CHECK(back == value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  if (const auto canonical = receiver::js_canonical(text)) {
    boost::system::error_code ec;
    (void)boost::json::parse(*canonical, ec);
    FUZZ_CHECK(!ec);
    FUZZ_CHECK(receiver::js_canonical(*canonical) == canonical);
  }
  if (size >= sizeof(double)) {
    double value = 0;
    std::memcpy(&value, data, sizeof(value));
    check_number(value);
  }
  return 0;
}
