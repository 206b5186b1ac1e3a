#pragma once

#include <string>

#include <caf/expected.hpp>

/// Helpers for libpq connection strings, which come either as URLs
/// ("postgresql://user@host:port/db") or as keyword lists
/// ("host=... port=... dbname=...").
namespace cdpd::storage {

/// Where a connection string points, without its password.
struct pg_target {
  std::string host;   ///< empty: libpq's default (Unix socket)
  std::string port;   ///< empty: libpq's default (5432)
  std::string dbname; ///< empty: same as the user name
  std::string user;   ///< empty: the operating-system user
};

/// Parses a URL or keyword connection string with libpq's own parser.
/// Fails with errc::invalid_url and libpq's reason.
caf::expected<pg_target> parse_pg_target(const std::string& conninfo);

/// "host 127.0.0.1 port 25432 database cdpd" for messages; never contains the
/// password. Falls back to "an unparsable connection string".
std::string describe_pg_target(const std::string& conninfo);

/// Returns `conninfo` with `key=value` added unless it already sets `key`.
/// Works for both URLs (adds a query parameter) and keyword lists. `value`
/// must not need quoting or percent-encoding (digits, letters, '-', '_').
std::string with_pg_param(const std::string& conninfo, const std::string& key,
                          const std::string& value);

} // namespace cdpd::storage
