#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <prometheus/registry.h>

#include "net/http/router.hpp"

/// The node's own routes: `GET /`, `GET /health` (alive), `GET /health/ready`
/// (every dependency answers its check; latency and errors only for callers
/// with a role; one round of checks serves every request for a second) and
/// `GET /metrics` (Prometheus text; see metrics_exposure).
namespace cdpd::net {

/// One dependency probed by /health/ready: the registry name of the actor
/// that answers `(check_atom)` with a check_result.
struct readiness_check {
  std::string name;  ///< key in the response ("postgres", "redis", ...)
  std::string actor; ///< registry name ("pg-write", "redis", ...)
};

/// Who may read /metrics without credentials (auth.public-metrics); a
/// caller with a role may always.
enum class metrics_exposure { loopback, everyone, nobody };

struct system_routes_options {
  std::vector<readiness_check> checks;
  std::chrono::milliseconds check_timeout{2000};
  /// Takes `GET /` from browsers (Accept: text/html) when set: the app
  /// served through http.static-dir. API clients still get the JSON.
  handler html_root;
  metrics_exposure metrics = metrics_exposure::loopback;
};

/// Adds the system routes to `routes`.
void add_system_routes(router& routes, caf::actor_system& sys,
                       std::shared_ptr<prometheus::Registry> metrics,
                       system_routes_options options);

} // namespace cdpd::net
