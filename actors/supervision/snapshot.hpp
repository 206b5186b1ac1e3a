#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"

/// What the inspection messages answer: plain data the admin endpoints turn
/// into JSON. Registered (add_supervision_types), so an operator's node
/// can inspect another node's tree. Optional fields are caf::optional,
/// which CAF 0.17 serialises (std::optional it does not).
namespace cdpd::actors {

/// One circuit breaker as an operator sees it.
struct breaker_snapshot {
  std::string name;    ///< the child's registry name
  std::string state;   ///< closed | half_open | open
  bool forced = false; ///< opened by hand; stays open until reset
  int consecutive_failures = 0;
  int64_t reset_timeout_ms = 0;
  /// Wall-clock time (unix ms) of the next probe; 0 unless open and not
  /// forced.
  int64_t next_probe_unix_ms = 0;

  friend bool operator==(const breaker_snapshot&,
                         const breaker_snapshot&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, breaker_snapshot& x) {
  return f(caf::meta::type_name("cdpd::breaker_snapshot"), x.name, x.state,
           x.forced, x.consecutive_failures, x.reset_timeout_ms,
           x.next_probe_unix_ms);
}

/// Call counters of one child proxy. Every call ends in exactly one of
/// successes (a reply), failures (an error from the child, a timeout, a
/// readiness check_result that reports down) or
/// rejections (circuit_open, or child_unavailable without an attempt).
struct call_stats {
  uint64_t calls = 0;
  uint64_t successes = 0;
  uint64_t failures = 0;
  uint64_t rejections = 0;
  uint64_t retries = 0;

  friend bool operator==(const call_stats&, const call_stats&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, call_stats& x) {
  return f(caf::meta::type_name("cdpd::call_stats"), x.calls, x.successes,
           x.failures, x.rejections, x.retries);
}

/// What a child proxy reports about itself.
struct proxy_snapshot {
  caf::optional<breaker_snapshot> breaker;
  call_stats stats;
  std::size_t buffered = 0;     ///< calls waiting for the child to restart
  std::size_t in_flight = 0;    ///< calls sent to the child, not answered
  std::size_t mailbox_size = 0; ///< the proxy's own mailbox

  friend bool operator==(const proxy_snapshot&,
                         const proxy_snapshot&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, proxy_snapshot& x) {
  return f(caf::meta::type_name("cdpd::proxy_snapshot"), x.breaker, x.stats,
           x.buffered, x.in_flight, x.mailbox_size);
}

/// One supervisor or child in the supervision tree.
struct actor_node {
  std::string name;
  std::string kind;     ///< "supervisor", "pg-dispatcher", "redis", ...
  std::string policy;   ///< name of its supervision policy
  std::string restart;  ///< permanent | transient | temporary
  std::string strategy; ///< supervisors only
  std::string state;    ///< running | backing-off | stopping | stopped
  int restarts_in_period = 0;
  int restarts_total = 0;
  std::string last_failure; ///< empty when it never failed
  int64_t last_failure_unix_ms = 0;
  caf::optional<std::size_t> mailbox_size; ///< when CAF exposes it
  caf::optional<proxy_snapshot> proxy;     ///< children reached by name
  std::vector<actor_node> children;

  friend bool operator==(const actor_node&, const actor_node&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_node& x) {
  return f(caf::meta::type_name("cdpd::actor_node"), x.name, x.kind, x.policy,
           x.restart, x.strategy, x.state, x.restarts_in_period,
           x.restarts_total, x.last_failure, x.last_failure_unix_ms,
           x.mailbox_size, x.proxy, x.children);
}

/// What answers `(inspect_atom)` with the tree below it: a supervisor
/// (untyped inside; callers hold this handle).
using inspectable =
    caf::typed_actor<caf::replies_to<inspect_atom>::with<actor_node>>;

/// What an operator's breaker actions go to: a child proxy, by its child's
/// registry name (untyped inside; errc::no_breaker for a child without
/// one).
using breaker_control = caf::typed_actor<
    caf::replies_to<breaker_atom, reset_atom>::with<breaker_snapshot>,
    caf::replies_to<breaker_atom, force_open_atom>::with<breaker_snapshot>>;

/// Registers the inspection snapshots and check_result under their wire
/// names.
void add_supervision_types(caf::actor_system_config& cfg);

} // namespace cdpd::actors
