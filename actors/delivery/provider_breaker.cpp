#include "actors/delivery/provider_breaker.hpp"

#include <utility>

#include "actors/log.hpp"

namespace cdpd::actors::delivery {

namespace {

using clock = circuit_breaker::clock;

void log_transition(breaker_state from, breaker_state to) {
  if (to == breaker_state::open)
    log()->warn("email provider breaker {} -> open: sends wait",
                to_string(from));
  else
    log()->info("email provider breaker {} -> {}", to_string(from),
                to_string(to));
}

} // namespace

provider_breaker::provider_breaker(breaker_policy policy)
    : enabled_(policy.enabled), breaker_(std::move(policy), log_transition) {}

send_fn provider_breaker::guard(send_fn send) {
  if (!enabled_)
    return send;
  return [self = shared_from_this(),
          send = std::move(send)](const storage::claimed_delivery& d) {
    {
      std::lock_guard<std::mutex> lock{self->mutex_};
      if (!self->breaker_.allow(clock::now())) {
        send_outcome refused;
        refused.result = send_outcome::kind::held;
        refused.error = "email provider unavailable (circuit open)";
        return refused;
      }
    }
    auto outcome = send(d);
    std::lock_guard<std::mutex> lock{self->mutex_};
    if (outcome.result == send_outcome::kind::retryable)
      self->breaker_.failed(clock::now());
    else
      self->breaker_.succeeded(clock::now());
    return outcome;
  };
}

bool provider_breaker::ready() {
  return !enabled_ || state() != breaker_state::open;
}

breaker_state provider_breaker::state() {
  std::lock_guard<std::mutex> lock{mutex_};
  return breaker_.poll(clock::now());
}

} // namespace cdpd::actors::delivery
