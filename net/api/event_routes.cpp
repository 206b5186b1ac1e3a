#include "net/api/event_routes.hpp"

#include <nlohmann/json.hpp>

#include "actors/domain/event_work.hpp"
#include "net/api/datetime_text.hpp"
#include "net/api/db_call.hpp"
#include "net/api/paging.hpp"
#include "net/api/validation.hpp"
#include "net/http/problem.hpp"
#include "storage/segments/values.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;
namespace domain = actors::domain;
using runs_page = storage::page<storage::flow_run_record>;

/// Reads the body of POST /api/events; nullopt after recording problems.
std::optional<storage::event_input> read_event(const std::string& body,
                                               issues& found) {
  auto obj = parse_object(body, found);
  if (!obj)
    return std::nullopt;
  const json loc = json::array({"body"});
  storage::event_input in;
  auto customer = read_string(*obj, "customer_id", loc, found);
  if (require(customer, loc, "customer_id", found)) {
    if (storage::segments::is_uuid(*customer.value))
      in.customer_id = *customer.value;
    else
      found.add(loc_with(loc, "customer_id"), "value is not a valid uuid",
                "type_error.uuid");
  }
  auto type = read_string(*obj, "type", loc, found);
  if (require(type, loc, "type", found)) {
    if (type.value->empty() || type.value->size() > max_event_type)
      found.add(loc_with(loc, "type"),
                "must be between 1 and " + std::to_string(max_event_type) +
                    " characters",
                "value_error.any_str.length");
    else
      in.type = *type.value;
  }
  auto properties = read_object(*obj, "properties", loc, found);
  if (properties.value)
    in.properties = properties.value->dump();
  auto occurred = read_string(*obj, "occurred_at", loc, found);
  if (occurred.value) {
    in.occurred_at = parse_datetime(*occurred.value);
    if (!in.occurred_at)
      found.add(loc_with(loc, "occurred_at"), "invalid datetime format",
                "value_error.datetime");
  }
  if (!found.empty())
    return std::nullopt;
  return in;
}

json to_json(const storage::flow_run_record& r) {
  auto optional = [](const std::optional<std::string>& v) {
    return v ? json(*v) : json(nullptr);
  };
  return {{"id", r.id},
          {"flow_id", r.flow_id},
          {"customer_id", r.customer_id},
          {"event_id", r.event_id},
          {"status", r.status},
          {"exit_reason", optional(r.exit_reason)},
          {"started_at", r.started_at},
          {"finished_at", optional(r.finished_at)},
          {"deliveries",
           {{"pending", r.pending},
            {"sent", r.sent},
            {"failed", r.failed},
            {"dead", r.dead}}}};
}

} // namespace

void add_event_routes(router& routes, caf::actor_system& sys) {
  routes.add(
      "POST", "/api/events", access::manager,
      [&sys](http_request req, responder reply) {
        issues found;
        auto input = read_event(req.body, found);
        if (!input)
          return reply(found.response());
        call_db(sys, db_role::write, domain::record_event(std::move(*input)),
                std::move(reply), [](storage::event_record& e) {
                  return json_response(202, {{"id", e.id},
                                             {"type", e.type},
                                             {"customer_id", e.customer_id}});
                });
      });
  routes.add(
      "GET", "/api/flows/{id}/runs", access::viewer,
      [&sys](http_request req, responder reply) {
        issues found;
        auto page = read_page(req, found);
        auto status = query_string(req, "status");
        if (status && *status != "active" && *status != "completed" &&
            *status != "exited")
          found.add(json::array({"query", "status"}),
                    "must be active, completed or exited", "value_error");
        if (!found.empty())
          return reply(found.response());
        call_db(sys, db_role::read,
                domain::list_flow_runs(req.params.at("id"), status, page),
                std::move(reply), [](runs_page& p) {
                  json list = json::array();
                  for (const auto& r : p.items)
                    list.push_back(to_json(r));
                  auto response = json_response(200, list);
                  add_page_headers(response, p);
                  return response;
                });
      });
}

} // namespace cdpd::net::api
