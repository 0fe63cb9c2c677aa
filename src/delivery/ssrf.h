// SSRF guard: classifies the IP address a delivery is about to connect to,
// and says whether connecting is allowed (architecture.md §4).
//
// Pure functions, no I/O, no DNS: the HTTP client calls classify() on the
// exact socket address libcurl is about to connect to (after resolution), so
// there is no window between the check and the connect (no DNS rebinding).
//
// Forms that embed an IPv4 address (IPv4-mapped, IPv4-compatible,
// IPv4-translated, NAT64 64:ff9b::/96, 6to4, Teredo) are classified by the
// embedded address: ::ffff:127.0.0.1 is loopback, 2002:0a00:0001:: is private.
// IPv6 outside 2000::/3 (global unicast) that no rule names is kReserved.
// Thread-safe.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace switchboard::delivery::ssrf {

enum class AddressClass {
  kPublic,         // globally routable unicast
  kUnspecified,    // 0.0.0.0, ::
  kLoopback,       // 127/8, ::1
  kPrivate,        // 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10, 64:ff9b:1::/48
  kLinkLocal,      // 169.254/16, fe80::/10
  kCgnat,          // 100.64/10 (shared address space)
  kMulticast,      // 224/4, ff00::/8
  kBroadcast,      // 255.255.255.255
  kDocumentation,  // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20
  kBenchmarking,   // 198.18/15, 2001:2::/48
  kReserved,       // 0/8, 192.0.0/24, 192.88.99/24, 240/4, 100::/64, non-global IPv6 …
  kMetadata,       // cloud instance metadata: 169.254.169.254, fd00:ec2::254, …
};

std::string_view to_string(AddressClass address_class);

using Ipv4Bytes = std::array<std::uint8_t, 4>;   // network order
using Ipv6Bytes = std::array<std::uint8_t, 16>;  // network order

AddressClass classify(const Ipv4Bytes& address);
AddressClass classify(const Ipv6Bytes& address);
// An AF_INET or AF_INET6 socket address; nullopt for any other family or a short length.
std::optional<AddressClass> classify(const sockaddr* address, socklen_t length);
// An IP literal ("10.0.0.1", "::ffff:10.0.0.1"; no brackets, no zone); nullopt if not one.
std::optional<AddressClass> classify(std::string_view literal);

// Whether a delivery may connect to an address of this class. Only kPublic is
// allowed by default. `allow_private_networks` (local development, tests)
// also allows loopback, private, link-local, CGNAT and benchmarking networks;
// metadata, multicast, broadcast, unspecified, documentation and reserved
// addresses are never allowed.
bool is_allowed(AddressClass address_class, bool allow_private_networks);

}  // namespace switchboard::delivery::ssrf
