#include <nlohmann/json.hpp>

#include "actors/domain/product_work.hpp"
#include "net/api/db_call.hpp"
#include "net/api/json_codecs.hpp"
#include "net/api/paging.hpp"
#include "net/api/resource_routes.hpp"
#include "net/api/validation.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;
namespace domain = actors::domain;

/// Reads a product body; `create` makes every field required.
std::optional<storage::product_fields>
read_product(const std::string& body, bool create, issues& found) {
  auto obj = parse_object(body, found);
  if (!obj)
    return std::nullopt;
  const json loc = json::array({"body"});
  auto name = read_string(*obj, "name", loc, found);
  auto category = read_string(*obj, "category", loc, found);
  auto brand = read_string(*obj, "brand", loc, found);
  auto price = read_number(*obj, "price", loc, found);
  if (create) {
    require(name, loc, "name", found);
    require(category, loc, "category", found);
    require(brand, loc, "brand", found);
    require(price, loc, "price", found);
  }
  if (price.value && *price.value < 0)
    found.add(loc_with(loc, "price"),
              "ensure this value is greater than or equal to 0",
              "value_error.number.not_ge");
  if (!found.empty())
    return std::nullopt;
  return storage::product_fields{name.value, category.value, brand.value,
                                 price.value};
}

http_response product_response(storage::product_record& p) {
  return json_response(200, to_json(p));
}

} // namespace

void add_product_routes(router& routes, caf::actor_system& sys) {
  routes.add("GET", "/api/products/", access::viewer,
             [&sys](http_request req, responder reply) {
               issues found;
               storage::product_query query;
               query.page = read_page(req, found);
               query.category = query_string(req, "category");
               if (!found.empty())
                 return reply(found.response());
               call_db(sys, db_role::read,
                       domain::list_products(std::move(query)),
                       std::move(reply),
                       [](storage::page<storage::product_record>& page) {
                         json list = json::array();
                         for (const auto& p : page.items)
                           list.push_back(to_json(p));
                         auto response = json_response(200, list);
                         add_page_headers(response, page);
                         return response;
                       });
             });
  routes.add("GET", "/api/products/{id}", access::viewer,
             [&sys](http_request req, responder reply) {
               call_db(sys, db_role::read,
                       domain::get_product(req.params.at("id")),
                       std::move(reply), product_response);
             });
  routes.add("POST", "/api/products/", access::manager,
             [&sys](http_request req, responder reply) {
               issues found;
               auto fields = read_product(req.body, true, found);
               if (!fields)
                 return reply(found.response());
               call_db(sys, db_role::write, domain::create_product(*fields),
                       std::move(reply), product_response);
             });
  routes.add("PUT", "/api/products/{id}", access::manager,
             [&sys](http_request req, responder reply) {
               issues found;
               auto fields = read_product(req.body, false, found);
               if (!fields)
                 return reply(found.response());
               call_db(sys, db_role::write,
                       domain::update_product(req.params.at("id"), *fields),
                       std::move(reply), product_response);
             });
}

} // namespace cdpd::net::api
