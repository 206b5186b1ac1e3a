#include "net/api/ai_routes.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
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
#include "actors/ai/provider_connector.hpp"
#include "actors/ai/provider_reply.hpp"
#include "actors/ai/segment_check.hpp"
#include "actors/ask.hpp"
#include "actors/atoms.hpp"
#include "actors/domain/ai_request_work.hpp"
#include "actors/domain/flow_work.hpp"
#include "actors/domain/segment_work.hpp"
#include "net/ai/provider_setup.hpp"
#include "net/api/ai_cache.hpp"
#include "net/api/ai_provider_answers.hpp"
#include "net/api/db_call.hpp"
#include "net/api/validation.hpp"
#include "net/http/problem.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;
namespace ai = actors::ai;
namespace offline = actors::ai::offline;
namespace domain = actors::domain;

/// Every AI route: a manager's work. Each answer that is not in the cache
/// is charged against ai-generate-per-minute per caller by the route itself
/// (through the access guard's charge, keyed like its other limits:
/// account, API key or address), so a cached answer costs nothing.
constexpr route_access ai_access = access::manager;

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

/// Who answered a request and at what cost, for its audit row; filled in
/// by the provider path before it replies.
struct audit_note {
  std::string engine = offline_engine;
  std::optional<std::string> model;
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  bool cache_hit = false;
  /// What the request's answer path shares: the cache, the metrics and
  /// the charge of one ai_generate token (only for an answer not cached).
  std::shared_ptr<ai_answer_cache> cache;
  metrics_ptr metrics;
  std::function<void(std::function<void(std::optional<http_response>)>)> charge;
};
using note_ptr = std::shared_ptr<audit_note>;

/// A responder that counts the answer in the AI metrics and records it in
/// ai_requests: the engine and tokens from `note`, the outcome from the
/// status ("refused" is a 200 whose segment came out empty) and the time
/// since it was made. The audit row is written after the answer is sent,
/// by a message to the write db actor that nobody waits for; a failed
/// write does not change the answer.
responder counted(caf::actor_system& sys, const http_request& req,
                  responder reply, metrics_ptr metrics, const char* route,
                  note_ptr note = std::make_shared<audit_note>()) {
  auto started = std::chrono::steady_clock::now();
  storage::ai_request_entry entry;
  entry.account = caller_key(req);
  entry.route = route;
  entry.prompt = prompt_of(req);
  return [&sys, reply = std::move(reply), metrics, started, note,
          entry = std::move(entry)](http_response response) mutable {
    std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - started;
    const char* outcome = "error";
    if (response.status == 200)
      outcome = response.body.find(R"("error":{)") != std::string::npos
                    ? "fallback"
                : response.body.find(R"("criteria":[])") != std::string::npos
                    ? "refused"
                    : "ok";
    else if (response.status == 422)
      outcome = "invalid";
    else if (response.status == 404)
      outcome = "not_found";
    entry.engine = response.status == 200 ? note->engine : "none";
    entry.model = note->model;
    entry.tokens_in = note->tokens_in;
    entry.tokens_out = note->tokens_out;
    entry.cache_hit = note->cache_hit;
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

using ai_answers::put_checked;

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

/// What a route asks: the message to the model, and the offline engine's
/// answer (without "engine"), made only when it is needed.
struct engine_call {
  std::string route;
  std::string user;
  std::function<json()> offline;
};

constexpr const char* json_only = "\n\nAnswer with the JSON object only.";

/// Answers `call`: through the provider connector when a provider is
/// configured, else, and whenever the provider fails, its breaker is open
/// or its reply is unusable, with the offline engine at once; then the
/// answer's "error" says why ({error, message, details, retry_after?}, as
/// eca2-api-contract.md 7.4 names them) and a quota answer carries
/// Retry-After. Every answer says its engine: "offline" or the model.
void ask_engine(caf::actor_system& sys, const config::ai_settings& settings,
                engine_call call, const note_ptr& note, responder reply,
                const std::string& key) {
  auto fallback = [reply, offline = call.offline, note,
                   key](std::optional<json> error, int retry_after) {
    auto out = offline();
    out["engine"] = offline_engine;
    if (error)
      out["error"] = std::move(*error);
    else
      note->cache->put(key, out.dump()); // no provider: the offline answer
    auto response = json_response(200, out);
    if (retry_after > 0)
      response.headers.emplace_back("Retry-After", std::to_string(retry_after));
    reply(std::move(response));
  };
  if (!net::ai::provider_configured(settings))
    return fallback(std::nullopt, 0);
  auto target = caf::actor_cast<caf::actor>(
      sys.registry().get(caf::atom(ai::provider_connector_name)));
  if (!target) {
    int retry_after = 0;
    auto info = ai_answers::error_info(
        caf::make_error(
            caf::sec::request_receiver_down,
            std::string{"the AI provider connector is not running"}),
        retry_after);
    return fallback(std::move(info), retry_after);
  }
  auto route = call.route;
  actors::ask(
      sys, target, caf::duration{settings.timeout + std::chrono::seconds{2}},
      [reply, note, route, fallback, key](std::string& raw) {
        auto got = json::parse(raw, nullptr, false);
        if (!got.is_object())
          return fallback(ai_answers::unusable_reply_info(
                              "the connector's reply is not JSON"),
                          0);
        auto model = got.value("model", std::string{});
        note->model = model;
        note->tokens_in = got.value("tokens_in", std::int64_t{0});
        note->tokens_out = got.value("tokens_out", std::int64_t{0});
        if (note->metrics)
          note->metrics->tokens(note->tokens_in, note->tokens_out);
        auto object =
            ai::extract_json_object(got.value("content", std::string{}));
        if (!object)
          return fallback(ai_answers::unusable_reply_info(
                              "the model's reply holds no JSON object"),
                          0);
        auto shaped = ai_answers::shape(route, *object);
        if (!shaped)
          return fallback(
              ai_answers::unusable_reply_info("the model's reply lacks what " +
                                              route + " returns"),
              0);
        note->engine = model;
        (*shaped)["engine"] = model;
        note->cache->put(key, shaped->dump());
        reply(json_response(200, *shaped));
      },
      [fallback](caf::error& err) {
        int retry_after = 0;
        auto info = ai_answers::error_info(err, retry_after);
        fallback(std::move(info), retry_after);
      },
      actors::ai_complete_atom::value, route, std::move(call.user));
}

/// Answers `call` from the cache when it holds the answer (free, and the
/// audit row says so), else charges one ai_generate token and asks the
/// engine (ask_engine), whose clean answers are cached.
void answer(caf::actor_system& sys, const config::ai_settings& settings,
            engine_call call, const note_ptr& note, responder reply) {
  auto model = net::ai::provider_configured(settings)
                   ? net::ai::model_of(settings)
                   : std::string{offline_engine};
  auto key = ai_answer_cache::key(call.route, call.user, model);
  auto go = [&sys, settings, call = std::move(call), note, reply, key] {
    ask_engine(sys, settings, call, note, reply, key);
  };
  note->cache->get(key, [note, reply, go](std::optional<std::string> hit) {
    if (hit) {
      auto cached = json::parse(*hit, nullptr, false);
      if (cached.is_object()) {
        note->cache_hit = true;
        note->engine = cached.value("engine", std::string{offline_engine});
        if (note->engine != offline_engine)
          note->model = note->engine;
        if (note->metrics)
          note->metrics->cache_hit();
        return reply(json_response(200, cached));
      }
    }
    note->charge([reply, go](std::optional<http_response> refusal) {
      if (refusal)
        return reply(std::move(*refusal));
      go();
    });
  });
}

/// POST /api/ai/segments/build {prompt}.
void build_segment(caf::actor_system& sys, const http_request& req,
                   responder reply, const config::ai_settings& settings,
                   const note_ptr& note) {
  issues found;
  auto body = read_body(req, settings, found);
  if (!body)
    return reply(found.response());
  auto prompt = read_text(body->fields, "prompt", true, body->cap, found);
  if (!found.empty())
    return reply(found.response());
  engine_call call{"segments/build", *prompt + json_only, [prompt = *prompt] {
                     auto reading = offline::read_segment(prompt);
                     json out = {{"explanation", reading.explanation}};
                     put_checked(out, reading.definition);
                     return out;
                   }};
  answer(sys, settings, std::move(call), note, std::move(reply));
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
                   responder reply, const config::ai_settings& settings,
                   const note_ptr& note) {
  issues found;
  auto input = read_segment_request(
      req, static_cast<std::size_t>(settings.max_prompt_chars), false, found);
  if (!input)
    return reply(found.response());
  run_db(
      sys, db_role::read, domain::get_segment(input->segment_id),
      [&sys, settings, note, reply,
       description = input->description](storage::segment_record& s) {
        auto text = description_of(description, s);
        auto definition = definition_of(s);
        engine_call call{
            "flows/generate-from-segment",
            "Segment: " + text + "\nDefinition: " + definition.dump() +
                json_only,
            [text, definition] { return offline::flow_for(text, definition); }};
        answer(sys, settings, std::move(call), note, reply);
      },
      [reply](caf::error& err) { reply(problem_from_error(err)); });
}

void generate_campaign(caf::actor_system& sys, const http_request& req,
                       responder reply, const config::ai_settings& settings,
                       const note_ptr& note) {
  issues found;
  auto input = read_segment_request(
      req, static_cast<std::size_t>(settings.max_prompt_chars), true, found);
  if (!input)
    return reply(found.response());
  auto respond = [&sys, settings, note, reply,
                  input = *input](const storage::segment_record& s,
                                  std::optional<std::string> flow_name) {
    auto text = description_of(input.description, s);
    auto definition = definition_of(s);
    std::string user = "Segment: " + text + "\nCriteria: " + definition.dump();
    if (flow_name)
      user += "\nFlow: " + *flow_name;
    engine_call call{
        "campaigns/generate", user + json_only, [text, definition, flow_name] {
          return offline::campaign_for(text, definition, flow_name);
        }};
    answer(sys, settings, std::move(call), note, reply);
  };
  run_db(
      sys, db_role::read, domain::get_segment(input->segment_id),
      [&sys, respond, flow_id = input->flow_id](storage::segment_record& s) {
        if (!flow_id || flow_id->empty())
          return respond(s, std::nullopt);
        // An unknown flow is ignored, as in the prototype.
        run_db(
            sys, db_role::read, domain::get_flow(*flow_id),
            [respond, s](storage::flow_record& f) {
              respond(s, f.name.value_or(""));
            },
            [respond, s](caf::error&) { respond(s, std::nullopt); });
      },
      [reply](caf::error& err) { reply(problem_from_error(err)); });
}

void chat(caf::actor_system& sys, const http_request& req, responder reply,
          const config::ai_settings& settings, const note_ptr& note) {
  issues found;
  auto body = read_body(req, settings, found);
  if (!body)
    return reply(found.response());
  auto prompt = read_text(body->fields, "prompt", true, body->cap, found);
  auto context = read_text(body->fields, "context", false, body->cap, found);
  if (!found.empty())
    return reply(found.response());
  std::string user;
  if (context && !context->empty())
    user = "Context: " + *context + "\n\n";
  user += "Question: " + *prompt + json_only;
  engine_call call{"chat", std::move(user),
                   [prompt = *prompt, context = context.value_or("")] {
                     auto out = offline::chat_answer(prompt, context);
                     json segment = {{"explanation", ""}};
                     put_checked(segment, out["segment"]);
                     segment.erase("explanation");
                     out["segment"] = std::move(segment);
                     return out;
                   }};
  answer(sys, settings, std::move(call), note, std::move(reply));
}

void generate_content(caf::actor_system& sys, const http_request& req,
                      responder reply, const config::ai_settings& settings,
                      const note_ptr& note) {
  issues found;
  auto body = read_body(req, settings, found);
  if (!body)
    return reply(found.response());
  const json loc = json::array({"body"});
  const auto& fields = body->fields;
  auto description =
      read_text(fields, "segment_description", true, body->cap, found);
  auto step_type = read_text(fields, "step_type", true, body->cap, found);
  auto step_number = read_int(fields, "step_number", loc, found);
  require(step_number, loc, "step_number", found);
  if (!found.empty())
    return reply(found.response());
  auto number = static_cast<int>(*step_number.value);
  engine_call call{
      "flows/generate-content",
      "Segment: " + *description + "\nStep type: " + *step_type +
          "\nStep number: " + std::to_string(number) + json_only,
      [description = *description, step_type = *step_type, number] {
        return offline::step_content(description, step_type, number);
      }};
  answer(sys, settings, std::move(call), note, std::move(reply));
}

} // namespace

void add_ai_routes(router& routes, caf::actor_system& sys,
                   const config::ai_settings& settings,
                   prometheus::Registry* registry, bool redis) {
  auto metrics = std::make_shared<ai::ai_metrics>(registry);
  auto cache =
      std::make_shared<ai_answer_cache>(sys, settings.cache_ttl, redis);
  auto guard = routes.guard();
  using handler = void (*)(caf::actor_system&, const http_request&, responder,
                           const config::ai_settings&, const note_ptr&);
  auto add = [&](const char* path, const char* route, handler run) {
    routes.add("POST", path, ai_access,
               [&sys, settings, metrics, route, run, cache,
                guard](http_request req, responder reply) {
                 auto note = std::make_shared<audit_note>();
                 note->cache = cache;
                 note->metrics = metrics;
                 // Only who called counts for the limit, not the body.
                 http_request caller_of;
                 caller_of.who = req.who;
                 caller_of.client_address = req.client_address;
                 note->charge = [guard, caller_of](auto done) {
                   if (!guard)
                     return done(std::nullopt);
                   guard->charge(caller_of,
                                 actors::limits::route_class::ai_generate,
                                 std::move(done));
                 };
                 auto counted_reply =
                     counted(sys, req, std::move(reply), metrics, route, note);
                 run(sys, req, std::move(counted_reply), settings, note);
               });
  };
  add("/api/ai/segments/build", "segments/build", build_segment);
  add("/api/ai/flows/generate-from-segment", "flows/generate-from-segment",
      generate_flow);
  add("/api/ai/campaigns/generate", "campaigns/generate", generate_campaign);
  add("/api/ai/chat", "chat", chat);
  add("/api/ai/flows/generate-content", "flows/generate-content",
      generate_content);
  routes.add("GET", "/api/ai/requests", access::admin,
             [&sys](http_request req, responder reply) {
               list_requests(sys, req, std::move(reply));
             });
}

} // namespace cdpd::net::api
