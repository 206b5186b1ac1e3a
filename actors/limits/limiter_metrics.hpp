#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

/// The rate limiters' Prometheus metrics, shared by every host and limiter
/// of a registry (families with the same name are merged, so each host may
/// build its own instance).
namespace cdpd::actors::limits {

class limiter_metrics {
public:
  /// Registers (or finds) the families in `registry`: the counter
  /// cdpd_ratelimit_decisions_total{outcome="allowed"|"refused"}, the gauge
  /// cdpd_ratelimit_limiters and the counter
  /// cdpd_ratelimit_passivations_total.
  explicit limiter_metrics(prometheus::Registry& registry);

  /// Counts one verdict (peeks included).
  void decided(bool allowed);

  /// A limiter actor started.
  void limiter_started();

  /// A limiter actor stopped, whatever the reason.
  void limiter_stopped();

  /// A host let an idle limiter go.
  void passivated();

private:
  prometheus::Counter& allowed_;
  prometheus::Counter& refused_;
  prometheus::Gauge& limiters_;
  prometheus::Counter& passivations_;
};

} // namespace cdpd::actors::limits
