#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

/// The root of a node's actor tree. It starts its children in order, puts
/// each in the actor registry under its name (so callers find the current
/// incarnation after a restart), restarts them when they fail, and stops
/// them in reverse order on `(shutdown_atom)`.
///
/// Restart intensity follows Erlang/OTP: more than `intensity` restarts
/// within `period` and the supervisor gives up: it stops every child and
/// quits, and `on_give_up` is called so the node can exit non-zero.
namespace cdpd::actors {

enum class restart_kind {
  permanent, ///< always restarted
  transient, ///< restarted only after an abnormal exit
  temporary, ///< never restarted
};

struct child_spec {
  std::string name; ///< at most 10 characters: it is a registry atom
  std::function<caf::actor(caf::actor_system&)> start;
  restart_kind restart = restart_kind::permanent;
  std::chrono::milliseconds shutdown_timeout{5000};
};

struct root_options {
  int intensity = 5;
  std::chrono::milliseconds period{10000};
  std::chrono::milliseconds restart_delay{500};
  std::function<void(const std::string& reason)> on_give_up;
};

/// Spawns the root supervisor and starts its children.
caf::actor spawn_root_supervisor(caf::actor_system& sys,
                                 std::vector<child_spec> children,
                                 root_options options);

} // namespace cdpd::actors
