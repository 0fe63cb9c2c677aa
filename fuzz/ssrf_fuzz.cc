// The SSRF address classifier (delivery/ssrf.h): delivery::ssrf::classify on
// the bytes as an IP literal, and on the first 4 and 16 bytes as raw IPv4 and
// IPv6 addresses (directly and as socket addresses).
//
// Invariants: no crash; every IPv6 form that embeds an IPv4 address
// (IPv4-mapped, IPv4-translated, NAT64 64:ff9b::/96; IPv4-compatible except
// :: and ::1) classifies like that IPv4 address; the socket-address form
// agrees with the byte form; a literal classifies only when it is exactly an
// address inet_pton reads, and then like its bytes; only public addresses are
// allowed by default.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "delivery/ssrf.h"
#include "fuzz_check.h"

namespace {

using namespace switchboard::delivery::ssrf;
namespace fuzz = switchboard::fuzz;

Ipv6Bytes embed(const Ipv4Bytes& v4, std::initializer_list<std::uint8_t> prefix) {
  Ipv6Bytes v6{};
  std::copy(prefix.begin(), prefix.end(), v6.begin());
  std::copy(v4.begin(), v4.end(), v6.begin() + 12);
  return v6;
}

void check_class(AddressClass address_class) {
  FUZZ_CHECK(to_string(address_class) != "unknown");
  if (is_allowed(address_class, false)) FUZZ_CHECK(address_class == AddressClass::kPublic);
  if (is_allowed(address_class, false)) FUZZ_CHECK(is_allowed(address_class, true));
}

void check_ipv4(const Ipv4Bytes& v4) {
  const AddressClass expected = classify(v4);
  check_class(expected);
  FUZZ_CHECK(classify(embed(v4, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff})) == expected);  // mapped
  FUZZ_CHECK(classify(embed(v4, {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0})) == expected);  // translated
  FUZZ_CHECK(classify(embed(v4, {0x00, 0x64, 0xff, 0x9b})) == expected);                    // NAT64
  const bool unspecified_or_loopback = v4[0] == 0 && v4[1] == 0 && v4[2] == 0 && v4[3] <= 1;
  if (!unspecified_or_loopback) FUZZ_CHECK(classify(embed(v4, {})) == expected);  // compatible

  sockaddr_in in{};
  in.sin_family = AF_INET;
  std::memcpy(&in.sin_addr, v4.data(), v4.size());
  FUZZ_CHECK(classify(reinterpret_cast<const sockaddr*>(&in), sizeof(in)) == expected);
  FUZZ_CHECK(!classify(reinterpret_cast<const sockaddr*>(&in), sizeof(in) - 1).has_value());
}

void check_ipv6(const Ipv6Bytes& v6) {
  const AddressClass expected = classify(v6);
  check_class(expected);
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  std::memcpy(&in6.sin6_addr, v6.data(), v6.size());
  FUZZ_CHECK(classify(reinterpret_cast<const sockaddr*>(&in6), sizeof(in6)) == expected);
}

void check_literal(std::string_view literal) {
  const auto address_class = classify(literal);
  const bool has_nul = literal.find('\0') != std::string_view::npos;
  const std::string text(literal);
  Ipv4Bytes v4;
  Ipv6Bytes v6;
  if (!has_nul && inet_pton(AF_INET, text.c_str(), v4.data()) == 1) {
    FUZZ_CHECK(address_class == classify(v4));
    FUZZ_CHECK(classify("::ffff:" + text) == address_class);
  } else if (!has_nul && inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) {
    FUZZ_CHECK(address_class == classify(v6));
  } else {
    FUZZ_CHECK(!address_class.has_value());  // "nullopt if not one"
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check_literal(fuzz::as_text(data, size));
  if (size >= 4) check_ipv4({data[0], data[1], data[2], data[3]});
  if (size >= 16) {
    Ipv6Bytes v6;
    std::memcpy(v6.data(), data, v6.size());
    check_ipv6(v6);
  }
  return 0;
}
