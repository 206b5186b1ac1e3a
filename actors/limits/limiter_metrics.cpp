#include "actors/limits/limiter_metrics.hpp"

namespace cdpd::actors::limits {

namespace {

prometheus::Family<prometheus::Counter>&
decisions(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("cdpd_ratelimit_decisions_total")
      .Help("Rate-limit verdicts by outcome (peeks included).")
      .Register(registry);
}

} // namespace

limiter_metrics::limiter_metrics(prometheus::Registry& registry)
    : allowed_(decisions(registry).Add({{"outcome", "allowed"}})),
      refused_(decisions(registry).Add({{"outcome", "refused"}})),
      limiters_(prometheus::BuildGauge()
                    .Name("cdpd_ratelimit_limiters")
                    .Help("Live rate-limiter actors (one per active key).")
                    .Register(registry)
                    .Add({})),
      passivations_(prometheus::BuildCounter()
                        .Name("cdpd_ratelimit_passivations_total")
                        .Help("Idle rate-limiter actors stopped with a fresh "
                              "state.")
                        .Register(registry)
                        .Add({})) {}

void limiter_metrics::decided(bool allowed) {
  (allowed ? allowed_ : refused_).Increment();
}

void limiter_metrics::limiter_started() {
  limiters_.Increment();
}

void limiter_metrics::limiter_stopped() {
  limiters_.Decrement();
}

void limiter_metrics::passivated() {
  passivations_.Increment();
}

} // namespace cdpd::actors::limits
