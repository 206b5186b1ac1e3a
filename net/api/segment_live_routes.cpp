#include "net/api/segment_live_routes.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/ask.hpp"
#include "actors/domain/segment_work.hpp"
#include "actors/segments/segment_host.hpp"
#include "actors/segments/segment_messages.hpp"
#include "actors/segments/segment_region.hpp"
#include "actors/segments/shard_messages.hpp"
#include "net/api/db_call.hpp"
#include "net/api/validation.hpp"
#include "net/http/problem.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;
namespace seg = storage::segments;
namespace live = actors::segments;
using definition_ptr = std::shared_ptr<const seg::segment_definition>;
using clock_type = std::chrono::system_clock;

/// Asks the segments layer (the shards, or PostgreSQL when the engine
/// cannot evaluate the definition); then answers with `reply(answer)` or
/// an error response.
template <class Reply>
void ask(const std::shared_ptr<const live::segment_region>& region,
         live::shard_definition definition, std::size_t max_ids,
         responder respond, Reply reply) {
  region->answer(std::move(definition), std::chrono::system_clock::now(),
                 max_ids,
                 [respond, reply](caf::expected<live::region_answer> answer) {
                   if (answer)
                     return respond(reply(*answer));
                   respond(problem_from_error(answer.error()));
                 });
}

/// The definition in a preview body: the body itself, or its "definition"
/// member as the create route takes it.
std::optional<live::shard_definition> read_preview(const std::string& body,
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
  return live::shard_definition{definition->dump(),
                                std::make_shared<const seg::segment_definition>(
                                    std::move(*parsed.definition))};
}

/// True when the Accept header asks for CSV.
bool wants_csv(const http_request& req) {
  return req.header("Accept").find("text/csv") != std::string::npos;
}

/// Member ids asked of a segment actor per page, and written per piece of
/// the members body (about 45 KB as NDJSON).
constexpr std::uint64_t members_page = 1'000;

/// How long one page may take to arrive before the export is aborted.
constexpr std::chrono::seconds page_timeout{10};

/// `ids` as body text: CSV rows, or NDJSON lines `{"id":"..."}`.
std::string member_lines(std::vector<std::string>::const_iterator first,
                         std::vector<std::string>::const_iterator last,
                         bool csv, bool header) {
  std::string out;
  out.reserve(static_cast<std::size_t>(last - first) * (csv ? 37 : 45) + 3);
  if (csv && header)
    out += "id\n";
  for (auto i = first; i != last; ++i) {
    if (csv) {
      out += *i;
    } else {
      // Ids are UUID text: nothing in them needs escaping.
      out += "{\"id\":\"";
      out += *i;
      out += "\"}";
    }
    out += '\n';
  }
  return out;
}

/// One members export in progress: the ids in hand, and where to get the
/// next ones (the segment host, from the cursor on), if anywhere.
struct member_export {
  caf::actor_system* sys = nullptr;
  std::string segment; ///< the saved segment's id
  bool csv = false;
  bool header_due = false;           ///< the CSV header line is not written
  std::vector<std::string> held;     ///< ids in hand, in id order
  std::size_t held_at = 0;           ///< the first not written
  bool exhausted = false;            ///< no ids follow those in hand
  std::string after;                 ///< the last id written
  std::atomic<bool> unwanted{false}; ///< the client went away
};

using export_ptr = std::shared_ptr<member_export>;

/// Asks the segment host for the page of saved segment `id`'s members
/// after `after` ("" for the first) and calls `done` once: with them when
/// the segment's actor is ready, with nothing otherwise (no host, no actor,
/// not ready, no answer in page_timeout).
void ask_members(caf::actor_system& sys, const std::string& id,
                 const std::string& after,
                 std::function<void(std::optional<live::region_answer>)> done) {
  auto host =
      caf::actor_cast<live::segment_host>(sys.registry().get(live::host_key));
  if (!host)
    return done(std::nullopt);
  actors::ask(
      sys, host, page_timeout,
      [done](bool ready, std::uint64_t count, std::vector<std::string>& ids) {
        if (ready)
          done(live::region_answer{count, std::move(ids)});
        else
          done(std::nullopt);
      },
      [done](caf::error&) { done(std::nullopt); },
      live::segment_ids_atom::value, id, after, members_page);
}

void fetch_page(const export_ptr& x, piece_sink next);

/// The body producer of a members export: writes up to members_page ids
/// in hand, or asks the segment host for the next page first.
void produce_members(const export_ptr& x, piece_sink next) {
  if (!next) {
    // Nothing more is wanted; a page on its way is dropped when it comes.
    x->unwanted = true;
    return;
  }
  if (x->held_at == x->held.size() && !x->exhausted)
    return fetch_page(x, std::move(next));
  auto from = x->held.cbegin() + static_cast<std::ptrdiff_t>(x->held_at);
  auto n = std::min<std::size_t>(members_page, x->held.size() - x->held_at);
  auto to = from + static_cast<std::ptrdiff_t>(n);
  body_chunk piece;
  piece.data = member_lines(from, to, x->csv, x->header_due);
  x->header_due = false;
  if (n > 0)
    x->after = *(to - 1);
  x->held_at += n;
  if (x->held_at == x->held.size()) {
    std::vector<std::string>{}.swap(x->held);
    x->held_at = 0;
    piece.last = x->exhausted;
  }
  next(std::move(piece));
}

/// Asks the segment host for the members after the cursor; a failure (no
/// host, no actor, not ready any more, no answer in time) aborts the body.
void fetch_page(const export_ptr& x, piece_sink next) {
  ask_members(*x->sys, x->segment, x->after,
              [x, next](std::optional<live::region_answer> page) {
                if (x->unwanted)
                  return;
                if (!page)
                  return next(body_chunk{{}, false, true});
                x->exhausted = page->ids.size() < members_page;
                x->held = std::move(page->ids);
                x->held_at = 0;
                produce_members(x, next);
              });
}

/// The members response: the header now, the ids streamed in pieces of
/// members_page (`first` in hand; with `more`, the following ones paged
/// from the segment host).
http_response members_response(caf::actor_system& sys, std::string segment,
                               live::region_answer first, bool more, bool csv) {
  auto x = std::make_shared<member_export>();
  x->sys = &sys;
  x->segment = std::move(segment);
  x->csv = csv;
  x->header_due = csv;
  x->held = std::move(first.ids);
  x->exhausted = !more;
  http_response out;
  out.content_type = csv ? "text/csv; charset=utf-8" : "application/x-ndjson";
  out.headers.emplace_back("X-Total-Count", std::to_string(first.count));
  out.producer = [x](piece_sink next) { produce_members(x, std::move(next)); };
  return out;
}

} // namespace

void add_segment_live_routes(
    router& routes, caf::actor_system& sys,
    std::shared_ptr<const actors::segments::segment_region> region) {
  routes.add(
      "POST", "/api/segments/preview",
      access::viewer.limited_as(actors::limits::route_class::segment_evaluate),
      [region](http_request req, responder reply) {
        issues found;
        auto def = read_preview(req.body, found);
        if (!def)
          return reply(found.response());
        ask(region, std::move(*def), preview_sample_size, std::move(reply),
            [](const live::region_answer& a) {
              return json_response(200,
                                   {{"count", a.count}, {"sample", a.ids}});
            });
      });
  routes.add(
      "GET", "/api/segments/{id}/members", access::viewer,
      [&sys, region](http_request req, responder reply) {
        auto csv = wants_csv(req);
        run_db(
            sys, db_role::read,
            actors::domain::get_segment(req.params.at("id")),
            [&sys, region, csv, reply](storage::segment_record& s) {
              auto def = live::make_shard_definition(s.definition);
              if (!def)
                return reply(problem(400, "Invalid segment definition"));
              // The segment actor's members when it is ready; else
              // a full evaluation now.
              ask_members(sys, s.id, std::string{},
                          [&sys, region, csv, reply, def, id = s.id](
                              std::optional<live::region_answer> first) {
                            if (first) {
                              bool more = first->ids.size() >= members_page;
                              return reply(members_response(
                                  sys, id, std::move(*first), more, csv));
                            }
                            ask(region, *def, live::all_ids, reply,
                                [&sys, csv, id](live::region_answer& a) {
                                  return members_response(sys, id, std::move(a),
                                                          false, csv);
                                });
                          });
            },
            [reply](caf::error& err) { reply(problem_from_error(err)); });
      });
}

} // namespace cdpd::net::api
