#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "actors/supervision/circuit_breaker.hpp"

namespace cdpd::actors {

/// The supervision metrics of one node, registered once and shared by
/// every supervisor and child proxy (prometheus-cpp is thread-safe):
/// cdpd_actor_restarts_total{supervisor,child},
/// cdpd_supervisor_escalations_total, cdpd_breaker_state{connector},
/// cdpd_breaker_transitions_total{connector,to},
/// cdpd_breaker_rejected_total, cdpd_retry_attempts_total.
class supervision_metrics {
public:
  explicit supervision_metrics(prometheus::Registry& registry);

  void restarted(const std::string& supervisor, const std::string& child);
  void escalated();
  /// Sets the state gauge and counts the transition.
  void transition(const std::string& connector, breaker_state to);
  /// Sets the state gauge without a transition (a new breaker).
  void breaker_created(const std::string& connector);
  void rejected();
  /// One retry (a try after the first).
  void retried();

  prometheus::Counter& escalations() { return escalations_; }
  prometheus::Counter& rejections() { return rejected_; }
  prometheus::Counter& retries() { return retries_; }

private:
  prometheus::Family<prometheus::Counter>& restarts_;
  prometheus::Counter& escalations_;
  prometheus::Family<prometheus::Gauge>& state_;
  prometheus::Family<prometheus::Counter>& transitions_;
  prometheus::Counter& rejected_;
  prometheus::Counter& retries_;
};

} // namespace cdpd::actors
