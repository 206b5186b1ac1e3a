#include <algorithm>

#include <nlohmann/json.hpp>

#include "actors/domain/errc.hpp"
#include "actors/domain/metrics_work.hpp"
#include "net/api/db_call.hpp"
#include "net/api/json_codecs.hpp"
#include "net/api/resource_routes.hpp"
#include "net/api/validation.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;
namespace domain = actors::domain;

/// The most rows top-products returns.
constexpr int64_t max_top_products = 1000;

/// Runs a per-entity metrics read; an unknown entity answers 200
/// {"error": "<X> not found"}, as the prototype does.
template <class T>
void entity_metrics(caf::actor_system& sys, actors::db_job<T> work,
                    responder reply) {
  call_db(
      sys, db_role::read, std::move(work), std::move(reply),
      [](T& m) { return json_response(200, to_json(m)); },
      [](const caf::error& err) {
        if (err == domain::errc::not_found)
          return json_response(200, {{"error", domain::describe(err)}});
        return problem_from_error(err);
      });
}

} // namespace

void add_metrics_routes(router& routes, caf::actor_system& sys) {
  routes.add("GET", "/api/metrics/dashboard", access::viewer,
             [&sys](http_request, responder reply) {
               call_db(sys, db_role::read, domain::read_dashboard(),
                       std::move(reply), [](storage::dashboard_metrics& m) {
                         return json_response(200, to_json(m));
                       });
             });
  routes.add("GET", "/api/metrics/customers/{id}/metrics", access::viewer,
             [&sys](http_request req, responder reply) {
               entity_metrics(
                   sys, domain::read_customer_metrics(req.params.at("id")),
                   std::move(reply));
             });
  routes.add("GET", "/api/metrics/products/{id}/metrics", access::viewer,
             [&sys](http_request req, responder reply) {
               entity_metrics(sys,
                              domain::read_product_metrics(req.params.at("id")),
                              std::move(reply));
             });
  routes.add("GET", "/api/metrics/top-products", access::viewer,
             [&sys](http_request req, responder reply) {
               issues found;
               auto limit = query_int(req, "limit", found).value_or(10);
               if (!found.empty())
                 return reply(found.response());
               limit = std::clamp<int64_t>(limit, 0, max_top_products);
               call_db(sys, db_role::read, domain::read_top_products(limit),
                       std::move(reply),
                       [](std::vector<storage::product_sales>& rows) {
                         json list = json::array();
                         for (const auto& r : rows)
                           list.push_back(to_json(r));
                         return json_response(200, list);
                       });
             });
}

} // namespace cdpd::net::api
