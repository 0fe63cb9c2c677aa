#include "delivery/ssrf.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

namespace switchboard::delivery::ssrf {

namespace {

struct Ipv4Rule {
  std::uint32_t prefix;  // host order
  int bits;
  AddressClass address_class;
};

constexpr std::uint32_t ipv4(int a, int b, int c, int d) {
  return (static_cast<std::uint32_t>(a) << 24) | (static_cast<std::uint32_t>(b) << 16) |
         (static_cast<std::uint32_t>(c) << 8) | static_cast<std::uint32_t>(d);
}

// IANA IPv4 special-purpose registry (RFC 6890 and successors), most specific
// first: the first matching rule wins.
constexpr Ipv4Rule kIpv4Rules[] = {
    {ipv4(255, 255, 255, 255), 32, AddressClass::kBroadcast},
    {ipv4(0, 0, 0, 0), 32, AddressClass::kUnspecified},
    {ipv4(169, 254, 169, 254), 32, AddressClass::kMetadata},  // AWS, GCP, Azure, OpenStack …
    {ipv4(169, 254, 170, 2), 32, AddressClass::kMetadata},    // AWS ECS task metadata
    {ipv4(169, 254, 170, 23), 32, AddressClass::kMetadata},   // AWS EKS pod identity
    {ipv4(100, 100, 100, 200), 32, AddressClass::kMetadata},  // Alibaba Cloud
    {ipv4(192, 0, 0, 192), 32, AddressClass::kMetadata},      // Oracle Cloud
    {ipv4(0, 0, 0, 0), 8, AddressClass::kReserved},           // "this network"
    {ipv4(10, 0, 0, 0), 8, AddressClass::kPrivate},
    {ipv4(100, 64, 0, 0), 10, AddressClass::kCgnat},
    {ipv4(127, 0, 0, 0), 8, AddressClass::kLoopback},
    {ipv4(169, 254, 0, 0), 16, AddressClass::kLinkLocal},
    {ipv4(172, 16, 0, 0), 12, AddressClass::kPrivate},
    {ipv4(192, 0, 0, 0), 24, AddressClass::kReserved},  // IETF protocol assignments
    {ipv4(192, 0, 2, 0), 24, AddressClass::kDocumentation},
    {ipv4(192, 88, 99, 0), 24, AddressClass::kReserved},  // deprecated 6to4 relay anycast
    {ipv4(192, 168, 0, 0), 16, AddressClass::kPrivate},
    {ipv4(198, 18, 0, 0), 15, AddressClass::kBenchmarking},
    {ipv4(198, 51, 100, 0), 24, AddressClass::kDocumentation},
    {ipv4(203, 0, 113, 0), 24, AddressClass::kDocumentation},
    {ipv4(224, 0, 0, 0), 4, AddressClass::kMulticast},
    {ipv4(240, 0, 0, 0), 4, AddressClass::kReserved},
};

struct Ipv6Rule {
  Ipv6Bytes prefix;
  int bits;
  AddressClass address_class;
};

constexpr Ipv6Bytes ipv6(std::uint16_t g0, std::uint16_t g1 = 0, std::uint16_t g2 = 0, std::uint16_t g7 = 0) {
  Ipv6Bytes bytes{};
  const std::uint16_t groups[8] = {g0, g1, g2, 0, 0, 0, 0, g7};
  for (std::size_t i = 0; i < 8; ++i) {
    bytes[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
    bytes[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xff);
  }
  return bytes;
}

// Rules for IPv6 forms that do not embed an IPv4 address, most specific first.
constexpr Ipv6Rule kIpv6Rules[] = {
    {ipv6(0xfd00, 0x0ec2, 0, 0x0254), 128, AddressClass::kMetadata},  // AWS IMDS
    {ipv6(0xfd00, 0x0ec2, 0, 0x0023), 128, AddressClass::kMetadata},  // AWS EKS pod identity
    {ipv6(0x0064, 0xff9b, 0x0001), 48, AddressClass::kPrivate},       // local-use NAT64 (RFC 8215)
    {ipv6(0x0100), 64, AddressClass::kReserved},                      // discard-only
    {ipv6(0x2001, 0x0002), 48, AddressClass::kBenchmarking},
    {ipv6(0x2001, 0x0010), 28, AddressClass::kReserved},  // ORCHID (deprecated)
    {ipv6(0x2001, 0x0020), 28, AddressClass::kReserved},  // ORCHIDv2
    {ipv6(0x2001, 0x0db8), 32, AddressClass::kDocumentation},
    {ipv6(0x3fff), 20, AddressClass::kDocumentation},
    {ipv6(0x5f00), 16, AddressClass::kReserved},  // SRv6 SIDs
    {ipv6(0xfc00), 7, AddressClass::kPrivate},    // unique local
    {ipv6(0xfe80), 10, AddressClass::kLinkLocal},
    {ipv6(0xfec0), 10, AddressClass::kPrivate},  // site-local (deprecated)
    {ipv6(0xff00), 8, AddressClass::kMulticast},
};

bool has_prefix(const Ipv6Bytes& address, const Ipv6Bytes& prefix, int bits) {
  const int whole = bits / 8;
  if (std::memcmp(address.data(), prefix.data(), static_cast<std::size_t>(whole)) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (address[static_cast<std::size_t>(whole)] & mask) ==
         (prefix[static_cast<std::size_t>(whole)] & mask);
}

bool all_zero(const Ipv6Bytes& address, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    if (address[i] != 0) return false;
  }
  return true;
}

Ipv4Bytes ipv4_at(const Ipv6Bytes& address, std::size_t offset) {
  return {address[offset], address[offset + 1], address[offset + 2], address[offset + 3]};
}

// The IPv4 address an IPv6 address carries, for the forms that route to it.
std::optional<Ipv4Bytes> embedded_ipv4(const Ipv6Bytes& address) {
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, deprecated), ::ffff:0:a.b.c.d (translated).
  if (all_zero(address, 0, 10) && address[10] == 0xff && address[11] == 0xff) return ipv4_at(address, 12);
  if (all_zero(address, 0, 12)) return ipv4_at(address, 12);
  if (all_zero(address, 0, 8) && address[8] == 0xff && address[9] == 0xff && address[10] == 0 &&
      address[11] == 0) {
    return ipv4_at(address, 12);
  }
  if (has_prefix(address, ipv6(0x0064, 0xff9b), 96)) return ipv4_at(address, 12);  // NAT64 well-known
  if (has_prefix(address, ipv6(0x2002), 16)) return ipv4_at(address, 2);           // 6to4
  if (has_prefix(address, ipv6(0x2001, 0x0000), 32)) {
    // Teredo: the client's IPv4 address is the last 32 bits, inverted.
    Ipv4Bytes client = ipv4_at(address, 12);
    for (auto& byte : client) byte = static_cast<std::uint8_t>(~byte);
    return client;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(AddressClass address_class) {
  switch (address_class) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kCgnat:
      return "cgnat";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kBroadcast:
      return "broadcast";
    case AddressClass::kDocumentation:
      return "documentation";
    case AddressClass::kBenchmarking:
      return "benchmarking";
    case AddressClass::kReserved:
      return "reserved";
    case AddressClass::kMetadata:
      return "metadata";
  }
  return "unknown";
}

AddressClass classify(const Ipv4Bytes& address) {
  const std::uint32_t value = ipv4(address[0], address[1], address[2], address[3]);
  for (const auto& rule : kIpv4Rules) {
    const std::uint32_t mask = rule.bits == 0 ? 0 : ~std::uint32_t{0} << (32 - rule.bits);
    if ((value & mask) == (rule.prefix & mask)) return rule.address_class;
  }
  return AddressClass::kPublic;
}

AddressClass classify(const Ipv6Bytes& address) {
  if (all_zero(address, 0, 16)) return AddressClass::kUnspecified;
  if (all_zero(address, 0, 15) && address[15] == 1) return AddressClass::kLoopback;
  if (auto v4 = embedded_ipv4(address)) return classify(*v4);
  for (const auto& rule : kIpv6Rules) {
    if (has_prefix(address, rule.prefix, rule.bits)) return rule.address_class;
  }
  // Only 2000::/3 is allocated for global unicast.
  if ((address[0] & 0xe0) != 0x20) return AddressClass::kReserved;
  return AddressClass::kPublic;
}

std::optional<AddressClass> classify(const sockaddr* address, socklen_t length) {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof(in));
    Ipv4Bytes bytes;
    std::memcpy(bytes.data(), &in.sin_addr, bytes.size());
    return classify(bytes);
  }
  if (address->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof(in6));
    Ipv6Bytes bytes;
    std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
    return classify(bytes);
  }
  return std::nullopt;
}

std::optional<AddressClass> classify(std::string_view literal) {
  // inet_pton reads a C string: "10.0.0.1\0…" would pass as 10.0.0.1.
  if (literal.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string text(literal);
  Ipv4Bytes v4;
  if (inet_pton(AF_INET, text.c_str(), v4.data()) == 1) return classify(v4);
  Ipv6Bytes v6;
  if (inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) return classify(v6);
  return std::nullopt;
}

bool is_allowed(AddressClass address_class, bool allow_private_networks) {
  switch (address_class) {
    case AddressClass::kPublic:
      return true;
    case AddressClass::kLoopback:
    case AddressClass::kPrivate:
    case AddressClass::kLinkLocal:
    case AddressClass::kCgnat:
    case AddressClass::kBenchmarking:
      return allow_private_networks;
    case AddressClass::kUnspecified:
    case AddressClass::kMulticast:
    case AddressClass::kBroadcast:
    case AddressClass::kDocumentation:
    case AddressClass::kReserved:
    case AddressClass::kMetadata:
      return false;
  }
  return false;
}

}  // namespace switchboard::delivery::ssrf
