#include "net/access/access_guard.hpp"

#include <array>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/limits/limiter_region.hpp"
#include "net/access/address_group.hpp"
#include "net/access/authenticator.hpp"
#include "net/http/problem.hpp"

namespace cdpd::net {

bool is_json_content_type(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  auto type = content_type.substr(0, semicolon);
  while (!type.empty() && type.back() == ' ')
    type.remove_suffix(1);
  if (type.size() != 16)
    return false;
  for (std::size_t i = 0; i < type.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(type[i])) !=
        "application/json"[i])
      return false;
  return true;
}

namespace {

namespace limits = actors::limits;

/// How often a key's use is passed on: the stored last-used time is
/// minute-grained (api_key_repository's touch).
constexpr auto key_use_interval = std::chrono::minutes{1};

void add_limit_headers(http_response& response, const limits::verdict& v) {
  if (v.rate_name.empty())
    return;
  response.headers.emplace_back("RateLimit-Limit", std::to_string(v.limit));
  response.headers.emplace_back("RateLimit-Remaining",
                                std::to_string(v.remaining));
  response.headers.emplace_back("RateLimit-Reset",
                                std::to_string(v.reset_seconds));
}

http_response too_many(const limits::verdict& v) {
  if (v.unavailable) {
    // The key's limiter runs on a cluster member that cannot be reached
    // (it just died or froze); the view moves its host within seconds.
    auto response = problem(503,
                            "the rate limiter for this caller is on a cluster "
                            "node that cannot be reached; retry in " +
                                std::to_string(v.retry_after_seconds) + " s",
                            "limiter-unavailable");
    response.headers.emplace_back("Retry-After",
                                  std::to_string(v.retry_after_seconds));
    return response;
  }
  auto response =
      problem(429,
              "rate limit " + v.rate_name + " (" + std::to_string(v.limit) +
                  " requests) exceeded; retry in " +
                  std::to_string(v.retry_after_seconds) + " s",
              "rate-limited");
  response.headers.emplace_back("Retry-After",
                                std::to_string(v.retry_after_seconds));
  add_limit_headers(response, v);
  return response;
}

/// Holds a streamed body back until the limiter has decided: the first
/// chunk waits (the server reads no further until `more` is called), then
/// goes to the route's sink, or the request is answered 429.
class stream_gate {
public:
  void feed(body_chunk chunk, std::function<void()> more) {
    std::unique_lock<std::mutex> lock{mutex_};
    if (!decided_) {
      held_ = std::move(chunk);
      held_more_ = std::move(more);
      return;
    }
    auto sink = sink_;
    lock.unlock();
    if (sink)
      sink(std::move(chunk), std::move(more));
  }

  /// Lets the body through to `sink`, or drops it (refused: sink empty).
  void decide(body_sink sink) {
    std::unique_lock<std::mutex> lock{mutex_};
    decided_ = true;
    sink_ = std::move(sink);
    auto held = std::move(held_);
    auto more = std::move(held_more_);
    held_.reset();
    lock.unlock();
    if (held && sink_)
      sink_(std::move(*held), std::move(more));
  }

private:
  std::mutex mutex_;
  bool decided_ = false;
  body_sink sink_;
  std::optional<body_chunk> held_;
  std::function<void()> held_more_;
};

class access_guard final : public route_guard,
                           public std::enable_shared_from_this<access_guard> {
public:
  access_guard(std::shared_ptr<const auth_services> services,
               const config::ratelimit_settings& settings)
      : services_(std::move(services)),
        identify_(services_->tokens, services_->credentials,
                  auth::anonymous_role(services_->settings.anonymous_role)) {
    for (auto c :
         {limits::route_class::general, limits::route_class::campaign_create,
          limits::route_class::segment_evaluate,
          limits::route_class::ai_generate})
      rates_[static_cast<std::size_t>(c)] = limits::rates_for(settings, c);
  }

  handler guard(const route_access& need, handler inner) const override {
    return [self = shared_from_this(), need,
            inner = std::move(inner)](http_request request, responder respond) {
      if (!self->admit(request, need, respond))
        return;
      self->limit(std::move(request), need, std::move(respond), inner);
    };
  }

  stream_handler guard_stream(const route_access& need,
                              stream_handler inner) const override {
    return [self = shared_from_this(), need, inner = std::move(inner)](
               http_request request, responder respond) -> body_sink {
      if (!self->admit(request, need, respond))
        return [](body_chunk, std::function<void()>) {};
      const auto* rates = self->rates_of(need);
      if (!rates)
        return inner(std::move(request), std::move(respond));
      auto gate = std::make_shared<stream_gate>();
      self->ask_limiter(
          request, *rates,
          [gate, inner, request, respond](const limits::verdict& v) {
            if (!v.allowed) {
              respond(too_many(v));
              gate->decide({});
              return;
            }
            gate->decide(inner(request, with_headers(respond, v)));
          });
      return [gate](body_chunk chunk, std::function<void()> more) {
        gate->feed(std::move(chunk), std::move(more));
      };
    };
  }

private:
  /// Sets request.who; false when the request was answered (refused).
  bool admit(http_request& request, const route_access& need,
             responder& respond) const {
    auto found = identify_.identify(request, auth::clock::now());
    if (auto* refusal = std::get_if<http_response>(&found)) {
      if (!need.need) {
        // Public routes ignore bad credentials.
        request.who.via = caller::proof::none;
        request.who.role.reset();
        return true;
      }
      respond(std::move(*refusal));
      return false;
    }
    request.who = std::get<caller>(std::move(found));
    if (request.who.via == caller::proof::api_key)
      note_key_use(request.who.token_id);
    if (!need.need)
      return true;
    if (!request.who.role) {
      respond(authenticator::credentials_required());
      return false;
    }
    if (!auth::allows(*request.who.role, *need.need)) {
      respond(problem(403,
                      "this route needs the " +
                          std::string{auth::to_string(*need.need)} +
                          " role; the caller has " +
                          std::string{auth::to_string(*request.who.role)},
                      "forbidden"));
      return false;
    }
    // A cookie comes along on any request the browser makes; insisting on
    // JSON forces a CORS preflight on cross-site POSTs (other write methods
    // always need one).
    if (request.who.via == caller::proof::cookie && request.method == "POST" &&
        !is_json_content_type(request.header("Content-Type"))) {
      respond(problem(403,
                      "requests authenticated by the session cookie must send "
                      "'Content-Type: application/json'",
                      "forbidden"));
      return false;
    }
    return true;
  }

  /// Passes a key's use on at most once a minute: the stored last-used
  /// time is minute-grained, and a busy key must not write per request.
  void note_key_use(const std::string& key_id) const {
    if (!services_->api_key_used)
      return;
    auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard<std::mutex> guard{touch_mutex_};
      auto& last = last_touch_[key_id];
      if (last != std::chrono::steady_clock::time_point{} &&
          now - last < key_use_interval)
        return;
      last = now;
    }
    services_->api_key_used(key_id);
  }

  /// The rates a route counts against, or nullptr when none apply.
  const std::vector<limits::rate>* rates_of(const route_access& need) const {
    if (!need.limits || !services_->limiter)
      return nullptr;
    const auto& rates = rates_[static_cast<std::size_t>(*need.limits)];
    return rates.empty() ? nullptr : &rates;
  }

  static std::string limiter_key(const http_request& request) {
    if (request.who.authenticated()) {
      if (request.who.via == caller::proof::api_key)
        return request.who.subject; // "apikey:<prefix>"
      return "account:" + request.who.subject;
    }
    return "ip:" + address_group(request.client_address);
  }

  void ask_limiter(const http_request& request,
                   const std::vector<limits::rate>& rates,
                   std::function<void(const limits::verdict&)> done) const {
    limits::limit_request question;
    question.key = limiter_key(request);
    question.rates = rates;
    question.done = std::move(done);
    services_->limiter->check(std::move(question));
  }

  static responder with_headers(responder respond, const limits::verdict& v) {
    return [respond = std::move(respond), v](http_response response) {
      add_limit_headers(response, v);
      respond(std::move(response));
    };
  }

  void limit(http_request request, const route_access& need, responder respond,
             const handler& next) const {
    const auto* rates = rates_of(need);
    if (!rates) {
      next(std::move(request), std::move(respond));
      return;
    }
    // std::function needs a copyable callback: share the request instead of
    // copying its body.
    auto held = std::make_shared<http_request>(std::move(request));
    ask_limiter(*held, *rates, [held, respond, next](const limits::verdict& v) {
      if (!v.allowed) {
        respond(too_many(v));
        return;
      }
      next(std::move(*held), with_headers(respond, v));
    });
  }

  void charge(
      const http_request& request, limits::route_class c,
      std::function<void(std::optional<http_response>)> done) const override {
    route_access need;
    need.limits = c;
    const auto* rates = rates_of(need);
    if (!rates)
      return done(std::nullopt);
    ask_limiter(request, *rates, [done](const limits::verdict& v) {
      if (v.allowed)
        done(std::nullopt);
      else
        done(too_many(v));
    });
  }

  std::shared_ptr<const auth_services> services_;
  authenticator identify_;
  std::array<std::vector<limits::rate>, 4> rates_;
  mutable std::mutex touch_mutex_;
  mutable std::unordered_map<std::string, std::chrono::steady_clock::time_point>
      last_touch_; ///< by API key id; as many entries as keys in use
};

} // namespace

std::shared_ptr<const route_guard>
make_access_guard(std::shared_ptr<const auth_services> services,
                  const config::ratelimit_settings& limits) {
  return std::make_shared<access_guard>(std::move(services), limits);
}

} // namespace cdpd::net
