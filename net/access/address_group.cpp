#include "net/access/address_group.hpp"

#include <arpa/inet.h>

#include <cstdio>

namespace cdpd::net {

std::string address_group(std::string_view address) {
  std::string text{address};
  in6_addr v6{};
  if (::inet_pton(AF_INET6, text.c_str(), &v6) != 1)
    return text;
  const auto* b = v6.s6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    char v4[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, b + 12, v4, sizeof v4);
    return v4;
  }
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "%x:%x:%x:%x::/64", b[0] << 8 | b[1],
                b[2] << 8 | b[3], b[4] << 8 | b[5], b[6] << 8 | b[7]);
  return prefix;
}

} // namespace cdpd::net
