#include "net/api/ai_routes.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/ai/ai_metrics.hpp"
#include "actors/ai/offline/answers.hpp"
#include "actors/ai/offline/segment_reader.hpp"
#include "actors/ai/segment_check.hpp"
#include "actors/domain/ai_request_work.hpp"
#include "actors/domain/flow_work.hpp"
#include "actors/domain/segment_work.hpp"
#include "net/api/db_call.hpp"
#include "net/api/validation.hpp"
#include "net/http/problem.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;
namespace ai = actors::ai;
namespace offline = actors::ai::offline;
namespace domain = actors::domain;

/// Every AI route: a manager's work, counted against ai-generate-per-minute
/// per caller (the access guard's limiter key: account, API key or address).
constexpr route_access ai_access =
    access::manager.limited_as(actors::limits::route_class::ai_generate);

/// The engine that answered, in every answer.
constexpr const char* offline_engine = "offline";

using metrics_ptr = std::shared_ptr<ai::ai_metrics>;

/// Who called, as the access guard's limiter keys them.
std::string caller_key(const http_request& req) {
  if (req.who.authenticated())
    return req.who.via == caller::proof::api_key ? req.who.subject
                                                 : "account:" + req.who.subject;
  return "ip:" + req.client_address;
}

/// The text an audit row keeps of a request: its prompt, else its segment
/// description and ids, else the body as sent (cut at 2,000 bytes).
std::string prompt_of(const http_request& req) {
  auto body = json::parse(req.body, nullptr, false);
  if (body.is_object()) {
    for (const auto* key : {"prompt", "segment_description"})
      if (auto it = body.find(key); it != body.end() && it->is_string())
        return it->get<std::string>();
    if (auto it = body.find("segment_id"); it != body.end() && it->is_string())
      return "segment " + it->get<std::string>();
  }
  return req.body.substr(0, 2000);
}

/// A responder that counts the answer in the AI metrics and records it in
/// ai_requests: the outcome from the status ("refused" is a 200 whose
/// segment came out empty) and the time since it was made. The audit row
/// is written after the answer is sent, by a message to the write db actor
/// that nobody waits for; a failed write does not change the answer.
responder counted(caf::actor_system& sys, const http_request& req,
                  responder reply, metrics_ptr metrics, const char* route) {
  auto started = std::chrono::steady_clock::now();
  storage::ai_request_entry entry;
  entry.account = caller_key(req);
  entry.route = route;
  entry.prompt = prompt_of(req);
  return [&sys, reply = std::move(reply), metrics, started,
          entry = std::move(entry)](http_response response) mutable {
    std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - started;
    const char* outcome = "error";
    if (response.status == 200)
      outcome = response.body.find(R"("criteria":[])") != std::string::npos
                    ? "refused"
                    : "ok";
    else if (response.status == 422)
      outcome = "invalid";
    else if (response.status == 404)
      outcome = "not_found";
    entry.engine = response.status == 200 ? offline_engine : "none";
    entry.outcome = outcome;
    entry.latency_ms = took.count() * 1000;
    metrics->answered(entry.route, entry.engine, outcome, took.count());
    reply(std::move(response));
    // Sent without waiting for the reply: nothing answers to it, and no
    // actor is left waiting on a db actor that stops first.
    if (auto db = find_db_actor(sys, db_role::write))
      caf::anon_send(db, actors::db_job_atom::value,
                     domain::record_ai_request(std::move(entry)).work);
  };
}

/// GET /api/ai/requests?limit=50&before=<id>: the audit, newest first;
/// `next_before` continues the list (null at its end).
void list_requests(caf::actor_system& sys, const http_request& req,
                   responder reply) {
  issues found;
  auto limit = query_int(req, "limit", found).value_or(50);
  auto before = query_int(req, "before", found);
  if (limit < 1 || limit > 500)
    found.add(json::array({"query", "limit"}),
              "ensure this value is between 1 and 500",
              "value_error.number.not_in_range");
  if (!found.empty())
    return reply(found.response());
  call_db(sys, db_role::read, domain::list_ai_requests(limit, before),
          std::move(reply),
          [limit](std::vector<storage::ai_request_record>& rows) {
            json list = json::array();
            for (const auto& r : rows)
              list.push_back(
                  {{"id", r.id},
                   {"account", r.entry.account},
                   {"route", r.entry.route},
                   {"prompt", r.entry.prompt},
                   {"engine", r.entry.engine},
                   {"model", r.entry.model ? json(*r.entry.model) : json()},
                   {"latency_ms", r.entry.latency_ms},
                   {"tokens_in", r.entry.tokens_in},
                   {"tokens_out", r.entry.tokens_out},
                   {"outcome", r.entry.outcome},
                   {"cache_hit", r.entry.cache_hit},
                   {"created_at", r.created_at}});
            json next = static_cast<std::int64_t>(rows.size()) == limit
                            ? json(rows.back().id)
                            : json();
            return json_response(200, {{"requests", std::move(list)},
                                       {"next_before", std::move(next)}});
          });
}

/// Characters of UTF-8 text (bytes that do not continue a character).
std::size_t characters(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text)
    n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

/// Reads a string member and refuses one longer than the prompt cap.
std::optional<std::string> read_text(const json& obj, const char* key,
                                     bool required, std::size_t cap,
                                     issues& found) {
  const json loc = json::array({"body"});
  auto f = read_string(obj, key, loc, found);
  if (required && !require(f, loc, key, found))
    return std::nullopt;
  if (f.value && characters(*f.value) > cap) {
    found.add(loc_with(loc, key),
              "ensure this value has at most " + std::to_string(cap) +
                  " characters",
              "value_error.any_str.max_length");
    return std::nullopt;
  }
  return f.value;
}

/// The definition checked by the segment language, with what was dropped
/// said in the answer.
void put_checked(json& answer, const json& definition) {
  auto checked = ai::check_segment(definition);
  answer["logical_operator"] = checked.definition["logical_operator"];
  answer["criteria"] = checked.definition["criteria"];
  answer["dropped"] = ai::dropped_json(checked.dropped);
  if (!checked.dropped.empty())
    answer["explanation"] =
        answer.value("explanation", "") + " Left out " +
        std::to_string(checked.dropped.size()) +
        " criterion(s) the segment language does not accept.";
}

/// The body of an AI request as a JSON object, and the prompt cap.
struct ai_body {
  json fields;
  std::size_t cap = 0;
};

std::optional<ai_body> read_body(const http_request& req,
                                 const config::ai_settings& settings,
                                 issues& found) {
  auto body = parse_object(req.body, found);
  if (!body)
    return std::nullopt;
  return ai_body{std::move(*body),
                 static_cast<std::size_t>(settings.max_prompt_chars)};
}

/// POST /api/ai/segments/build {prompt}.
http_response build_segment(const http_request& req,
                            const config::ai_settings& settings) {
  issues found;
  auto body = read_body(req, settings, found);
  if (!body)
    return found.response();
  auto prompt = read_text(body->fields, "prompt", true, body->cap, found);
  if (!found.empty())
    return found.response();
  auto reading = offline::read_segment(*prompt);
  json answer = {{"explanation", reading.explanation}};
  put_checked(answer, reading.definition);
  answer["engine"] = offline_engine;
  return json_response(200, answer);
}

/// The segment description the prompts use: the request's, then the
/// segment's name, then its description (eca2-api-contract.md 3.6).
std::string description_of(const std::optional<std::string>& requested,
                           const storage::segment_record& segment) {
  if (requested && !requested->empty())
    return *requested;
  if (!segment.name.empty())
    return segment.name;
  if (segment.description && !segment.description->empty())
    return *segment.description;
  return "Selected segment";
}

json definition_of(const storage::segment_record& segment) {
  auto definition = json::parse(segment.definition, nullptr, false);
  return definition.is_discarded() ? json::object() : definition;
}

/// The segment_id and segment_description of a generation request.
struct segment_request {
  std::string segment_id;
  std::optional<std::string> description;
  std::optional<std::string> flow_id;
};

std::optional<segment_request> read_segment_request(const http_request& req,
                                                    std::size_t cap,
                                                    bool with_flow,
                                                    issues& found) {
  auto body = parse_object(req.body, found);
  if (!body)
    return std::nullopt;
  segment_request out;
  auto id = read_text(*body, "segment_id", true, cap, found);
  out.description = read_text(*body, "segment_description", false, cap, found);
  if (with_flow)
    out.flow_id = read_text(*body, "flow_id", false, cap, found);
  if (!found.empty())
    return std::nullopt;
  out.segment_id = *id;
  return out;
}

void generate_flow(caf::actor_system& sys, const http_request& req,
                   responder reply, const config::ai_settings& settings) {
  issues found;
  auto input = read_segment_request(
      req, static_cast<std::size_t>(settings.max_prompt_chars), false, found);
  if (!input)
    return reply(found.response());
  call_db(sys, db_role::read, domain::get_segment(input->segment_id),
          std::move(reply),
          [description = input->description](storage::segment_record& s) {
            auto answer = offline::flow_for(description_of(description, s),
                                            definition_of(s));
            answer["engine"] = offline_engine;
            return json_response(200, answer);
          });
}

void generate_campaign(caf::actor_system& sys, const http_request& req,
                       responder reply, const config::ai_settings& settings) {
  issues found;
  auto input = read_segment_request(
      req, static_cast<std::size_t>(settings.max_prompt_chars), true, found);
  if (!input)
    return reply(found.response());
  auto answer = [input = *input](const storage::segment_record& s,
                                 std::optional<std::string> flow_name) {
    auto out = offline::campaign_for(description_of(input.description, s),
                                     definition_of(s), flow_name);
    out["engine"] = offline_engine;
    return json_response(200, out);
  };
  run_db(
      sys, db_role::read, domain::get_segment(input->segment_id),
      [&sys, reply, answer,
       flow_id = input->flow_id](storage::segment_record& s) {
        if (!flow_id || flow_id->empty())
          return reply(answer(s, std::nullopt));
        // An unknown flow is ignored, as in the prototype.
        run_db(
            sys, db_role::read, domain::get_flow(*flow_id),
            [reply, answer, s](storage::flow_record& f) {
              reply(answer(s, f.name.value_or("")));
            },
            [reply, answer, s](caf::error&) {
              reply(answer(s, std::nullopt));
            });
      },
      [reply](caf::error& err) { reply(problem_from_error(err)); });
}

http_response chat(const http_request& req,
                   const config::ai_settings& settings) {
  issues found;
  auto body = read_body(req, settings, found);
  if (!body)
    return found.response();
  auto prompt = read_text(body->fields, "prompt", true, body->cap, found);
  auto context = read_text(body->fields, "context", false, body->cap, found);
  if (!found.empty())
    return found.response();
  auto answer = offline::chat_answer(*prompt, context.value_or(""));
  json segment = {{"explanation", ""}};
  put_checked(segment, answer["segment"]);
  segment.erase("explanation");
  answer["segment"] = std::move(segment);
  answer["engine"] = offline_engine;
  return json_response(200, answer);
}

http_response generate_content(const http_request& req,
                               const config::ai_settings& settings) {
  issues found;
  auto body = read_body(req, settings, found);
  if (!body)
    return found.response();
  const json loc = json::array({"body"});
  const auto& fields = body->fields;
  auto description =
      read_text(fields, "segment_description", true, body->cap, found);
  auto step_type = read_text(fields, "step_type", true, body->cap, found);
  auto step_number = read_int(fields, "step_number", loc, found);
  require(step_number, loc, "step_number", found);
  if (!found.empty())
    return found.response();
  auto answer = offline::step_content(*description, *step_type,
                                      static_cast<int>(*step_number.value));
  answer["engine"] = offline_engine;
  return json_response(200, answer);
}

} // namespace

void add_ai_routes(router& routes, caf::actor_system& sys,
                   const config::ai_settings& settings,
                   prometheus::Registry* registry) {
  auto metrics = std::make_shared<ai::ai_metrics>(registry);
  routes.add("POST", "/api/ai/segments/build", ai_access,
             [&sys, settings, metrics](http_request req, responder reply) {
               counted(sys, req, std::move(reply), metrics,
                       "segments/build")(build_segment(req, settings));
             });
  routes.add("POST", "/api/ai/flows/generate-from-segment", ai_access,
             [&sys, settings, metrics](http_request req, responder reply) {
               auto answer = counted(sys, req, std::move(reply), metrics,
                                     "flows/generate-from-segment");
               generate_flow(sys, req, std::move(answer), settings);
             });
  routes.add("POST", "/api/ai/campaigns/generate", ai_access,
             [&sys, settings, metrics](http_request req, responder reply) {
               auto answer = counted(sys, req, std::move(reply), metrics,
                                     "campaigns/generate");
               generate_campaign(sys, req, std::move(answer), settings);
             });
  routes.add("POST", "/api/ai/chat", ai_access,
             [&sys, settings, metrics](http_request req, responder reply) {
               counted(sys, req, std::move(reply), metrics,
                       "chat")(chat(req, settings));
             });
  routes.add("POST", "/api/ai/flows/generate-content", ai_access,
             [&sys, settings, metrics](http_request req, responder reply) {
               counted(sys, req, std::move(reply), metrics,
                       "flows/generate-content")(
                   generate_content(req, settings));
             });
  routes.add("GET", "/api/ai/requests", access::admin,
             [&sys](http_request req, responder reply) {
               list_requests(sys, req, std::move(reply));
             });
}

} // namespace cdpd::net::api
