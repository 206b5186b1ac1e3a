#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

/// What the inspection messages answer: plain data the admin endpoints turn
/// into JSON. Local to one node (never serialized).
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
};

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
};

/// What a child proxy reports about itself.
struct proxy_snapshot {
  std::optional<breaker_snapshot> breaker;
  call_stats stats;
  std::size_t buffered = 0;     ///< calls waiting for the child to restart
  std::size_t in_flight = 0;    ///< calls sent to the child, not answered
  std::size_t mailbox_size = 0; ///< the proxy's own mailbox
};

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
  std::optional<std::size_t> mailbox_size; ///< when CAF exposes it
  std::optional<proxy_snapshot> proxy;     ///< children reached by name
  std::vector<actor_node> children;
};

} // namespace cdpd::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::breaker_snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::proxy_snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::actor_node)
