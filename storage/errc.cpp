#include "storage/errc.hpp"

#include <caf/atom.hpp>
#include <caf/message.hpp>

namespace cdpd::storage {

const char* to_string(errc code) {
  switch (code) {
  case errc::pool_exhausted:
    return "pool_exhausted";
  case errc::connection_failed:
    return "connection_failed";
  case errc::connection_lost:
    return "connection_lost";
  case errc::statement_timeout:
    return "statement_timeout";
  case errc::query_failed:
    return "query_failed";
  case errc::migration_failed:
    return "migration_failed";
  case errc::migration_changed:
    return "migration_changed";
  case errc::redis_unavailable:
    return "redis_unavailable";
  case errc::redis_error:
    return "redis_error";
  case errc::embedded_failed:
    return "embedded_failed";
  case errc::closed:
    return "closed";
  case errc::invalid_url:
    return "invalid_url";
  case errc::migration_invalid:
    return "migration_invalid";
  case errc::not_empty:
    return "not_empty";
  case errc::invalid_argument:
    return "invalid_argument";
  }
  return "unknown";
}

std::string describe(const caf::error& err) {
  if (!err)
    return "no error";
  const auto& ctx = err.context();
  if (err.category() == caf::atom("storage") &&
      ctx.match_elements<std::string>())
    return ctx.get_as<std::string>(0);
  return caf::to_string(err);
}

} // namespace cdpd::storage
