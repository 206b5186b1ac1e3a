#pragma once

#include <caf/fwd.hpp>

#include "config/settings.hpp"
#include "net/http/router.hpp"

/// The API's route groups; add_api_routes (api_routes.hpp) adds them all.
/// Every route is under /api and answers both slash spellings.
namespace cdpd::net::api {

/// /api/users/...: list (skip, limit, search, cursor), get, create, update,
/// delete.
void add_customer_routes(router& routes, caf::actor_system& sys);

/// /api/products/...: list (skip, limit, category, cursor), get, create,
/// update.
void add_product_routes(router& routes, caf::actor_system& sys);

/// /api/orders/...: list (user_id, status, from, to, skip, limit, cursor),
/// get, create.
void add_order_routes(router& routes, caf::actor_system& sys);

/// /api/segments/...: list (skip, limit, cursor), get, create, update,
/// delete, and the members: count, users, evaluate.
void add_segment_routes(router& routes, caf::actor_system& sys);

/// /api/flows/... and their steps.
void add_flow_routes(router& routes, caf::actor_system& sys);

/// /api/campaigns/... including /status and /flow.
void add_campaign_routes(router& routes, caf::actor_system& sys);

/// /api/metrics/dashboard, customers/{id}/metrics, products/{id}/metrics,
/// top-products.
void add_metrics_routes(router& routes, caf::actor_system& sys);

/// POST /api/import/customers and /api/import/orders: NDJSON bodies,
/// streamed, upserted by external_id in batches; the answer counts
/// inserted, updated, unchanged and failed lines and lists the bad ones.
void add_import_routes(router& routes, caf::actor_system& sys,
                       const config::import_settings& settings);

} // namespace cdpd::net::api
