#include "net/api/api_routes.hpp"

#include "net/api/event_routes.hpp"
#include "net/api/resource_routes.hpp"

namespace cdpd::net {

void add_api_routes(router& routes, caf::actor_system& sys,
                    const config::import_settings& import) {
  api::add_customer_routes(routes, sys);
  api::add_product_routes(routes, sys);
  api::add_order_routes(routes, sys);
  api::add_segment_routes(routes, sys);
  api::add_flow_routes(routes, sys);
  api::add_campaign_routes(routes, sys);
  api::add_metrics_routes(routes, sys);
  api::add_import_routes(routes, sys, import);
  api::add_event_routes(routes, sys);
}

} // namespace cdpd::net
