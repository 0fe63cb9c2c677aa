#include "delivery/ssrf.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <string>
#include <vector>

// Pure-function tests: nothing here opens a socket.
namespace switchboard::delivery::ssrf {
namespace {

using C = AddressClass;

struct Case {
  std::string literal;
  AddressClass want;
};

void expect_all(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    const auto got = classify(c.literal);
    ASSERT_TRUE(got.has_value()) << c.literal;
    EXPECT_EQ(to_string(*got), to_string(c.want)) << c.literal;
  }
}

TEST(SsrfClassifyTest, Ipv4SpecialPurposeRanges) {
  expect_all({
      {"0.0.0.0", C::kUnspecified},       {"0.0.0.1", C::kReserved},
      {"0.255.255.255", C::kReserved},    {"1.0.0.0", C::kPublic},
      {"9.255.255.255", C::kPublic},      {"10.0.0.0", C::kPrivate},
      {"10.1.2.3", C::kPrivate},          {"10.255.255.255", C::kPrivate},
      {"11.0.0.0", C::kPublic},           {"100.63.255.255", C::kPublic},
      {"100.64.0.0", C::kCgnat},          {"100.127.255.255", C::kCgnat},
      {"100.128.0.0", C::kPublic},        {"126.255.255.255", C::kPublic},
      {"127.0.0.1", C::kLoopback},        {"127.0.0.0", C::kLoopback},
      {"127.255.255.254", C::kLoopback},  {"128.0.0.0", C::kPublic},
      {"169.253.255.255", C::kPublic},    {"169.254.0.1", C::kLinkLocal},
      {"169.254.255.255", C::kLinkLocal}, {"169.255.0.0", C::kPublic},
      {"172.15.255.255", C::kPublic},     {"172.16.0.0", C::kPrivate},
      {"172.31.255.255", C::kPrivate},    {"172.32.0.0", C::kPublic},
      {"192.0.0.0", C::kReserved},        {"192.0.0.255", C::kReserved},
      {"192.0.1.0", C::kPublic},          {"192.0.2.0", C::kDocumentation},
      {"192.0.2.255", C::kDocumentation}, {"192.0.3.0", C::kPublic},
      {"192.88.99.1", C::kReserved},      {"192.167.255.255", C::kPublic},
      {"192.168.0.0", C::kPrivate},       {"192.168.255.255", C::kPrivate},
      {"192.169.0.0", C::kPublic},        {"198.17.255.255", C::kPublic},
      {"198.18.0.0", C::kBenchmarking},   {"198.19.255.255", C::kBenchmarking},
      {"198.20.0.0", C::kPublic},         {"198.51.100.7", C::kDocumentation},
      {"203.0.113.9", C::kDocumentation}, {"203.0.114.0", C::kPublic},
      {"223.255.255.255", C::kPublic},    {"224.0.0.0", C::kMulticast},
      {"239.255.255.255", C::kMulticast}, {"240.0.0.0", C::kReserved},
      {"254.255.255.255", C::kReserved},  {"255.255.255.254", C::kReserved},
      {"255.255.255.255", C::kBroadcast}, {"8.8.8.8", C::kPublic},
      {"93.184.216.34", C::kPublic},
  });
}

TEST(SsrfClassifyTest, Ipv4MetadataAddresses) {
  expect_all({
      {"169.254.169.254", C::kMetadata},
      {"169.254.170.2", C::kMetadata},
      {"169.254.170.23", C::kMetadata},
      {"100.100.100.200", C::kMetadata},
      {"192.0.0.192", C::kMetadata},
      {"169.254.169.253", C::kLinkLocal},
  });
}

TEST(SsrfClassifyTest, Ipv6Ranges) {
  expect_all({
      {"::", C::kUnspecified},
      {"::1", C::kLoopback},
      {"0:0:0:0:0:0:0:1", C::kLoopback},
      {"fc00::1", C::kPrivate},
      {"fd12:3456:789a::1", C::kPrivate},
      {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", C::kPrivate},
      {"fe80::1", C::kLinkLocal},
      {"febf:ffff::1", C::kLinkLocal},
      {"fec0::1", C::kPrivate},
      {"ff00::", C::kMulticast},
      {"ff02::1", C::kMulticast},
      {"ff05::1:3", C::kMulticast},
      {"2001:db8::", C::kDocumentation},
      {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", C::kDocumentation},
      {"2001:db9::1", C::kPublic},
      {"3fff::1", C::kDocumentation},
      {"3fff:0fff::1", C::kDocumentation},
      {"3fff:1000::1", C::kPublic},
      {"2001:2::1", C::kBenchmarking},
      {"2001:10::1", C::kReserved},
      {"2001:20::1", C::kReserved},
      {"100::1", C::kReserved},
      {"5f00::1", C::kReserved},
      {"64:ff9b:1::1", C::kPrivate},
      {"64:ff9b:1:ffff::808:808", C::kPrivate},
      {"2606:4700:4700::1111", C::kPublic},
      {"2a00:1450:4001:82b::200e", C::kPublic},
      {"3ffe::1", C::kPublic},
      {"4000::1", C::kReserved},  // outside 2000::/3
      {"1::1", C::kReserved},
      {"e000::1", C::kReserved},
      {"fd00:ec2::254", C::kMetadata},
      {"fd00:ec2::23", C::kMetadata},
      {"fd00:ec2::255", C::kPrivate},
  });
}

TEST(SsrfClassifyTest, Ipv6FormsEmbeddingIpv4AreClassifiedByTheEmbeddedAddress) {
  expect_all({
      // IPv4-mapped.
      {"::ffff:127.0.0.1", C::kLoopback},
      {"::ffff:7f00:1", C::kLoopback},
      {"::ffff:10.0.0.1", C::kPrivate},
      {"::ffff:169.254.169.254", C::kMetadata},
      {"::ffff:100.64.0.1", C::kCgnat},
      {"::ffff:0.0.0.0", C::kUnspecified},
      {"::ffff:8.8.8.8", C::kPublic},
      // IPv4-compatible (deprecated).
      {"::127.0.0.1", C::kLoopback},
      {"::10.0.0.1", C::kPrivate},
      {"::8.8.8.8", C::kPublic},
      {"::2", C::kReserved},  // ::0.0.0.2
      // IPv4-translated (SIIT).
      {"::ffff:0:127.0.0.1", C::kLoopback},
      {"::ffff:0:8.8.8.8", C::kPublic},
      // NAT64 well-known prefix.
      {"64:ff9b::127.0.0.1", C::kLoopback},
      {"64:ff9b::a9fe:a9fe", C::kMetadata},
      {"64:ff9b::192.168.1.1", C::kPrivate},
      {"64:ff9b::8.8.8.8", C::kPublic},
      // 6to4: 2002:AABB:CCDD::/48 embeds AA.BB.CC.DD.
      {"2002:7f00:1::", C::kLoopback},
      {"2002:a00:1::1", C::kPrivate},
      {"2002:a9fe:a9fe::", C::kMetadata},
      {"2002:c0a8:101::1", C::kPrivate},
      {"2002:808:808::1", C::kPublic},
      // Teredo: the client address is the inverted last 32 bits.
      {"2001:0:4136:e378:8000:63bf:80ff:fffe", C::kLoopback},  // ~80ff:fffe = 127.0.0.1
      {"2001:0:4136:e378:8000:63bf:f5ff:fffe", C::kPrivate},   // 10.0.0.1
      {"2001:0:4136:e378:8000:63bf:3fd7:f7f7", C::kPublic},    // 192.40.8.8
  });
}

TEST(SsrfClassifyTest, LoopbackSpellingsAllClassifyAsLoopback) {
  for (const char* literal :
       {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "0:0:0:0:0:ffff:7f00:0001"}) {
    EXPECT_EQ(classify(std::string_view(literal)), C::kLoopback) << literal;
  }
}

TEST(SsrfClassifyTest, NonLiteralsAreNotClassified) {
  for (const char* text : {"", "localhost", "example.com", "[::1]", "127.1", "0x7f000001", "2130706433",
                           "fe80::1%eth0", "1.2.3.4.5", "::1::"}) {
    EXPECT_FALSE(classify(std::string_view(text)).has_value()) << text;
  }
  // Found by fuzz/ssrf_fuzz.cc: an address followed by a NUL is not a literal.
  using namespace std::string_view_literals;
  for (auto text : {"10.0.0.1\0"sv, "127.0.0.1\0evil.example"sv, "::1\0"sv, "\0"sv}) {
    EXPECT_FALSE(classify(text).has_value()) << text.size();
  }
}

TEST(SsrfClassifyTest, SocketAddresses) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  ASSERT_EQ(inet_pton(AF_INET, "169.254.169.254", &v4.sin_addr), 1);
  EXPECT_EQ(classify(reinterpret_cast<const sockaddr*>(&v4), sizeof(v4)), C::kMetadata);
  EXPECT_FALSE(classify(reinterpret_cast<const sockaddr*>(&v4), sizeof(v4) - 1).has_value());

  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  ASSERT_EQ(inet_pton(AF_INET6, "::ffff:192.168.0.1", &v6.sin6_addr), 1);
  EXPECT_EQ(classify(reinterpret_cast<const sockaddr*>(&v6), sizeof(v6)), C::kPrivate);
  ASSERT_EQ(inet_pton(AF_INET6, "2606:4700::1", &v6.sin6_addr), 1);
  EXPECT_EQ(classify(reinterpret_cast<const sockaddr*>(&v6), sizeof(v6)), C::kPublic);

  sockaddr_un unix_address{};
  unix_address.sun_family = AF_UNIX;
  EXPECT_FALSE(classify(reinterpret_cast<const sockaddr*>(&unix_address), sizeof(unix_address)).has_value());
  EXPECT_FALSE(classify(nullptr, 0).has_value());
}

TEST(SsrfIsAllowedTest, PolicyTable) {
  struct Row {
    AddressClass address_class;
    bool allowed_by_default;
    bool allowed_with_private_networks;
  };
  const std::vector<Row> rows = {
      {C::kPublic, true, true},        {C::kUnspecified, false, false}, {C::kLoopback, false, true},
      {C::kPrivate, false, true},      {C::kLinkLocal, false, true},    {C::kCgnat, false, true},
      {C::kMulticast, false, false},   {C::kBroadcast, false, false},   {C::kDocumentation, false, false},
      {C::kBenchmarking, false, true}, {C::kReserved, false, false},    {C::kMetadata, false, false},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(is_allowed(row.address_class, false), row.allowed_by_default) << to_string(row.address_class);
    EXPECT_EQ(is_allowed(row.address_class, true), row.allowed_with_private_networks)
        << to_string(row.address_class);
  }
}

TEST(SsrfIsAllowedTest, MetadataIsRefusedEvenWhenPrivateNetworksAreAllowed) {
  for (const char* literal :
       {"169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254", "64:ff9b::a9fe:a9fe"}) {
    const auto got = classify(std::string_view(literal));
    ASSERT_TRUE(got.has_value()) << literal;
    EXPECT_FALSE(is_allowed(*got, true)) << literal;
  }
}

}  // namespace
}  // namespace switchboard::delivery::ssrf
