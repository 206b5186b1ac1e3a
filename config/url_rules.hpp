#pragma once

#include <string>
#include <string_view>

/// Checks for the connection strings cdpd accepts. Each returns an empty
/// string when the text is acceptable, otherwise what is wrong with it,
/// phrased to follow the (masked, quoted) value.
namespace cdpd::config {

/// Empty (embedded PostgreSQL), a postgresql:// or postgres:// URL, or a libpq
/// key=value conninfo (any text containing '=').
std::string check_postgres_url(std::string_view text);

/// Empty (no Redis) or redis://[[user]:password@]host[:port][/db] with a port
/// in 1..65535 and a numeric database.
std::string check_redis_url(std::string_view text);

/// Not empty.
std::string check_not_empty(std::string_view text);

} // namespace cdpd::config
