#pragma once

#include <chrono>
#include <string>

#include <caf/fwd.hpp>
#include <nlohmann/json_fwd.hpp>

#include "actors/supervision/snapshot.hpp"
#include "net/http/router.hpp"

/// Operator inspection of the supervision tree (only added when
/// `admin.enabled` is set; there is no authentication yet):
/// - `GET /admin/actors`: the tree below the root supervisor, every
///   supervisor and child with kind, policy, state, restarts, last failure
///   and mailbox size, and the campaign actors (`campaigns`, as below);
/// - `GET /admin/campaigns`: every campaign actor of the node with its
///   status, step, phase, counts and next timer;
/// - `GET /admin/breakers`: every circuit breaker with state, failure count
///   and next probe time;
/// - `POST /admin/breakers/{name}/reset`: closes one;
/// - `POST /admin/breakers/{name}/open`: forces one open until reset;
/// - `GET /admin/cluster`: the cluster membership as this node sees it
///   (404 on a node without cluster.port).
namespace cdpd::net {

struct admin_routes_options {
  std::string root = "root"; ///< registry name of the root supervisor
  /// Registry name of the cluster membership actor.
  std::string membership = "membership";
  /// ratelimit.hosts: which limiter hosts each member owns.
  int limiter_hosts = 0;
  std::chrono::milliseconds timeout{3000};
};

/// Adds the admin routes to `routes`.
void add_admin_routes(router& routes, caf::actor_system& sys,
                      admin_routes_options options);

/// One node of the tree as JSON (times as RFC 3339 UTC).
nlohmann::json actor_node_json(const actors::actor_node& node);

/// One breaker as JSON.
nlohmann::json breaker_json(const actors::breaker_snapshot& breaker);

} // namespace cdpd::net
