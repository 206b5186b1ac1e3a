#pragma once

#include <string>
#include <string_view>

namespace cdpd::net {

/// The part of a client address that limits and throttles count by: an
/// IPv4 address as it is, an IPv6 address by its /64 prefix (one customer
/// line or host usually holds a whole /64, so rotating the low bits must
/// not buy fresh limits), an IPv4-mapped IPv6 address as its IPv4 address.
/// Text that is no address comes back unchanged.
std::string address_group(std::string_view address);

} // namespace cdpd::net
