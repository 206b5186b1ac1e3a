#pragma once

#include <string>

#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"

namespace cdpd::actors {

/// Outcome of one readiness check (PostgreSQL, Redis, ...).
struct check_result {
  bool up = false;
  double latency_ms = 0;
  std::string error; ///< why it is down; empty when up

  friend bool operator==(const check_result&, const check_result&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, check_result& x) {
  return f(caf::meta::type_name("cdpd::check_result"), x.up, x.latency_ms,
           x.error);
}

/// What readiness asks (the db actors, the Redis actor, through their
/// supervision proxies): `(check_atom)` -> check_result.
using checkable =
    caf::typed_actor<caf::replies_to<check_atom>::with<check_result>>;

} // namespace cdpd::actors
