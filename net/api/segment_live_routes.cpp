#include "net/api/segment_live_routes.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/domain/segment_work.hpp"
#include "actors/segments/segment_host.hpp"
#include "actors/segments/segment_messages.hpp"
#include "actors/segments/segment_region.hpp"
#include "actors/segments/shard_messages.hpp"
#include "net/api/db_call.hpp"
#include "net/api/validation.hpp"
#include "net/problem.hpp"
#include "storage/errc.hpp"
#include "storage/segments/segment_queries.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;
namespace seg = storage::segments;
namespace live = actors::segments;
using definition_ptr = std::shared_ptr<const seg::segment_definition>;
using clock_type = std::chrono::system_clock;

/// True for the engine's "not evaluated in memory": PostgreSQL answers.
bool needs_sql(const caf::error& err) {
  return err.category() == caf::atom("storage") &&
         err.code() ==
             static_cast<std::uint8_t>(storage::errc::invalid_argument);
}

/// The SQL back end's answer: the count and the first `max_ids` member ids
/// in id order (the in-memory order).
actors::db_work sql_answer(definition_ptr def, clock_type::time_point now,
                           std::size_t max_ids) {
  return [def, now,
          max_ids](storage::pg_pool& pool) -> caf::expected<caf::message> {
    auto answer = pool.run(
        [&](pqxx::connection& conn) -> caf::expected<live::region_answer> {
          auto count = seg::count_members(conn, *def, now);
          if (!count)
            return count.error();
          seg::page all{std::numeric_limits<std::int64_t>::max(), 0};
          auto ids = seg::member_ids(conn, *def, now, all);
          if (!ids)
            return ids.error();
          std::sort(ids->begin(), ids->end());
          if (ids->size() > max_ids)
            ids->resize(max_ids);
          live::region_answer out;
          out.count = static_cast<std::uint64_t>(*count);
          out.ids = std::move(*ids);
          return out;
        },
        true);
    if (!answer)
      return answer.error();
    if (!*answer)
      return answer->error();
    return caf::make_message(std::move(**answer));
  };
}

/// Asks the shards, or PostgreSQL when the engine cannot evaluate `def`;
/// then answers with `reply(answer)` or an error response.
template <class Reply>
void ask(caf::actor_system& sys,
         const std::shared_ptr<const live::segment_region>& region,
         definition_ptr def, std::size_t max_ids, responder respond,
         Reply reply) {
  auto now = clock_type::now();
  region->evaluate(def, now, max_ids,
                   [&sys, def, now, max_ids, respond,
                    reply](caf::expected<live::region_answer> answer) mutable {
                     if (answer)
                       return respond(reply(*answer));
                     if (!needs_sql(answer.error()))
                       return respond(error_response(answer.error()));
                     call_db<live::region_answer>(sys, db_role::read,
                                                  sql_answer(def, now, max_ids),
                                                  std::move(respond), reply);
                   });
}

/// The definition in a preview body: the body itself, or its "definition"
/// member as the create route takes it.
std::optional<seg::segment_definition> read_preview(const std::string& body,
                                                    issues& found) {
  auto obj = parse_object(body, found);
  if (!obj)
    return std::nullopt;
  json loc = json::array({"body"});
  const json* definition = &*obj;
  if (auto i = obj->find("definition"); i != obj->end()) {
    definition = &*i;
    loc.push_back("definition");
  }
  auto parsed = seg::parse_definition(*definition);
  for (const auto& err : parsed.errors) {
    auto where = loc;
    if (!err.path.empty())
      where.push_back(err.path);
    found.add(std::move(where), err.message, "value_error.segment");
  }
  if (!parsed.ok()) {
    if (found.empty())
      found.add(loc, "invalid segment definition", "value_error.segment");
    return std::nullopt;
  }
  return std::move(*parsed.definition);
}

/// True when the Accept header asks for CSV.
bool wants_csv(const http_request& req) {
  return req.header("Accept").find("text/csv") != std::string::npos;
}

http_response members_body(const live::region_answer& answer, bool csv) {
  http_response out;
  std::string body;
  body.reserve(answer.ids.size() * (csv ? 37 : 45) + 3);
  if (csv) {
    out.content_type = "text/csv; charset=utf-8";
    body += "id\n";
    for (const auto& id : answer.ids) {
      body += id;
      body += '\n';
    }
  } else {
    out.content_type = "application/x-ndjson";
    for (const auto& id : answer.ids) {
      // Ids are UUID text: nothing in them needs escaping.
      body += "{\"id\":\"";
      body += id;
      body += "\"}\n";
    }
  }
  out.headers.emplace_back("X-Total-Count", std::to_string(answer.count));
  out.body = std::move(body);
  return out;
}

/// Asks the segment host for every member of saved segment `id` and calls
/// `done` once: with them when the segment's actor is ready, with nothing
/// otherwise (no host, no actor, not ready, no answer).
void ask_members(caf::actor_system& sys, const std::string& id,
                 std::function<void(std::optional<live::region_answer>)> done) {
  auto host = caf::actor_cast<caf::actor>(
      sys.registry().get(caf::atom_from_string(live::host_name())));
  if (!host)
    return done(std::nullopt);
  sys.spawn([host, id, done](caf::event_based_actor* self) {
    self->request(host, std::chrono::seconds{5}, live::segment_ids_atom::value,
                  id, std::uint64_t{live::all_ids})
        .then(
            [self, done](bool ready, std::uint64_t count,
                         std::vector<std::string>& ids) {
              if (ready)
                done(live::region_answer{count, std::move(ids)});
              else
                done(std::nullopt);
              self->quit();
            },
            [self, done](caf::error&) {
              done(std::nullopt);
              self->quit();
            });
  });
}

} // namespace

void add_segment_live_routes(
    router& routes, caf::actor_system& sys,
    std::shared_ptr<const actors::segments::segment_region> region) {
  routes.add(
      "POST", "/api/segments/preview",
      access::viewer.limited_as(actors::limits::route_class::segment_evaluate),
      [&sys, region](http_request req, responder reply) {
        issues found;
        auto def = read_preview(req.body, found);
        if (!def)
          return reply(found.response());
        ask(sys, region,
            std::make_shared<const seg::segment_definition>(std::move(*def)),
            preview_sample_size, std::move(reply),
            [](const live::region_answer& a) {
              return json_response(200,
                                   {{"count", a.count}, {"sample", a.ids}});
            });
      });
  routes.add("GET", "/api/segments/{id}/members", access::viewer,
             [&sys, region](http_request req, responder reply) {
               auto csv = wants_csv(req);
               run_db<storage::segment_record>(
                   sys, db_role::read,
                   actors::domain::get_segment(req.params.at("id")),
                   [&sys, region, csv, reply](storage::segment_record& s) {
                     auto parsed = seg::parse_definition(
                         json::parse(s.definition, nullptr, false));
                     if (!parsed.ok())
                       return reply(problem(400, "Invalid segment definition"));
                     auto def = std::make_shared<const seg::segment_definition>(
                         std::move(*parsed.definition));
                     // The segment actor's members when it is ready; else
                     // a full evaluation now.
                     ask_members(sys, s.id,
                                 [&sys, region, csv, reply, def](
                                     std::optional<live::region_answer> held) {
                                   if (held)
                                     return reply(members_body(*held, csv));
                                   ask(sys, region, def, live::all_ids, reply,
                                       [csv](const live::region_answer& a) {
                                         return members_body(a, csv);
                                       });
                                 });
                   },
                   [reply](caf::error& err) { reply(error_response(err)); });
             });
}

} // namespace cdpd::net::api
