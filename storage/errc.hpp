#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/sec.hpp>

/// Error codes of the storage module. Driver exceptions (libpqxx) and hiredis
/// error replies never leave storage/: they become one of these, with the
/// driver's text as context.
namespace cdpd::storage {

enum class errc : uint8_t {
  pool_exhausted = 1, ///< no connection free within the acquire timeout
  connection_failed,  ///< could not connect (bad URL, server down)
  connection_lost,    ///< the connection broke during a call
  statement_timeout,  ///< PostgreSQL cancelled the statement
  query_failed,       ///< any other SQL error
  migration_failed,   ///< a migration's SQL failed
  migration_changed,  ///< an applied migration's file no longer matches
  redis_unavailable,  ///< Redis not reachable
  redis_error,        ///< Redis answered with an error reply
  embedded_failed,    ///< the embedded PostgreSQL could not start
  closed,             ///< the pool is shutting down
  invalid_url,        ///< a connection URL could not be parsed
  migration_invalid,  ///< a migration set or file name breaks the rules
  not_empty,          ///< the database already holds data (seeding refused)
  invalid_argument,   ///< a caller passed options that cannot be honoured
};

/// Name of a code, for logs and problem bodies ("pool_exhausted").
const char* to_string(errc code);

/// Builds a storage error carrying a human-readable explanation.
inline caf::error make_error(errc code, std::string what) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("storage"),
                    caf::make_message(std::move(what))};
}

/// The explanation stored in an error made by make_error, or its rendering.
std::string describe(const caf::error& err);

} // namespace cdpd::storage

CAF_ERROR_CODE_ENUM(cdpd::storage::errc, "storage")
