#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/limits/rate_plan.hpp"

/// The messages and interfaces of the limiter hosts and the limiter
/// actors. Every message is a plain, registered type (see
/// add_limit_types), so a host may run on another node than its caller.
namespace cdpd::actors::limits {

/// The answer to one limit_query, with what the RateLimit-* and
/// Retry-After headers need. When several rates apply, the figures are
/// those of the rate with the fewest remaining requests (the refusing one
/// when refused).
struct verdict {
  bool allowed = true;
  std::string rate_name;           ///< empty when no rate applied
  int64_t limit = 0;               ///< RateLimit-Limit
  int64_t remaining = 0;           ///< RateLimit-Remaining
  int64_t reset_seconds = 0;       ///< RateLimit-Reset (rounded up)
  int64_t retry_after_seconds = 0; ///< Retry-After when refused (rounded up)
  /// When refused: milliseconds until the same request would be allowed,
  /// from the GCRA state (rounded up to a whole millisecond, at least 1), for
  /// callers that wait rather than answer with a header; 0 when allowed.
  int64_t retry_after_ms = 0;
  /// The key's limiter host runs on another node that cannot be reached
  /// now (it is frozen, just died, or is cut off): refused without a
  /// decision, so that the caller answers 503 rather than 429, and so that
  /// losing a node never admits what its limiter would have refused.
  bool unavailable = false;

  friend bool operator==(const verdict&, const verdict&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, verdict& x) {
  return f(caf::meta::type_name("cdpd::limits::verdict"), x.allowed,
           x.rate_name, x.limit, x.remaining, x.reset_seconds,
           x.retry_after_seconds, x.retry_after_ms, x.unavailable);
}

/// One question to a limiter: is a request of `cost` allowed for `key`
/// under `rates`?
struct limit_query {
  std::string key;         ///< "account:<id>", "apikey:<prefix>", "ip:<addr>"
  std::vector<rate> rates; ///< each tracked under its name
  int64_t cost = 1;
  /// True: only report whether a request of `cost` would be allowed, and
  /// record nothing (the login throttle asks before checking a password
  /// and charges only failures).
  bool peek = false;

  friend bool operator==(const limit_query&, const limit_query&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, limit_query& x) {
  return f(caf::meta::type_name("cdpd::limits::limit_query"), x.key, x.rates,
           x.cost, x.peek);
}

/// A limiter host: `(limit_atom, limit_query)` -> verdict, answered by the
/// key's limiter actor, which the host spawns on first use;
/// `(caf::idle_atom, key, handled)` from a limiter: "I have been idle and
/// my state is fresh; stop me if you sent me no more than `handled`
/// requests".
using limiter_host_actor =
    caf::typed_actor<caf::replies_to<limit_atom, limit_query>::with<verdict>,
                     caf::reacts_to<caf::idle_atom, std::string, uint64_t>>;

/// Anything that answers limit queries: a limiter host on this node, or
/// the node agent of the member that owns the key's host.
using limit_answer_actor =
    caf::typed_actor<caf::replies_to<limit_atom, limit_query>::with<verdict>>;

/// The limiter of one key: `(limit_atom, limit_query)` -> verdict (charged
/// only when every rate allows it and it is no peek); `(caf::ok_atom)`
/// from its host: "you are out of my map: quit"; `(tick_atom)`: its own
/// idle timer.
using limiter_key_actor =
    caf::typed_actor<caf::replies_to<limit_atom, limit_query>::with<verdict>,
                     caf::reacts_to<caf::ok_atom>, caf::reacts_to<tick_atom>>;

/// Registers the limiter messages under their wire names.
void add_limit_types(caf::actor_system_config& cfg);

} // namespace cdpd::actors::limits
