#include <algorithm>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "actors/ask.hpp"
#include "actors/campaigns/campaign_execution.hpp"
#include "actors/campaigns/campaign_lifecycle.hpp"
#include "actors/campaigns/campaign_messages.hpp"
#include "actors/domain/campaign_work.hpp"
#include "net/api/datetime_text.hpp"
#include "net/api/db_call.hpp"
#include "net/api/json_codecs.hpp"
#include "net/api/resource_routes.hpp"
#include "net/api/validation.hpp"
#include "net/http/problem.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;
namespace domain = actors::domain;

/// A date field as the prototype stores it: present and non-empty values
/// are parsed (unparsable ones become null), "" and null clear it.
storage::nullable_update
date_update(const field<std::string>& f,
            std::optional<std::string> (*parse)(std::string_view)) {
  if (!f.present)
    return std::nullopt;
  if (!f.value || f.value->empty())
    return std::optional<std::string>{};
  return parse(*f.value);
}

storage::nullable_update text_update(const field<std::string>& f) {
  if (!f.present)
    return std::nullopt;
  return f.value;
}

/// The largest send speed a campaign may have, in messages per minute.
constexpr int64_t max_send_speed = 1'000'000;

/// Reads `send_speed_per_minute`: absent (unchanged), null (the default
/// speed) or an integer 1..max_send_speed. Anything else (a string, a
/// boolean, a fraction, out of range) is recorded as a problem.
std::optional<std::optional<int64_t>>
read_send_speed(const json& obj, const json& loc, issues& found) {
  auto i = obj.find("send_speed_per_minute");
  if (i == obj.end())
    return std::nullopt;
  if (i->is_null())
    return std::optional<int64_t>{};
  if (i->is_number_integer()) {
    // Unsigned values above int64's range come out negative and fail too.
    auto v = i->is_number_unsigned()
                 ? static_cast<int64_t>(std::min<uint64_t>(
                       i->get<uint64_t>(), uint64_t{max_send_speed} + 1))
                 : i->get<int64_t>();
    if (v >= 1 && v <= max_send_speed)
      return std::optional<int64_t>{v};
  }
  found.add(loc_with(loc, "send_speed_per_minute"),
            "send_speed_per_minute must be an integer from 1 to 1000000 "
            "(messages per minute) or null",
            "value_error.send_speed_per_minute");
  return std::nullopt;
}

/// Reads CampaignCreate (`create`) or CampaignUpdate.
std::optional<storage::campaign_fields>
read_campaign(const std::string& body, bool create, issues& found) {
  auto obj = parse_object(body, found);
  if (!obj)
    return std::nullopt;
  const json loc = json::array({"body"});
  storage::campaign_fields out;
  auto segment = read_string(*obj, "segment_id", loc, found);
  auto flow = read_string(*obj, "flow_id", loc, found);
  auto name = read_string(*obj, "name", loc, found);
  auto description = read_string(*obj, "description", loc, found);
  auto status = read_string(*obj, "status", loc, found);
  auto start_time = read_string(*obj, "start_time", loc, found);
  auto start_date = read_string(*obj, "start_date", loc, found);
  auto time_of_day = read_string(*obj, "start_time_of_day", loc, found);
  if (create) {
    require(segment, loc, "segment_id", found);
    require(name, loc, "name", found);
    if (status.is_null())
      require(status, loc, "status", found);
    out.segment_id = segment.value;
    out.status = status.value.value_or("draft");
  } else {
    out.status = status.value;
  }
  out.flow_id = text_update(flow);
  out.name = name.value;
  out.description = text_update(description);
  out.start_time = date_update(start_time, parse_campaign_start_time);
  out.start_date = date_update(start_date, parse_campaign_start_date);
  out.start_time_of_day = text_update(time_of_day);
  out.send_speed_per_minute = read_send_speed(*obj, loc, found);
  if (!found.empty())
    return std::nullopt;
  return out;
}

http_response campaign_response(storage::campaign_record& c) {
  return json_response(200, to_json(c));
}

json optional_json(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

/// A campaign with its `execution` block.
json view_json(const domain::campaign_view& v) {
  const auto& e = v.execution;
  auto out = to_json(v.campaign);
  out["execution"] = {{"phase", optional_json(e.phase)},
                      {"scheduled_at", optional_json(e.scheduled_at)},
                      {"started_at", optional_json(e.started_at)},
                      {"finished_at", optional_json(e.finished_at)},
                      {"paused_reason", optional_json(e.paused_reason)},
                      {"counts",
                       {{"audience", e.audience},
                        {"pending", e.pending},
                        {"sent", e.sent},
                        {"failed", e.failed},
                        {"dead", e.dead},
                        {"opened", e.opened},
                        {"clicked", e.clicked},
                        {"unsubscribed", e.unsubscribed}}}};
  return out;
}

http_response view_response(domain::campaign_view& v) {
  return json_response(200, view_json(v));
}

namespace live = actors::campaigns;

/// The node's campaign host; invalid on a node without delivery, where the
/// db actor moves campaigns itself.
live::campaign_host find_host(caf::actor_system& sys) {
  return caf::actor_cast<live::campaign_host>(
      sys.registry().get(live::campaign_host_key));
}

/// Moves campaign `id` to `status` through its actor (the only writer of
/// a live campaign's lifecycle), then runs `next`; errors are answered.
template <class Next>
void change_status(caf::actor_system& sys, live::campaign_host host,
                   std::string id, std::string status, responder reply,
                   Next next) {
  actors::ask(
      sys, host, db_reply_timeout, [next](bool) mutable { next(); },
      [reply](caf::error& err) { reply(problem_from_error(err)); },
      live::campaign_status_atom::value, std::move(id), std::move(status));
}

/// The executions of live campaigns as their actors hold them; an actor
/// still loading its campaign has no counts yet and is left to SQL.
domain::known_executions
known_of(const std::vector<live::campaign_snapshot>& live) {
  domain::known_executions known;
  for (const auto& s : live)
    if (s.step != "loading")
      known.emplace(s.id, live::execution_of(s));
  return known;
}

/// Every campaign; those in `known` are not counted again.
void answer_list(caf::actor_system& sys, domain::known_executions known,
                 responder reply) {
  call_db(sys, db_role::read, domain::list_campaign_views(std::move(known)),
          std::move(reply), [](std::vector<domain::campaign_view>& campaigns) {
            json list = json::array();
            for (const auto& c : campaigns)
              list.push_back(view_json(c));
            return json_response(200, list);
          });
}

/// One campaign: a live one's execution from its actor's memory (only the
/// campaign's own row is read), any other's from the table.
void answer_campaign(caf::actor_system& sys, live::campaign_host host,
                     std::string id, responder reply) {
  actors::ask(
      sys, host, db_reply_timeout,
      [&sys, id, reply](std::vector<live::campaign_snapshot>& found) {
        if (found.empty())
          return call_db(sys, db_role::read, domain::get_campaign_view(id),
                         reply, view_response);
        call_db(sys, db_role::read, domain::get_campaign(id), reply,
                [e = live::execution_of(found.front())](
                    storage::campaign_record& c) {
                  domain::campaign_view v{std::move(c), e};
                  return view_response(v);
                });
      },
      [reply](caf::error& err) { reply(problem_from_error(err)); },
      live::campaign_view_atom::value, std::move(id));
}

/// The campaign with its execution, read from the primary so the change
/// just made is seen.
void answer_view(caf::actor_system& sys, const std::string& id,
                 responder reply) {
  call_db(sys, db_role::write, domain::get_campaign_view(id), std::move(reply),
          view_response);
}

/// An edit of a campaign on a node with campaign actors: a lifecycle
/// status moves through the campaign's actor first, then the other fields
/// are written and the actor reads them (a new start is scheduled again),
/// and the answer shows the campaign after all of it.
void edit_through_actor(caf::actor_system& sys, live::campaign_host host,
                        std::string id, storage::campaign_fields fields,
                        responder reply) {
  auto status = fields.status;
  if (status && live::parse_campaign_status(*status))
    fields.status.reset();
  else
    status.reset(); // a status outside the lifecycle is stored as before
  auto on_error = [reply](caf::error& err) { reply(problem_from_error(err)); };
  auto reread = [&sys, host, id, reply, on_error](domain::campaign_view&) {
    actors::ask(
        sys, host, db_reply_timeout,
        [&sys, id, reply](bool) { answer_view(sys, id, reply); }, on_error,
        live::campaign_reload_atom::value, id);
  };
  auto write = [&sys, id, fields, reread, on_error] {
    run_db(sys, db_role::write, domain::update_campaign(id, fields), reread,
           on_error);
  };
  if (!status)
    return write();
  change_status(sys, host, id, *status, reply, write);
}

} // namespace

void add_campaign_routes(router& routes, caf::actor_system& sys) {
  routes.add("GET", "/api/campaigns/", access::viewer,
             [&sys](http_request, responder reply) {
               auto host = find_host(sys);
               if (!host)
                 return answer_list(sys, {}, std::move(reply));
               actors::ask(
                   sys, host, db_reply_timeout,
                   [&sys, reply](std::vector<live::campaign_snapshot>& live) {
                     answer_list(sys, known_of(live), reply);
                   },
                   // Without the host every campaign is counted in SQL.
                   [&sys, reply](caf::error&) { answer_list(sys, {}, reply); },
                   live::campaign_view_atom::value);
             });
  routes.add("GET", "/api/campaigns/{id}", access::viewer,
             [&sys](http_request req, responder reply) {
               auto id = req.params.at("id");
               if (auto host = find_host(sys))
                 return answer_campaign(sys, host, id, std::move(reply));
               call_db(sys, db_role::read, domain::get_campaign_view(id),
                       std::move(reply), view_response);
             });
  routes.add("GET", "/api/campaigns/{id}/flow", access::viewer,
             [&sys](http_request req, responder reply) {
               call_db(sys, db_role::read,
                       domain::get_campaign_flow(req.params.at("id")),
                       std::move(reply), [](storage::flow_record& f) {
                         return json_response(200, to_json(f));
                       });
             });
  routes.add(
      "POST", "/api/campaigns/",
      access::manager.limited_as(actors::limits::route_class::campaign_create),
      [&sys](http_request req, responder reply) {
        issues found;
        auto fields = read_campaign(req.body, true, found);
        if (!fields)
          return reply(found.response());
        call_db(sys, db_role::write, domain::create_campaign(*fields),
                std::move(reply), campaign_response);
      });
  routes.add("PUT", "/api/campaigns/{id}", access::manager,
             [&sys](http_request req, responder reply) {
               issues found;
               auto fields = read_campaign(req.body, false, found);
               if (!fields)
                 return reply(found.response());
               auto id = req.params.at("id");
               auto host = find_host(sys);
               if (!host)
                 return call_db(sys, db_role::write,
                                domain::update_campaign(id, *fields),
                                std::move(reply), view_response);
               edit_through_actor(sys, host, id, std::move(*fields), reply);
             });
  routes.add("PUT", "/api/campaigns/{id}/status", access::manager,
             [&sys](http_request req, responder reply) {
               auto status = query_string(req, "status");
               if (!status) {
                 issues found;
                 found.add(json::array({"query", "status"}), "field required",
                           "value_error.missing");
                 return reply(found.response());
               }
               auto id = req.params.at("id");
               auto host = find_host(sys);
               if (!host)
                 return call_db(sys, db_role::write,
                                domain::set_campaign_status(id, *status),
                                std::move(reply), view_response);
               change_status(sys, host, id, *status, reply, [&sys, id, reply] {
                 answer_view(sys, id, reply);
               });
             });
  routes.add("DELETE", "/api/campaigns/{id}", access::manager,
             [&sys](http_request req, responder reply) {
               call_db(sys, db_role::write,
                       domain::delete_campaign(req.params.at("id")),
                       std::move(reply), [](bool&) {
                         return json_response(
                             200,
                             {{"message", "Campaign deleted successfully"}});
                       });
             });
}

} // namespace cdpd::net::api
