#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/message.hpp>

#include "actors/supervision/policy.hpp"
#include "actors/supervision/supervision_metrics.hpp"

/// The generic supervisor: an actor driven by a supervision_policy, after
/// Erlang/OTP. It starts its children in order and stops them in reverse;
/// each child is reachable under its name in the actor registry through a
/// child proxy (see child_proxy.hpp) that outlives restarts. A failed child
/// is restarted after a backoff delay according to its restart kind and the
/// supervisor's strategy; more than `intensity` restarts within `period`
/// make the supervisor stop its children and quit with errc::escalated
/// (its parent then handles that like any child failure; a root calls
/// on_give_up first).
///
/// Protocol: `(shutdown_atom)` -> unit once every child stopped (then it
/// quits); `(inspect_atom)` -> actor_node, the tree below it. An exit
/// message (e.g. user_shutdown from its own parent) also stops the children
/// in reverse order before it quits.
namespace cdpd::actors {

/// How to run one child.
struct child_spec {
  std::string name; ///< registry name, at most 10 characters (an atom)
  std::string kind; ///< what it is, for inspection ("redis", ...)
  std::function<caf::actor(caf::actor_system&)> start;
  restart_kind restart = restart_kind::permanent;
  millis shutdown_timeout{5'000}; ///< then it is killed
  /// Backoff, buffer, breaker and retry of this child.
  supervision_policy policy;
  /// What a half-open breaker sends to probe the child without a caller.
  std::optional<caf::message> probe;
  bool is_supervisor = false; ///< set by supervisor_child()
};

/// How to run one supervisor.
struct supervisor_spec {
  std::string name; ///< for logs, metrics and inspection
  /// Strategy, intensity and period of this supervisor.
  supervision_policy policy;
  std::vector<child_spec> children;             ///< in start order
  std::shared_ptr<supervision_metrics> metrics; ///< may be null
  /// Called when the supervisor gives up (only useful on a root).
  std::function<void(const std::string& reason)> on_give_up;
};

/// Spawns a supervisor and starts its children.
caf::actor spawn_supervisor(caf::actor_system& sys, supervisor_spec spec);

/// A child that is itself a supervisor (a subtree). Its name is its
/// registry name (the proxy forwards to it); its shutdown timeout should
/// cover its own children's.
child_spec supervisor_child(supervisor_spec spec, millis shutdown_timeout,
                            restart_kind restart = restart_kind::permanent);

} // namespace cdpd::actors
