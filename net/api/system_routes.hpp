#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <prometheus/registry.h>

#include "net/http/router.hpp"

/// The node's own routes: `GET /`, `GET /health` (alive), `GET /health/ready`
/// (every dependency answers its check) and `GET /metrics` (Prometheus text).
namespace cdpd::net {

/// One dependency probed by /health/ready: the registry name of the actor
/// that answers `(check_atom)` with a check_result.
struct readiness_check {
  std::string name;  ///< key in the response ("postgres", "redis", ...)
  std::string actor; ///< registry name ("pg-write", "redis", ...)
};

struct system_routes_options {
  std::vector<readiness_check> checks;
  std::chrono::milliseconds check_timeout{2000};
  /// Takes `GET /` from browsers (Accept: text/html) when set: the app
  /// served through http.static-dir. API clients still get the JSON.
  handler html_root;
  /// Who may read /metrics (auth.public-metrics).
  route_access metrics_access = access::anyone;
};

/// Adds the system routes to `routes`.
void add_system_routes(router& routes, caf::actor_system& sys,
                       std::shared_ptr<prometheus::Registry> metrics,
                       system_routes_options options);

} // namespace cdpd::net
