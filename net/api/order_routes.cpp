#include <nlohmann/json.hpp>

#include "actors/domain/order_work.hpp"
#include "net/api/datetime_text.hpp"
#include "net/api/db_call.hpp"
#include "net/api/import_lines.hpp"
#include "net/api/json_codecs.hpp"
#include "net/api/paging.hpp"
#include "net/api/resource_routes.hpp"
#include "net/api/validation.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;
namespace domain = actors::domain;

void bad_datetime(issues& found, json loc) {
  found.add(std::move(loc), "invalid datetime format", "value_error.datetime");
}

/// Reads an order body (see read_order_object): user_id and every item's
/// product_id are required.
std::optional<storage::order_input> read_order(const std::string& body,
                                               issues& found) {
  auto obj = parse_object(body, found);
  if (!obj)
    return std::nullopt;
  return read_order_object(*obj, json::array({"body"}), true, found);
}

http_response order_response(storage::order_record& o) {
  return json_response(200, to_json(o, true));
}

} // namespace

void add_order_routes(router& routes, caf::actor_system& sys) {
  routes.add("GET", "/api/orders/", access::viewer,
             [&sys](http_request req, responder reply) {
               issues found;
               storage::order_query query;
               query.page = read_page(req, found);
               query.user_id = query_string(req, "user_id");
               query.order_status = query_string(req, "status");
               if (auto from = query_string(req, "from")) {
                 query.from = parse_datetime(*from);
                 if (!query.from)
                   bad_datetime(found, json::array({"query", "from"}));
               }
               if (auto to = query_string(req, "to")) {
                 query.to = parse_datetime(*to);
                 query.to_whole_day = parse_date(*to).has_value();
                 if (!query.to)
                   bad_datetime(found, json::array({"query", "to"}));
               }
               if (!found.empty())
                 return reply(found.response());
               call_db(sys, db_role::read,
                       domain::list_orders(std::move(query)), std::move(reply),
                       [](storage::page<storage::order_record>& page) {
                         json list = json::array();
                         for (const auto& o : page.items)
                           list.push_back(to_json(o, false));
                         auto response = json_response(200, list);
                         add_page_headers(response, page);
                         return response;
                       });
             });
  routes.add("GET", "/api/orders/{id}", access::viewer,
             [&sys](http_request req, responder reply) {
               call_db(sys, db_role::read,
                       domain::get_order(req.params.at("id")), std::move(reply),
                       order_response);
             });
  routes.add("POST", "/api/orders/", access::manager,
             [&sys](http_request req, responder reply) {
               issues found;
               auto input = read_order(req.body, found);
               if (!input)
                 return reply(found.response());
               call_db(sys, db_role::write,
                       domain::create_order(std::move(*input)),
                       std::move(reply), order_response);
             });
}

} // namespace cdpd::net::api
