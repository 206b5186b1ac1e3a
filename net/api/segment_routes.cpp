#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/ask.hpp"
#include "actors/domain/segment_work.hpp"
#include "actors/segments/segment_messages.hpp"
#include "config/text.hpp"
#include "net/api/db_call.hpp"
#include "net/api/json_codecs.hpp"
#include "net/api/paging.hpp"
#include "net/api/resource_routes.hpp"
#include "net/api/validation.hpp"

namespace cdpd::net::api {

namespace live = actors::segments;

namespace {

using nlohmann::json;
namespace domain = actors::domain;
namespace seg = storage::segments;

/// Segment JSON; the stored definition is sent back as an object. The live
/// figures (count, updated_at, last_evaluated_at) are null here.
json to_json(const storage::segment_record& s) {
  auto definition = json::parse(s.definition, nullptr, false);
  if (definition.is_discarded())
    definition = json::object();
  return {{"id", s.id},
          {"name", s.name},
          {"description", s.description ? json(*s.description) : json(nullptr)},
          {"definition", std::move(definition)},
          {"created_at", s.created_at},
          // Filled in by GET /api/segments/{id} from the segment's actor.
          {"count", nullptr},
          {"updated_at", nullptr},
          {"last_evaluated_at", nullptr}};
}

/// A segment's figures from its segment actor (see
/// actors/segments/segment_messages.hpp, a header-only protocol, so this
/// module does not link the live segments).
struct live_figures {
  std::uint64_t count = 0;
  std::int64_t updated_at = 0;        ///< microseconds since the epoch
  std::int64_t last_evaluated_at = 0; ///< microseconds since the epoch
};

/// How long a route waits for the segment host before answering without it
/// (the host answers in microseconds unless a read of `segments` holds it).
constexpr std::chrono::seconds live_timeout{1};

/// Sends `args` to the node's segment host from a short-lived actor and
/// calls `on_reply` with its answer, or `none` when the node runs no host
/// or no answer came in time. The actor ends with its only request.
template <class OnReply, class... Args>
void ask_host(caf::actor_system& sys, std::function<void()> none,
              OnReply on_reply, Args... args) {
  auto host =
      caf::actor_cast<live::segment_host>(sys.registry().get(live::host_key));
  if (!host)
    return none();
  actors::ask(
      sys, host, live_timeout, on_reply, [none](caf::error&) { none(); },
      args...);
}

/// Asks the node's segment host for segment `id`'s figures and calls
/// `done` once: with them when its actor is ready, with nothing when the
/// node runs no host, the segment has no ready actor, or no answer came.
void ask_live(caf::actor_system& sys, const std::string& id,
              std::function<void(std::optional<live_figures>)> done) {
  ask_host(
      sys, [done] { done(std::nullopt); },
      [done](bool ready, std::uint64_t count, std::int64_t updated,
             std::int64_t evaluated) {
        done(ready ? std::optional{live_figures{count, updated, evaluated}}
                   : std::nullopt);
      },
      live::segment_count_atom::value, config::lower(id));
}

/// A segment's count and first members (in id order) from its actor.
struct live_members {
  std::uint64_t count = 0;
  std::vector<std::string> ids;
};

/// Asks the node's segment host for segment `id`'s count and first `limit`
/// member ids and calls `done` once, like ask_live.
void ask_live_members(caf::actor_system& sys, const std::string& id,
                      std::uint64_t limit,
                      std::function<void(std::optional<live_members>)> done) {
  ask_host(
      sys, [done] { done(std::nullopt); },
      [done](bool ready, std::uint64_t count,
             const std::vector<std::string>& ids) {
        done(ready ? std::optional{live_members{count, ids}} : std::nullopt);
      },
      live::segment_ids_atom::value, config::lower(id), limit);
}

/// The members `users` and `evaluate` show: from the segment's actor when
/// it is ready (its count and first `limit` ids, in id order, with their
/// rows read by id), else from SQL in (created_at, id) order.
void members_of(caf::actor_system& sys, const std::string& id,
                std::int64_t limit, responder reply,
                http_response (*respond)(domain::segment_members&)) {
  ask_live_members(
      sys, id, static_cast<std::uint64_t>(limit),
      [&sys, id, limit, reply, respond](std::optional<live_members> live) {
        if (live)
          return call_db(sys, db_role::read,
                         domain::segment_members_by_id(
                             id, static_cast<std::int64_t>(live->count),
                             std::move(live->ids)),
                         reply, respond);
        call_db(sys, db_role::read, domain::segment_members_of(id, limit),
                reply, respond);
      });
}

/// "criteria[2].operator" as ["criteria", 2, "operator"].
json path_parts(const std::string& path) {
  json out = json::array();
  std::string word;
  auto flush = [&] {
    if (!word.empty())
      out.push_back(word);
    word.clear();
  };
  for (std::size_t i = 0; i < path.size(); ++i) {
    char ch = path[i];
    if (ch == '.') {
      flush();
    } else if (ch == '[') {
      auto close = path.find(']', i);
      auto digits = path.substr(i + 1, close - i - 1);
      if (close == std::string::npos || digits.empty() || digits.size() > 9 ||
          !std::all_of(digits.begin(), digits.end(),
                       [](unsigned char d) { return std::isdigit(d) != 0; })) {
        word += ch;
        continue;
      }
      flush();
      out.push_back(std::stoll(digits));
      i = close;
    } else {
      word += ch;
    }
  }
  flush();
  return out;
}

/// Records every problem parse_definition finds in `definition`.
void check_definition(const json& definition, const json& loc, issues& found) {
  auto parsed = seg::parse_definition(definition);
  for (const auto& err : parsed.errors) {
    auto where = loc_with(loc, "definition");
    for (const auto& part : path_parts(err.path))
      where.push_back(part);
    found.add(std::move(where), err.message, "value_error.segment");
  }
}

/// Reads SegmentCreate (`create`) or SegmentUpdate, validating the
/// definition.
std::optional<storage::segment_fields>
read_segment(const std::string& body, bool create, issues& found) {
  auto obj = parse_object(body, found);
  if (!obj)
    return std::nullopt;
  const json loc = json::array({"body"});
  storage::segment_fields out;
  auto name = read_string(*obj, "name", loc, found);
  auto description = read_string(*obj, "description", loc, found);
  auto definition = read_object(*obj, "definition", loc, found);
  if (create) {
    require(name, loc, "name", found);
    if (definition.is_null())
      require(definition, loc, "definition", found);
  }
  // Null for a NOT NULL column means "leave it" on update.
  out.name = name.value;
  if (description.present)
    out.description = description.value;
  if (definition.value) {
    check_definition(*definition.value, loc, found);
    out.definition = definition.value->dump();
  }
  if (!found.empty())
    return std::nullopt;
  return out;
}

/// The `limit` query parameter of the member routes: default 100, clamped
/// to max_page_limit like the lists' limit.
std::int64_t read_member_limit(const http_request& req, issues& found) {
  auto limit = query_int(req, "limit", found);
  if (!limit)
    return 100;
  return *limit < 0 ? max_page_limit : std::min(*limit, max_page_limit);
}

/// A member timestamp as a naive ISO string (fraction only when not zero).
std::string iso_text(seg::timestamp t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss<microseconds> hms{t - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld",
                static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()),
                static_cast<long long>(hms.hours().count()),
                static_cast<long long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  std::string out = buf;
  if (auto micros = hms.subseconds().count(); micros != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(micros));
    out += buf;
  }
  return out;
}

/// A member as the prototype's User JSON.
storage::customer_record as_record(const seg::customer_row& r) {
  storage::customer_record c;
  c.id = r.id;
  c.email = r.email;
  c.phone = r.phone;
  c.first_name = r.first_name;
  c.last_name = r.last_name;
  c.marketing_opt_in = r.marketing_opt_in;
  c.shipping_state = r.shipping_state;
  c.shipping_country = r.shipping_country;
  c.total_order_value = r.total_order_value;
  c.order_count = r.order_count;
  if (r.last_order_date)
    c.last_order_date = iso_text(*r.last_order_date);
  c.created_at = iso_text(r.created_at);
  return c;
}

/// The value `/users` shows for the extra column; null is "-".
json extra_value(const seg::customer_row& r, seg::field f) {
  auto text = [](const std::optional<std::string>& v) {
    return v ? json(*v) : json("-");
  };
  switch (f) {
  case seg::field::email:
    return r.email;
  case seg::field::phone:
    return text(r.phone);
  case seg::field::first_name:
    return r.first_name;
  case seg::field::last_name:
    return r.last_name;
  case seg::field::marketing_opt_in:
    return r.marketing_opt_in;
  case seg::field::shipping_state:
    return text(r.shipping_state);
  case seg::field::shipping_country:
    return text(r.shipping_country);
  case seg::field::total_order_value:
    return r.total_order_value;
  case seg::field::order_count:
    return r.order_count;
  case seg::field::last_order_date:
    return r.last_order_date ? json(iso_text(*r.last_order_date)) : json("-");
  case seg::field::created_at:
    return iso_text(r.created_at);
  case seg::field::days_since_last_order:
  case seg::field::lifetime_value:
  case seg::field::average_order_value:
    break;
  }
  return "-";
}

http_response users_response(domain::segment_members& m) {
  json columns = json::array({"name", "email"});
  if (m.extra)
    columns.push_back(std::string{seg::name(*m.extra)});
  json users = json::array();
  for (const auto& r : m.rows) {
    json user{{"id", r.id},
              {"name", r.first_name + " " + r.last_name},
              {"email", r.email}};
    if (m.extra)
      user[std::string{seg::name(*m.extra)}] = extra_value(r, *m.extra);
    users.push_back(std::move(user));
  }
  return json_response(200, {{"segment_id", m.segment_id},
                             {"total_count", m.total},
                             {"users", std::move(users)},
                             {"columns", std::move(columns)}});
}

http_response evaluate_response(domain::segment_members& m) {
  json users = json::array();
  for (const auto& r : m.rows)
    users.push_back(api::to_json(as_record(r)));
  return json_response(200, {{"segment_id", m.segment_id},
                             {"matching_users_count", m.total},
                             {"users", std::move(users)}});
}

/// Microseconds since the epoch as a naive UTC ISO string; null for 0.
json time_json(std::int64_t us) {
  if (us == 0)
    return nullptr;
  return iso_text(seg::timestamp{std::chrono::microseconds{us}});
}

/// A segment with its live figures (all null while its actor is not ready
/// or the node keeps none).
http_response live_segment_response(const storage::segment_record& s,
                                    const std::optional<live_figures>& live) {
  auto out = to_json(s);
  out["count"] = live ? json(live->count) : json(nullptr);
  out["updated_at"] = live ? time_json(live->updated_at) : json(nullptr);
  out["last_evaluated_at"] =
      live ? time_json(live->last_evaluated_at) : json(nullptr);
  return json_response(200, out);
}

/// A segment just written: its actor (if the node keeps them) evaluates it
/// within about a second, so the live figures are null here.
http_response segment_response(storage::segment_record& s) {
  return live_segment_response(s, std::nullopt);
}

} // namespace

void add_segment_routes(router& routes, caf::actor_system& sys) {
  routes.add("GET", "/api/segments/", access::viewer,
             [&sys](http_request req, responder reply) {
               issues found;
               auto page = read_page(req, found);
               if (!found.empty())
                 return reply(found.response());
               call_db(sys, db_role::read, domain::list_segments(page),
                       std::move(reply),
                       [](storage::page<storage::segment_record>& page) {
                         json list = json::array();
                         for (const auto& s : page.items)
                           list.push_back(to_json(s));
                         auto response = json_response(200, list);
                         add_page_headers(response, page);
                         return response;
                       });
             });
  routes.add(
      "GET", "/api/segments/{id}", access::viewer,
      [&sys](http_request req, responder reply) {
        run_db(
            sys, db_role::read, domain::get_segment(req.params.at("id")),
            [&sys, reply](storage::segment_record& s) {
              ask_live(sys, s.id, [reply, s](std::optional<live_figures> live) {
                reply(live_segment_response(s, live));
              });
            },
            [reply](caf::error& err) { reply(problem_from_error(err)); });
      });
  routes.add("POST", "/api/segments/", access::manager,
             [&sys](http_request req, responder reply) {
               issues found;
               auto fields = read_segment(req.body, true, found);
               if (!fields)
                 return reply(found.response());
               call_db(sys, db_role::write, domain::create_segment(*fields),
                       std::move(reply), segment_response);
             });
  routes.add("PUT", "/api/segments/{id}", access::manager,
             [&sys](http_request req, responder reply) {
               issues found;
               auto fields = read_segment(req.body, false, found);
               if (!fields)
                 return reply(found.response());
               call_db(sys, db_role::write,
                       domain::update_segment(req.params.at("id"), *fields),
                       std::move(reply), segment_response);
             });
  routes.add("DELETE", "/api/segments/{id}", access::manager,
             [&sys](http_request req, responder reply) {
               call_db(sys, db_role::write,
                       domain::delete_segment(req.params.at("id")),
                       std::move(reply), [](bool&) {
                         return json_response(
                             200,
                             {{"message", "Segment deleted successfully"}});
                       });
             });
  routes.add(
      "GET", "/api/segments/{id}/count", access::viewer,
      [&sys](http_request req, responder reply) {
        auto id = req.params.at("id");
        // From the segment's actor when it is ready, else from SQL.
        ask_live(sys, id, [&sys, id, reply](std::optional<live_figures> live) {
          if (live)
            return reply(json_response(
                200, {{"segment_id", id}, {"count", live->count}}));
          call_db(sys, db_role::read, domain::count_segment(id), reply,
                  [id](std::int64_t& count) {
                    return json_response(
                        200, {{"segment_id", id}, {"count", count}});
                  });
        });
      });
  routes.add("GET", "/api/segments/{id}/users", access::viewer,
             [&sys](http_request req, responder reply) {
               issues found;
               auto limit = read_member_limit(req, found);
               if (!found.empty())
                 return reply(found.response());
               members_of(sys, req.params.at("id"), limit, std::move(reply),
                          users_response);
             });
  routes.add(
      "POST", "/api/segments/{id}/evaluate",
      access::viewer.limited_as(actors::limits::route_class::segment_evaluate),
      [&sys](http_request req, responder reply) {
        issues found;
        auto limit = read_member_limit(req, found);
        if (!found.empty())
          return reply(found.response());
        members_of(sys, req.params.at("id"), limit, std::move(reply),
                   evaluate_response);
      });
}

} // namespace cdpd::net::api
