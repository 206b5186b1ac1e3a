#include <nlohmann/json.hpp>

#include "actors/domain/flow_work.hpp"
#include "net/api/db_call.hpp"
#include "net/api/json_codecs.hpp"
#include "net/api/resource_routes.hpp"
#include "net/api/validation.hpp"
#include "net/email/errc.hpp"
#include "net/email/template.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;
namespace domain = actors::domain;
namespace email = net::email;

/// The placeholders a message may use, in words, for error messages.
std::string placeholder_names() {
  std::string names;
  for (const auto& name : email::customer_placeholders())
    names += (names.empty() ? "" : ", ") + name;
  return names;
}

/// Checks the message templates of a step's config (`subject`,
/// `body_text`, `body_html`): an unknown placeholder is refused when the
/// flow is saved, not found when a campaign sends.
bool templates_are_valid(const json& config, const json& loc, issues& found) {
  bool ok = true;
  for (const char* key : {"subject", "body_text", "body_html"}) {
    auto value = config.find(key);
    if (value == config.end() || !value->is_string())
      continue;
    auto checked = email::parse_placeholders(
        value->get_ref<const std::string&>(), email::customer_placeholders());
    if (!checked) {
      found.add(loc_with(loc, key),
                email::describe(checked.error()) + "; placeholders are " +
                    placeholder_names(),
                "value_error.template");
      ok = false;
    }
  }
  return ok;
}

/// Reads a FlowStepCreate object at `loc`.
std::optional<storage::flow_step_input>
read_step(const json& value, const json& loc, issues& found) {
  if (!value.is_object()) {
    found.add(loc, "value is not a valid dict", "type_error.dict");
    return std::nullopt;
  }
  auto type = read_string(value, "step_type", loc, found);
  auto config = read_object(value, "config", loc, found);
  auto next = read_string(value, "next_step_id", loc, found);
  auto order = read_int(value, "step_order", loc, found);
  bool ok = require(type, loc, "step_type", found);
  ok = require(config, loc, "config", found) && ok;
  ok = require(order, loc, "step_order", found) && ok;
  if (!ok)
    return std::nullopt;
  if (*order.value < INT32_MIN || *order.value > INT32_MAX) {
    found.add(loc_with(loc, "step_order"), "value is not a valid integer",
              "type_error.integer");
    return std::nullopt;
  }
  if (!templates_are_valid(*config.value, loc_with(loc, "config"), found))
    return std::nullopt;
  return storage::flow_step_input{*type.value, config.value->dump(),
                                  *order.value, next.value};
}

std::optional<storage::flow_step_input> read_step_body(const std::string& body,
                                                       issues& found) {
  auto obj = parse_object(body, found);
  if (!obj)
    return std::nullopt;
  auto step = read_step(*obj, json::array({"body"}), found);
  if (!found.empty())
    return std::nullopt;
  return step;
}

std::optional<storage::flow_input> read_flow(const std::string& body,
                                             issues& found) {
  auto obj = parse_object(body, found);
  if (!obj)
    return std::nullopt;
  const json loc = json::array({"body"});
  storage::flow_input in;
  auto segment = read_string(*obj, "segment_id", loc, found);
  auto type = read_string(*obj, "entry_condition_type", loc, found);
  auto condition = read_string(*obj, "entry_condition", loc, found);
  auto name = read_string(*obj, "name", loc, found);
  auto steps = read_array(*obj, "steps", loc, found);
  if (require(segment, loc, "segment_id", found))
    in.segment_id = *segment.value;
  in.entry_condition_type = type.value;
  in.entry_condition = condition.value;
  in.name = name.value;
  if (steps.value) {
    auto steps_loc = loc_with(loc, "steps");
    for (std::size_t i = 0; i < steps.value->size(); ++i)
      if (auto step =
              read_step((*steps.value)[i], loc_with(steps_loc, i), found))
        in.steps.push_back(std::move(*step));
  }
  if (!found.empty())
    return std::nullopt;
  return in;
}

std::optional<storage::flow_fields> read_flow_update(const std::string& body,
                                                     issues& found) {
  auto obj = parse_object(body, found);
  if (!obj)
    return std::nullopt;
  const json loc = json::array({"body"});
  storage::flow_fields out;
  for (auto [key, target] :
       {std::pair{"entry_condition_type", &out.entry_condition_type},
        std::pair{"entry_condition", &out.entry_condition},
        std::pair{"name", &out.name}}) {
    auto f = read_string(*obj, key, loc, found);
    if (f.present && (f.value || f.is_null()))
      *target = f.value;
  }
  if (!found.empty())
    return std::nullopt;
  return out;
}

http_response flow_response(storage::flow_record& f) {
  return json_response(200, to_json(f));
}

http_response step_response(storage::flow_step_record& s) {
  return json_response(200, to_json(s));
}

http_response message(const char* text) {
  return json_response(200, {{"message", text}});
}

} // namespace

void add_flow_routes(router& routes, caf::actor_system& sys) {
  routes.add("GET", "/api/flows/", access::viewer,
             [&sys](http_request, responder reply) {
               call_db(sys, db_role::read, domain::list_flows(),
                       std::move(reply),
                       [](std::vector<storage::flow_record>& flows) {
                         json list = json::array();
                         for (const auto& f : flows)
                           list.push_back(to_json(f));
                         return json_response(200, list);
                       });
             });
  routes.add("GET", "/api/flows/{id}", access::viewer,
             [&sys](http_request req, responder reply) {
               call_db(sys, db_role::read,
                       domain::get_flow(req.params.at("id")), std::move(reply),
                       flow_response);
             });
  routes.add("POST", "/api/flows/", access::manager,
             [&sys](http_request req, responder reply) {
               issues found;
               auto input = read_flow(req.body, found);
               if (!input)
                 return reply(found.response());
               call_db(sys, db_role::write,
                       domain::create_flow(std::move(*input)), std::move(reply),
                       flow_response);
             });
  routes.add("PUT", "/api/flows/{id}", access::manager,
             [&sys](http_request req, responder reply) {
               issues found;
               auto fields = read_flow_update(req.body, found);
               if (!fields)
                 return reply(found.response());
               call_db(sys, db_role::write,
                       domain::update_flow(req.params.at("id"), *fields),
                       std::move(reply), flow_response);
             });
  routes.add("DELETE", "/api/flows/{id}", access::manager,
             [&sys](http_request req, responder reply) {
               call_db(
                   sys, db_role::write,
                   domain::delete_flow(req.params.at("id")), std::move(reply),
                   [](bool&) { return message("Flow deleted successfully"); });
             });
  routes.add("GET", "/api/flows/{id}/steps", access::viewer,
             [&sys](http_request req, responder reply) {
               call_db(sys, db_role::read,
                       domain::list_flow_steps(req.params.at("id")),
                       std::move(reply),
                       [](std::vector<storage::flow_step_record>& steps) {
                         json list = json::array();
                         for (const auto& s : steps)
                           list.push_back(to_json(s));
                         return json_response(200, list);
                       });
             });
  routes.add("POST", "/api/flows/{id}/steps", access::manager,
             [&sys](http_request req, responder reply) {
               issues found;
               auto step = read_step_body(req.body, found);
               if (!step)
                 return reply(found.response());
               call_db(sys, db_role::write,
                       domain::create_flow_step(req.params.at("id"), *step),
                       std::move(reply), step_response);
             });
  routes.add("PUT", "/api/flows/{id}/steps/{step_id}", access::manager,
             [&sys](http_request req, responder reply) {
               issues found;
               auto step = read_step_body(req.body, found);
               if (!step)
                 return reply(found.response());
               call_db(sys, db_role::write,
                       domain::update_flow_step(req.params.at("id"),
                                                req.params.at("step_id"),
                                                *step),
                       std::move(reply), step_response);
             });
  routes.add("DELETE", "/api/flows/{id}/steps/{step_id}", access::manager,
             [&sys](http_request req, responder reply) {
               call_db(sys, db_role::write,
                       domain::delete_flow_step(req.params.at("id"),
                                                req.params.at("step_id")),
                       std::move(reply), [](bool&) {
                         return message("Flow step deleted successfully");
                       });
             });
}

} // namespace cdpd::net::api
