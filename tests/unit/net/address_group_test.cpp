// Rotating the low 64 bits of an IPv6 address must not buy an attacker fresh
// login attempts or rate limits.
#include "net/access/address_group.hpp"

#include <gtest/gtest.h>

namespace cdpd::net {
namespace {

TEST(AddressGroup, RotatingIpv6AddressesOfOneSlash64ShareAGroup) {
  auto group = address_group("2001:db8:1:2::1");
  EXPECT_EQ(group, "2001:db8:1:2::/64");
  for (const char* rotated :
       {"2001:db8:1:2:aaaa:bbbb:cccc:dddd",
        "2001:0db8:0001:0002:ffff::", "2001:db8:1:2:1:2:3:4"})
    EXPECT_EQ(address_group(rotated), group) << rotated;
  EXPECT_NE(address_group("2001:db8:1:3::1"), group);
}

TEST(AddressGroup, Ipv4AndMappedIpv4AreTheAddressItself) {
  EXPECT_EQ(address_group("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(address_group("::ffff:203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(address_group("not an address"), "not an address");
}

} // namespace
} // namespace cdpd::net
