#pragma once

#include <caf/fwd.hpp>

#include "config/settings.hpp"
#include "net/http/router.hpp"

namespace cdpd::net {

/// Adds the prototype-compatible REST API (eca2-api-contract.md) for users,
/// products, orders, segments, flows and their steps, campaigns, metrics
/// and bulk import (batched as `import` says).
/// Handlers send their work to the actors registered as "pg-write" and
/// "pg-read"; while those are missing the routes answer 503. `sys` must outlive
/// the router.
void add_api_routes(router& routes, caf::actor_system& sys,
                    const config::import_settings& import = {});

} // namespace cdpd::net
