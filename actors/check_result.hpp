#pragma once

#include <string>

#include <caf/meta/type_name.hpp>

namespace cdpd::actors {

/// Outcome of one readiness check (PostgreSQL, Redis, ...).
struct check_result {
  bool up = false;
  double latency_ms = 0;
  std::string error; ///< why it is down; empty when up
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, check_result& x) {
  return f(caf::meta::type_name("check_result"), x.up, x.latency_ms, x.error);
}

} // namespace cdpd::actors
