#pragma once

#include <string>

#include <caf/expected.hpp>

namespace cdpd::storage {

/// Where a Redis server is and how to log in.
struct redis_endpoint {
  std::string host;
  int port = 6379;
  std::string username; ///< empty: AUTH with the password only
  std::string password; ///< empty: no AUTH
  int db = 0;           ///< SELECTed after connecting when not 0
};

/// Parses `redis://[[user]:password@]host[:port][/db]`. The host may be an
/// IPv6 literal in brackets; user and password may be percent-encoded.
/// Fails with errc::invalid_url saying what is wrong (other schemes such as
/// rediss:// and unix://, query parameters, bad port or db number, a
/// password without ':').
caf::expected<redis_endpoint> parse_redis_url(const std::string& url);

} // namespace cdpd::storage
