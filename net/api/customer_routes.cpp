#include <nlohmann/json.hpp>

#include "actors/domain/customer_work.hpp"
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

/// Reads the UserCreate / UserUpdate body; `create` makes email, first_name
/// and last_name required.
std::optional<storage::customer_fields>
read_customer(const std::string& body, bool create, issues& found) {
  auto obj = parse_object(body, found);
  if (!obj)
    return std::nullopt;
  return read_customer_object(*obj, json::array({"body"}), create, found);
}

http_response user_response(storage::customer_record& c) {
  return json_response(200, to_json(c));
}

} // namespace

void add_customer_routes(router& routes, caf::actor_system& sys) {
  routes.add("GET", "/api/users/", access::viewer,
             [&sys](http_request req, responder reply) {
               issues found;
               storage::customer_query query;
               query.page = read_page(req, found);
               query.search = query_string(req, "search");
               if (!found.empty())
                 return reply(found.response());
               call_db(sys, db_role::read,
                       domain::list_customers(std::move(query)),
                       std::move(reply),
                       [](storage::page<storage::customer_record>& page) {
                         json list = json::array();
                         for (const auto& c : page.items)
                           list.push_back(to_json(c));
                         auto response = json_response(200, list);
                         add_page_headers(response, page);
                         return response;
                       });
             });
  routes.add("GET", "/api/users/{id}", access::viewer,
             [&sys](http_request req, responder reply) {
               call_db(sys, db_role::read,
                       domain::get_customer(req.params.at("id")),
                       std::move(reply), user_response);
             });
  routes.add("POST", "/api/users/", access::manager,
             [&sys](http_request req, responder reply) {
               issues found;
               auto fields = read_customer(req.body, true, found);
               if (!fields)
                 return reply(found.response());
               call_db(sys, db_role::write, domain::create_customer(*fields),
                       std::move(reply), user_response);
             });
  routes.add("PUT", "/api/users/{id}", access::manager,
             [&sys](http_request req, responder reply) {
               issues found;
               auto fields = read_customer(req.body, false, found);
               if (!fields)
                 return reply(found.response());
               call_db(sys, db_role::write,
                       domain::update_customer(req.params.at("id"), *fields),
                       std::move(reply), user_response);
             });
  routes.add("DELETE", "/api/users/{id}", access::manager,
             [&sys](http_request req, responder reply) {
               call_db(sys, db_role::write,
                       domain::delete_customer(req.params.at("id")),
                       std::move(reply), [](bool&) {
                         return json_response(
                             200, {{"message", "User deleted successfully"}});
                       });
             });
}

} // namespace cdpd::net::api
