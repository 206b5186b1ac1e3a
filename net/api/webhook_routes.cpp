#include "net/api/webhook_routes.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "actors/domain/errc.hpp"
#include "actors/domain/webhook_work.hpp"
#include "net/api/datetime_text.hpp"
#include "net/api/db_call.hpp"
#include "net/api/paging.hpp"
#include "net/api/validation.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;
namespace domain = actors::domain;

/// Longest endpoint description.
constexpr std::size_t max_description_chars = 1000;

/// The event types of the outbox (README "Events"); an endpoint may ask
/// for any of them.
constexpr std::array<std::string_view, 18> event_types{
    "campaign.created", "campaign.activated", "campaign.paused",
    "campaign.resumed", "campaign.completed", "campaign.returned_to_draft",
    "campaign.deleted", "segment.created",    "segment.deleted",
    "email.sent",       "email.failed",       "email.dead",
    "email.opened",     "email.clicked",      "email.unsubscribed",
    "customer.created", "customer.updated",   "order.created"};

json nullable(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

json to_json(const storage::webhook_record& w) {
  json out{
      {"id", w.id},
      {"url", w.url},
      {"event_types", w.event_types ? json(*w.event_types) : json(nullptr)},
      {"description", w.description},
      {"enabled", w.enabled},
      {"disabled_reason", nullable(w.disabled_reason)},
      {"failing_since", nullable(w.failing_since)},
      {"created_at", w.created_at},
      {"updated_at", w.updated_at}};
  if (w.secret)
    out["secret"] = *w.secret;
  return out;
}

http_response no_content() {
  http_response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

/// Reads `event_types`: null for every type, else a non-empty array of
/// known type names (duplicates dropped).
void read_types(const json& obj, const json& loc, storage::webhook_fields& out,
                issues& found) {
  auto it = obj.find("event_types");
  if (it == obj.end())
    return;
  auto at = loc_with(loc, "event_types");
  if (it->is_null()) {
    out.event_types.emplace(std::nullopt);
    return;
  }
  if (!it->is_array()) {
    found.add(at, "value is not a valid list (null for every event type)",
              "type_error.list");
    return;
  }
  if (it->empty()) {
    found.add(at,
              "ensure this value has at least 1 items (null for every "
              "event type)",
              "value_error.list.min_items");
    return;
  }
  std::vector<std::string> types;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& item = (*it)[i];
    auto known = item.is_string() &&
                 std::find(event_types.begin(), event_types.end(),
                           item.get<std::string>()) != event_types.end();
    if (!known) {
      found.add(loc_with(at, i),
                "unknown event type " + item.dump() +
                    "; see the README's Events for the types",
                "value_error.event_type");
      continue;
    }
    auto name = item.get<std::string>();
    if (std::find(types.begin(), types.end(), name) == types.end())
      types.push_back(name);
  }
  out.event_types.emplace(std::move(types));
}

/// Reads a webhook body; `create` requires the URL.
std::optional<storage::webhook_fields>
read_webhook(const std::string& body, bool create,
             const domain::webhook_rules& rules, issues& found) {
  auto obj = parse_object(body, found);
  if (!obj)
    return std::nullopt;
  const json loc = json::array({"body"});
  storage::webhook_fields fields;
  auto url = read_string(*obj, "url", loc, found);
  if (create)
    require(url, loc, "url", found);
  else if (url.is_null())
    found.add(loc_with(loc, "url"), "none is not an allowed value",
              "type_error.none.not_allowed");
  if (url.value) {
    domain::webhook_url_parts parts;
    if (auto why = domain::check_webhook_url(*url.value, rules, parts);
        !why.empty())
      found.add(loc_with(loc, "url"), why, "value_error.url");
    else
      fields.url = url.value;
  }
  read_types(*obj, loc, fields, found);
  auto description = read_string(*obj, "description", loc, found);
  if (description.value) {
    if (description.value->size() > max_description_chars)
      found.add(loc_with(loc, "description"),
                "ensure this value has at most " +
                    std::to_string(max_description_chars) + " characters",
                "value_error.any_str.max_length");
    else
      fields.description = description.value;
  }
  auto enabled = read_bool(*obj, "enabled", loc, found);
  fields.enabled = enabled.value;
  if (!found.empty())
    return std::nullopt;
  return fields;
}

/// A refused URL (the host resolved to a refused address) answers 422 at
/// ["body", "url"] like the form checks; other errors as usual.
http_response webhook_error(const caf::error& err) {
  if (err.category() == caf::atom("domain") &&
      err.code() == static_cast<uint8_t>(domain::errc::rejected)) {
    issues found;
    found.add(json::array({"body", "url"}), domain::describe(err),
              "value_error.url.refused");
    return found.response();
  }
  return problem_from_error(err);
}

template <class T> json nullable_value(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json to_json(const storage::webhook_delivery_record& d) {
  return {{"id", d.id},
          {"event_id", d.event_id},
          {"event_type", d.event_type},
          {"status", d.status},
          {"attempts", d.attempts},
          {"last_status", nullable_value(d.last_status)},
          {"last_body", nullable_value(d.last_body)},
          {"last_error", nullable_value(d.last_error)},
          {"latency_ms", nullable_value(d.latency_ms)},
          {"next_attempt_at", d.next_attempt_at},
          {"created_at", d.created_at},
          {"finished_at", nullable_value(d.finished_at)},
          {"replay_of", nullable_value(d.replay_of)}};
}

http_response queued_response(storage::webhook_delivery_record& d) {
  return json_response(202, to_json(d));
}

/// The delivery log's paging: skip and limit (its ids are not UUIDs, so no
/// cursor), and a status filter.
std::optional<storage::webhook_delivery_query>
read_log_query(const http_request& req, issues& found) {
  storage::webhook_delivery_query q;
  q.endpoint_id = req.params.at("id");
  if (auto skip = query_int(req, "skip", found))
    q.skip = std::max<int64_t>(*skip, 0);
  if (auto limit = query_int(req, "limit", found))
    q.limit =
        *limit < 0 ? max_page_limit : std::min<int64_t>(*limit, max_page_limit);
  if (auto status = query_string(req, "status")) {
    if (*status == "pending" || *status == "delivered" || *status == "failed")
      q.status = *status;
    else
      found.add(json::array({"query", "status"}),
                "value is not one of pending, delivered, failed",
                "value_error.enum");
  }
  if (!found.empty())
    return std::nullopt;
  return q;
}

http_response webhook_response(storage::webhook_record& w) {
  return json_response(200, to_json(w));
}

} // namespace

void add_webhook_routes(router& routes, caf::actor_system& sys,
                        const config::webhooks_settings& settings) {
  domain::webhook_rules rules{settings.allow_http, settings.allow_private};
  routes.add("GET", "/api/webhooks/", access::admin,
             [&sys](http_request req, responder reply) {
               issues found;
               auto page = read_page(req, found);
               if (!found.empty())
                 return reply(found.response());
               call_db(sys, db_role::read, domain::list_webhooks(page),
                       std::move(reply),
                       [](storage::page<storage::webhook_record>& page) {
                         json list = json::array();
                         for (const auto& w : page.items)
                           list.push_back(to_json(w));
                         auto response = json_response(200, list);
                         add_page_headers(response, page);
                         return response;
                       });
             });
  routes.add("GET", "/api/webhooks/{id}", access::admin,
             [&sys](http_request req, responder reply) {
               call_db(sys, db_role::read,
                       domain::get_webhook(req.params.at("id")),
                       std::move(reply), webhook_response);
             });
  routes.add("POST", "/api/webhooks/", access::admin,
             [&sys, rules](http_request req, responder reply) {
               issues found;
               auto fields = read_webhook(req.body, true, rules, found);
               if (!fields)
                 return reply(found.response());
               auto secret = domain::make_webhook_secret();
               if (secret.empty())
                 return reply(problem(500, "no random bytes for the secret",
                                      "internal-error"));
               call_db(
                   sys, db_role::write,
                   domain::create_webhook(*fields, secret, rules),
                   std::move(reply),
                   [](storage::webhook_record& w) {
                     auto response = json_response(201, to_json(w));
                     response.headers.emplace_back("Cache-Control", "no-store");
                     return response;
                   },
                   webhook_error);
             });
  routes.add("PUT", "/api/webhooks/{id}", access::admin,
             [&sys, rules](http_request req, responder reply) {
               issues found;
               auto fields = read_webhook(req.body, false, rules, found);
               if (!fields)
                 return reply(found.response());
               call_db(
                   sys, db_role::write,
                   domain::update_webhook(req.params.at("id"), *fields, rules),
                   std::move(reply), webhook_response, webhook_error);
             });
  routes.add("GET", "/api/webhooks/{id}/deliveries", access::admin,
             [&sys](http_request req, responder reply) {
               issues found;
               auto query = read_log_query(req, found);
               if (!query)
                 return reply(found.response());
               call_db(
                   sys, db_role::read, domain::list_webhook_deliveries(*query),
                   std::move(reply),
                   [](storage::page<storage::webhook_delivery_record>& page) {
                     json list = json::array();
                     for (const auto& d : page.items)
                       list.push_back(to_json(d));
                     auto response = json_response(200, list);
                     add_page_headers(response, page);
                     return response;
                   });
             });
  routes.add("POST", "/api/webhooks/{id}/deliveries/{delivery}/replay",
             access::admin, [&sys](http_request req, responder reply) {
               const auto& text = req.params.at("delivery");
               int64_t id = 0;
               try {
                 std::size_t used = 0;
                 id = std::stoll(text, &used);
                 if (used != text.size() || id <= 0)
                   throw std::invalid_argument{text};
               } catch (const std::exception&) {
                 return reply(problem(404, "Delivery not found"));
               }
               call_db(sys, db_role::write,
                       domain::replay_webhook_delivery(req.params.at("id"), id),
                       std::move(reply), queued_response);
             });
  routes.add(
      "POST", "/api/webhooks/{id}/replay", access::admin,
      [&sys](http_request req, responder reply) {
        issues found;
        auto obj = parse_object(req.body, found);
        std::optional<std::string> since;
        if (obj) {
          const json loc = json::array({"body"});
          auto text = read_string(*obj, "since", loc, found);
          if (require(text, loc, "since", found)) {
            since = parse_datetime(*text.value);
            if (!since)
              found.add(loc_with(loc, "since"), "invalid datetime format",
                        "value_error.datetime");
          }
        }
        if (!found.empty())
          return reply(found.response());
        call_db(sys, db_role::write,
                domain::replay_webhooks_since(req.params.at("id"), *since),
                std::move(reply), [](int64_t& queued) {
                  return json_response(202, {{"queued", queued}});
                });
      });
  routes.add("POST", "/api/webhooks/{id}/ping", access::admin,
             [&sys](http_request req, responder reply) {
               call_db(sys, db_role::write,
                       domain::queue_webhook_ping(req.params.at("id")),
                       std::move(reply), queued_response);
             });
  routes.add("DELETE", "/api/webhooks/{id}", access::admin,
             [&sys](http_request req, responder reply) {
               call_db(sys, db_role::write,
                       domain::delete_webhook(req.params.at("id")),
                       std::move(reply), [](bool&) { return no_content(); });
             });
}

} // namespace cdpd::net::api
