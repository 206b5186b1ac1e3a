#include "actors/ai/provider_connector.hpp"

#include <thread>
#include <utility>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/ai/ai_errc.hpp"
#include "actors/atoms.hpp"
#include "actors/log.hpp"

namespace cdpd::actors::ai {

namespace {

using options_ptr = std::shared_ptr<const connector_options>;

caf::error error_of(const call_outcome& out) {
  const auto& last = out.last;
  auto detail = last.detail + " (" + std::to_string(out.attempts) +
                (out.attempts == 1 ? " attempt)" : " attempts)");
  switch (last.kind) {
  case attempt_kind::rate_limited:
    return make_error(errc::quota_exceeded, detail, last.retry_after.count());
  case attempt_kind::auth_failed:
    return make_error(errc::authentication_error, detail);
  case attempt_kind::refused:
  case attempt_kind::bad_reply:
    return make_error(errc::provider_error, detail);
  default:
    return make_error(errc::provider_unavailable, detail);
  }
}

/// Makes one call with its retries, on its own thread, and quits.
caf::behavior provider_worker(caf::event_based_actor* self,
                              options_ptr options) {
  return {
      [self, options](ai_complete_atom, const std::string& route,
                      const std::string& user) -> caf::result<std::string> {
        self->quit();
        chat_request request{prompt_for(options->prompts, route), user};
        auto out = call_with_retries(
            options->attempt, options->endpoint, request, options->retry,
            [](millis pause) { std::this_thread::sleep_for(pause); });
        if (out.last.kind != attempt_kind::ok) {
          log()->warn("AI provider call for {} failed: {} ({} attempts)", route,
                      out.last.detail, out.attempts);
          return error_of(out);
        }
        nlohmann::json reply = {{"content", out.last.content},
                                {"model", out.last.model.empty()
                                              ? options->endpoint.model
                                              : out.last.model},
                                {"tokens_in", out.last.tokens_in},
                                {"tokens_out", out.last.tokens_out},
                                {"attempts", out.attempts}};
        return reply.dump();
      },
  };
}

struct connector_state {
  std::size_t in_flight = 0;
  static inline const char* name = "ai-provider";
};

caf::behavior connector(caf::stateful_actor<connector_state>* self,
                        options_ptr options) {
  self->set_down_handler([self](caf::down_msg&) {
    if (self->state.in_flight > 0)
      --self->state.in_flight;
  });
  return {
      [self, options](ai_complete_atom atom, const std::string& route,
                      const std::string& user) -> caf::result<std::string> {
        if (prompt_for(options->prompts, route).empty())
          return make_error(errc::provider_error, "no prompt for " + route);
        if (self->state.in_flight >= options->max_in_flight)
          return make_error(errc::provider_unavailable,
                            "too many provider calls in flight");
        auto worker = self->spawn<caf::detached>(provider_worker, options);
        self->monitor(worker);
        ++self->state.in_flight;
        // The worker answers the caller itself.
        auto promise = self->make_response_promise();
        promise.delegate(worker, atom, route, user);
        return promise;
      },
  };
}

} // namespace

caf::actor spawn_provider_connector(caf::actor_system& sys,
                                    options_ptr options) {
  return sys.spawn(connector, std::move(options));
}

child_spec provider_connector_child(connector_options options,
                                    supervision_policy policy) {
  policy.breaker.call_timeout = options.retry.deadline + millis{1'000};
  policy.breaker.is_failure = counts_against_breaker;
  policy.retry.max_attempts = 1;
  child_spec spec;
  spec.name = provider_connector_name;
  spec.kind = "ai-provider";
  spec.policy = std::move(policy);
  spec.start = [options = std::make_shared<const connector_options>(
                    std::move(options))](caf::actor_system& sys) {
    return spawn_provider_connector(sys, options);
  };
  return spec;
}

} // namespace cdpd::actors::ai
