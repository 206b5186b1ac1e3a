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

prometheus::Family<prometheus::Counter>&
remote_requests(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("cdpd_cluster_remote_requests_total")
      .Help("Requests this node sent to another cluster member, by kind and "
            "outcome.")
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

remote_limit_metrics::remote_limit_metrics(prometheus::Registry& registry)
    : ok_(remote_requests(registry).Add(
          {{"kind", "limit"}, {"outcome", "ok"}})),
      failed_(remote_requests(registry).Add(
          {{"kind", "limit"}, {"outcome", "failed"}})),
      unreachable_(remote_requests(registry).Add(
          {{"kind", "limit"}, {"outcome", "unreachable"}})),
      seconds_(
          prometheus::BuildHistogram()
              .Name("cdpd_cluster_remote_request_seconds")
              .Help("Round trip of requests answered by another cluster "
                    "member, by kind.")
              .Register(registry)
              .Add({{"kind", "limit"}}, prometheus::Histogram::BucketBoundaries{
                                            0.0002, 0.0005, 0.001, 0.002, 0.005,
                                            0.01, 0.05, 0.25, 1.0})) {}

void remote_limit_metrics::answered(std::chrono::steady_clock::duration took) {
  ok_.Increment();
  seconds_.Observe(std::chrono::duration<double>(took).count());
}

void remote_limit_metrics::failed() {
  failed_.Increment();
}

void remote_limit_metrics::unreachable() {
  unreachable_.Increment();
}

} // namespace cdpd::actors::limits
