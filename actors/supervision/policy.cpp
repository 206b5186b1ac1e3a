#include "actors/supervision/policy.hpp"

#include <caf/exit_reason.hpp>
#include <caf/sec.hpp>

#include "actors/supervision/errc.hpp"
#include "storage/errc.hpp"

namespace cdpd::actors {

bool default_is_failure(const caf::error& err) {
  if (!err)
    return false;
  return err != storage::errc::query_failed &&
         err != storage::errc::redis_error && err != errc::circuit_open;
}

bool default_is_retryable(const caf::error& err) {
  return err == caf::sec::request_timeout ||
         err == caf::sec::request_receiver_down ||
         err == errc::child_unavailable ||
         err == storage::errc::pool_exhausted ||
         err == storage::errc::connection_failed ||
         err == storage::errc::connection_lost ||
         err == storage::errc::redis_unavailable;
}

const char* to_string(restart_strategy s) {
  switch (s) {
  case restart_strategy::one_for_one:
    return "one_for_one";
  case restart_strategy::one_for_all:
    return "one_for_all";
  case restart_strategy::rest_for_one:
    return "rest_for_one";
  }
  return "unknown";
}

const char* to_string(restart_kind k) {
  switch (k) {
  case restart_kind::permanent:
    return "permanent";
  case restart_kind::transient:
    return "transient";
  case restart_kind::temporary:
    return "temporary";
  }
  return "unknown";
}

} // namespace cdpd::actors
