#include "net/api/system_routes.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

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

using check_results = std::map<std::string, check_result>;
using steady = std::chrono::steady_clock;

/// Whether `address` (as the server reports a peer) is this host.
bool is_loopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1" ||
         address.rfind("::ffff:127.", 0) == 0;
}

/// How long one round of checks answers every /health/ready request. The
/// route is public and unlimited (load balancers and orchestrators probe
/// it, and a 429 would take the node out), so a flood of requests costs at
/// most one round of checks per this period.
constexpr std::chrono::milliseconds readiness_reuse{1000};

/// The readiness answer: every check's state, and for callers with a role
/// (an operator, or auth.anonymous-role) its latency and error. Errors name
/// hosts, ports and databases, which anonymous callers do not need.
http_response readiness_response(const check_results& results, bool detailed) {
  bool ready = true;
  nlohmann::json checks = nlohmann::json::object();
  for (const auto& [key, r] : results) {
    ready = ready && r.up;
    nlohmann::json entry{{"status", r.up ? "up" : "down"}};
    if (detailed) {
      entry["latency_ms"] = r.latency_ms;
      if (!r.up)
        entry["error"] = r.error;
    }
    checks[key] = std::move(entry);
  }
  return json_response(ready ? 200 : 503,
                       {{"status", ready ? "ready" : "unavailable"},
                        {"checks", std::move(checks)}});
}

/// The last round's results and the callers waiting for the round that
/// runs, so concurrent requests share one round.
struct readiness_state {
  std::mutex mutex;
  bool running = false;
  steady::time_point finished_at;
  std::optional<check_results> last;
  std::vector<std::pair<responder, bool>> waiting;

  /// Answers every waiting caller with `results`.
  void finish(check_results results) {
    std::vector<std::pair<responder, bool>> callers;
    {
      std::lock_guard guard{mutex};
      running = false;
      finished_at = steady::now();
      last = results;
      callers.swap(waiting);
    }
    for (auto& [respond, detailed] : callers)
      respond(readiness_response(results, detailed));
  }
};

/// Collects the answers of one round of checks.
struct readiness_round {
  std::size_t expected = 0;
  check_results results;
  std::shared_ptr<readiness_state> state;

  void add(const std::string& name, check_result result) {
    results[name] = std::move(result);
    if (results.size() == expected)
      state->finish(std::move(results));
  }
};

void run_checks(caf::actor_system& sys, const system_routes_options& options,
                std::shared_ptr<readiness_state> state) {
  auto round = std::make_shared<readiness_round>();
  round->expected = options.checks.size();
  round->state = std::move(state);
  if (options.checks.empty()) {
    round->state->finish({});
    return;
  }
  // A short-lived actor per round: it lives while its requests are
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

void check_readiness(caf::actor_system& sys,
                     const system_routes_options& options,
                     const std::shared_ptr<readiness_state>& state,
                     responder respond, bool detailed) {
  std::unique_lock lock{state->mutex};
  if (state->last && !state->running &&
      steady::now() - state->finished_at < readiness_reuse) {
    auto results = *state->last;
    lock.unlock();
    respond(readiness_response(results, detailed));
    return;
  }
  state->waiting.emplace_back(std::move(respond), detailed);
  if (state->running)
    return;
  state->running = true;
  lock.unlock();
  run_checks(sys, options, state);
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
             [&sys, options, state = std::make_shared<readiness_state>()](
                 http_request request, responder respond) {
               bool detailed = request.who.role.has_value() ||
                               request.who.via == caller::proof::unchecked;
               check_readiness(sys, options, state, std::move(respond),
                               detailed);
             });
  // Metrics name routes, campaigns and error rates: for operators and the
  // Prometheus beside the node, not for anyone who finds the port.
  auto exposure = options.metrics;
  routes.add(
      "GET", "/metrics",
      exposure == metrics_exposure::nobody ? access::viewer : access::anyone,
      [metrics, exposure](http_request request, responder respond) {
        if (exposure == metrics_exposure::loopback && !request.who.role &&
            !is_loopback(request.client_address)) {
          auto refused =
              problem(401,
                      "/metrics answers clients on other hosts only with a "
                      "viewer token or API key (Authorization: Bearer); "
                      "auth.public-metrics=true serves everyone",
                      "credentials-required");
          refused.headers.emplace_back("WWW-Authenticate",
                                       "Bearer realm=\"cdpd\"");
          respond(std::move(refused));
          return;
        }
        http_response response;
        response.content_type = "text/plain; version=0.0.4; charset=utf-8";
        response.body =
            prometheus::TextSerializer{}.Serialize(metrics->Collect());
        respond(std::move(response));
      });
}

} // namespace cdpd::net
