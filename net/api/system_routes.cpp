#include "net/api/system_routes.hpp"

#include <map>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>
#include <prometheus/text_serializer.h>

#include "actors/atoms.hpp"
#include "actors/check_result.hpp"
#include "net/http/problem.hpp"

namespace cdpd::net {

namespace {

using actors::check_atom;
using actors::check_result;

/// Collects the answers of one /health/ready request.
struct readiness_round {
  std::size_t expected = 0;
  std::map<std::string, check_result> results;
  responder respond;

  void add(const std::string& name, check_result result) {
    results[name] = std::move(result);
    if (results.size() < expected)
      return;
    bool ready = true;
    nlohmann::json checks = nlohmann::json::object();
    for (auto& [key, r] : results) {
      ready = ready && r.up;
      nlohmann::json entry{{"status", r.up ? "up" : "down"},
                           {"latency_ms", r.latency_ms}};
      if (!r.up)
        entry["error"] = r.error;
      checks[key] = std::move(entry);
    }
    respond(json_response(ready ? 200 : 503,
                          {{"status", ready ? "ready" : "unavailable"},
                           {"checks", std::move(checks)}}));
  }
};

void check_readiness(caf::actor_system& sys,
                     const system_routes_options& options, responder respond) {
  auto round = std::make_shared<readiness_round>();
  round->expected = options.checks.size();
  round->respond = std::move(respond);
  if (options.checks.empty()) {
    round->respond(json_response(
        200, {{"status", "ready"}, {"checks", nlohmann::json::object()}}));
    return;
  }
  // A short-lived actor per request: it lives while its requests are
  // pending and never blocks the I/O thread that called us.
  sys.spawn([round, options](caf::event_based_actor* self) {
    for (auto& check : options.checks) {
      auto target = caf::actor_cast<actors::checkable>(
          self->system().registry().get(caf::atom_from_string(check.actor)));
      if (!target) {
        round->add(check.name, {false, 0, check.actor + " is not running"});
        continue;
      }
      auto name = check.name;
      self->request(target, options.check_timeout, check_atom::value)
          .then([round, name](check_result& r) { round->add(name, r); },
                [round, name, self](caf::error& err) {
                  round->add(name, {false, 0, self->system().render(err)});
                });
    }
  });
}

} // namespace

void add_system_routes(router& routes, caf::actor_system& sys,
                       std::shared_ptr<prometheus::Registry> metrics,
                       system_routes_options options) {
  routes.add(
      "GET", "/", access::anyone_limited,
      [html = options.html_root](http_request request, responder respond) {
        if (html &&
            request.header("accept").find("text/html") != std::string::npos) {
          html(std::move(request), std::move(respond));
          return;
        }
        respond(
            json_response(200, {{"message", "E-commerce CDP Assistant API"}}));
      });
  routes.add("GET", "/health", access::anyone,
             [](http_request, responder respond) {
               respond(json_response(200, {{"status", "healthy"}}));
             });
  routes.add("GET", "/health/ready", access::anyone,
             [&sys, options](http_request, responder respond) {
               check_readiness(sys, options, std::move(respond));
             });
  routes.add("GET", "/metrics", options.metrics_access,
             [metrics](http_request, responder respond) {
               http_response response;
               response.content_type =
                   "text/plain; version=0.0.4; charset=utf-8";
               response.body =
                   prometheus::TextSerializer{}.Serialize(metrics->Collect());
               respond(std::move(response));
             });
}

} // namespace cdpd::net
