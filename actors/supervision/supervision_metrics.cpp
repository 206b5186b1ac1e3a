#include "actors/supervision/supervision_metrics.hpp"

namespace cdpd::actors {

supervision_metrics::supervision_metrics(prometheus::Registry& registry)
    : restarts_(prometheus::BuildCounter()
                    .Name("cdpd_actor_restarts_total")
                    .Help("Restarts of supervised actors.")
                    .Register(registry)),
      escalations_(prometheus::BuildCounter()
                       .Name("cdpd_supervisor_escalations_total")
                       .Help("Supervisors that exceeded their restart "
                             "intensity and gave up.")
                       .Register(registry)
                       .Add({})),
      state_(prometheus::BuildGauge()
                 .Name("cdpd_breaker_state")
                 .Help("Circuit breaker state: 0 closed, 1 half-open, 2 "
                       "open.")
                 .Register(registry)),
      transitions_(prometheus::BuildCounter()
                       .Name("cdpd_breaker_transitions_total")
                       .Help("Circuit breaker state changes by target state.")
                       .Register(registry)),
      rejected_(prometheus::BuildCounter()
                    .Name("cdpd_breaker_rejected_total")
                    .Help("Calls failed fast by an open circuit breaker.")
                    .Register(registry)
                    .Add({})),
      retries_(prometheus::BuildCounter()
                   .Name("cdpd_retry_attempts_total")
                   .Help("Retries of idempotent calls (tries after the "
                         "first).")
                   .Register(registry)
                   .Add({})) {}

void supervision_metrics::restarted(const std::string& supervisor,
                                    const std::string& child) {
  restarts_.Add({{"supervisor", supervisor}, {"child", child}}).Increment();
}

void supervision_metrics::escalated() {
  escalations_.Increment();
}

void supervision_metrics::transition(const std::string& connector,
                                     breaker_state to) {
  state_.Add({{"connector", connector}}).Set(static_cast<double>(to));
  transitions_.Add({{"connector", connector}, {"to", to_string(to)}})
      .Increment();
}

void supervision_metrics::breaker_created(const std::string& connector) {
  state_.Add({{"connector", connector}}).Set(0);
}

void supervision_metrics::rejected() {
  rejected_.Increment();
}

void supervision_metrics::retried() {
  retries_.Increment();
}

} // namespace cdpd::actors
