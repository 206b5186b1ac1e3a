#pragma once

#include <exception>
#include <string>

#include <caf/error.hpp>

/// Translation of libpqxx exceptions into storage errors. Private to
/// storage/: other modules only ever see the resulting caf::error.
namespace cdpd::storage::internal {

/// A translated failure and what it means for the connection it came from.
struct pg_failure {
  caf::error error;
  /// The connection broke (or its state is unknown): discard it.
  bool discard_connection = false;
};

/// Maps a libpqxx (or other) exception thrown while using an open connection:
/// broken_connection and in_doubt_error -> errc::connection_lost (discard),
/// SQLSTATE 57014 -> errc::statement_timeout, SQLSTATE classes 08 and
/// 57P01-57P03 -> errc::connection_lost (discard), any other sql_error ->
/// errc::query_failed naming the SQLSTATE, anything else -> errc::query_failed.
pg_failure translate_pg_exception(std::exception_ptr ex);

/// Maps an exception thrown while opening a connection to
/// errc::connection_failed; the message names the target and libpq's reason.
caf::error translate_connect_exception(std::exception_ptr ex,
                                       const std::string& conninfo);

/// libpq messages end in newlines and tabs; this makes them one tidy line.
std::string one_line(std::string text);

} // namespace cdpd::storage::internal
