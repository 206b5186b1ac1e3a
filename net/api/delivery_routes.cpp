#include "net/api/delivery_routes.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "actors/campaigns/campaign_messages.hpp"
#include "actors/delivery/delivery_work.hpp"
#include "net/api/db_call.hpp"
#include "net/api/validation.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;
namespace work = actors::delivery;

bool is_delivery_status(const std::string& s) {
  return s == "pending" || s == "sending" || s == "sent" || s == "failed" ||
         s == "dead";
}

json optional_json(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

/// "" (a campaign's row has no run, a run's row no campaign) as null.
json id_or_null(const std::string& id) {
  return id.empty() ? json(nullptr) : json(id);
}

json to_json(const storage::delivery_record& d) {
  return {{"id", d.id},
          {"campaign_id", id_or_null(d.campaign_id)},
          {"flow_run_id", id_or_null(d.flow_run_id)},
          {"step_index", d.step_index},
          {"customer_id", d.customer_id},
          {"email", d.email},
          {"status", d.status},
          {"attempts", d.attempts},
          {"due_at", d.due_at},
          {"next_attempt_at", d.next_attempt_at},
          {"last_error", optional_json(d.last_error)},
          {"sent_at", optional_json(d.sent_at)},
          {"message_id", optional_json(d.message_id)},
          {"idempotency_key", d.idempotency_key},
          {"created_at", d.created_at}};
}

http_response list_response(std::vector<storage::delivery_record>& rows) {
  json list = json::array();
  for (const auto& d : rows)
    list.push_back(to_json(d));
  return json_response(200, list);
}

/// `after` and `limit` of a list request.
struct paging {
  int64_t after = 0;
  int64_t limit = 100;
};

paging read_paging(const http_request& req, issues& found) {
  paging p;
  if (auto after = query_int(req, "after", found))
    p.after = std::max<int64_t>(0, *after);
  if (auto limit = query_int(req, "limit", found))
    p.limit = std::clamp<int64_t>(*limit, 1, max_delivery_page);
  return p;
}

} // namespace

void add_delivery_routes(router& routes, caf::actor_system& sys) {
  routes.add("GET", "/api/campaigns/{id}/deliveries", access::viewer,
             [&sys](http_request req, responder reply) {
               issues found;
               auto p = read_paging(req, found);
               auto status = query_string(req, "status");
               if (status && !is_delivery_status(*status))
                 found.add(json::array({"query", "status"}),
                           "must be pending, sending, sent, failed or dead",
                           "value_error");
               if (!found.empty())
                 return reply(found.response());
               call_db(sys, db_role::read,
                       work::list_campaign_deliveries(req.params.at("id"),
                                                      status, p.after, p.limit),
                       std::move(reply), list_response);
             });
  routes.add("GET", "/api/dead-letters", access::admin,
             [&sys](http_request req, responder reply) {
               issues found;
               auto p = read_paging(req, found);
               if (!found.empty())
                 return reply(found.response());
               call_db(sys, db_role::read,
                       work::list_dead_letters(
                           query_string(req, "campaign_id").value_or(""),
                           p.after, p.limit),
                       std::move(reply), list_response);
             });
  routes.add(
      "POST", "/api/dead-letters/replay", access::admin,
      [&sys](http_request req, responder reply) {
        issues found;
        auto obj = parse_object(req.body, found);
        if (!obj)
          return reply(found.response());
        std::vector<int64_t> ids;
        if (auto it = obj->find("ids"); it != obj->end()) {
          if (!it->is_array())
            found.add(json::array({"body", "ids"}), "value is not a valid list",
                      "type_error.list");
          else
            for (const auto& id : *it) {
              if (id.is_number_integer())
                ids.push_back(id.get<int64_t>());
              else
                found.add(json::array({"body", "ids"}),
                          "value is not a valid integer", "type_error.integer");
            }
        }
        auto campaign =
            read_string(*obj, "campaign_id", json::array({"body"}), found);
        if (found.empty() && ids.empty() && campaign.value.value_or("").empty())
          found.add(json::array({"body"}), "give ids or campaign_id",
                    "value_error.missing");
        if (!found.empty())
          return reply(found.response());
        call_db(sys, db_role::write,
                work::replay_dead_letters(std::move(ids),
                                          campaign.value.value_or("")),
                std::move(reply), [&sys](storage::replay_result& r) {
                  // The campaigns' actors count the rows pending again
                  // (and a completed campaign sends again: its actor comes
                  // with the host's next poll).
                  auto host = caf::actor_cast<actors::campaigns::campaign_host>(
                      sys.registry().get(actors::campaigns::campaign_host_key));
                  for (const auto& id : r.campaign_ids)
                    if (host)
                      caf::anon_send(
                          host, actors::campaigns::campaign_reload_atom::value,
                          id);
                  return json_response(200, {{"replayed", r.replayed}});
                });
      });
}

} // namespace cdpd::net::api
