#pragma once

#include <memory>
#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/message.hpp>

#include "actors/supervision/policy.hpp"
#include "actors/supervision/supervision_metrics.hpp"

/// The registry entry of a supervised child: a small forwarder actor owned
/// by the child's supervisor. It lives as long as the supervisor, so a name
/// looked up once stays valid across restarts. It forwards every message to
/// the child's current incarnation and relays the reply; while the child
/// backs off it buffers calls (up to policy.buffer) or answers
/// errc::child_unavailable; it applies the child's circuit breaker
/// (errc::circuit_open when open; a readiness `(check_atom)` then answers a
/// check_result that is down) and retries calls sent as
/// `(idempotent_atom, xs...)`.
///
/// Protocol besides forwarding: `(inspect_atom)` -> proxy_snapshot;
/// `(breaker_atom, reset_atom | force_open_atom)` -> breaker_snapshot or
/// errc::no_breaker. Internal, from the supervisor: `(child_up_atom, actor)`,
/// `(child_down_atom, std::string reason, bool crashed, bool final)`.
namespace cdpd::actors {

struct proxy_config {
  std::string name;       ///< the child's registry name
  std::string supervisor; ///< for logs and metrics
  supervision_policy policy;
  /// Sent to the child by a half-open breaker when no call arrives to
  /// probe with (e.g. `(check_atom)`); none: wait for a caller.
  std::optional<caf::message> probe;
  std::shared_ptr<supervision_metrics> metrics; ///< may be null
};

/// Spawns a proxy; its supervisor links to it.
caf::actor spawn_child_proxy(caf::actor_system& sys, proxy_config config);

} // namespace cdpd::actors
