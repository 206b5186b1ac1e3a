#pragma once

#include <chrono>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
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

/// Limit checks sent to the member that owns the key's host:
/// cdpd_cluster_remote_requests_total{kind="limit", outcome="ok"|"failed"|
/// "unreachable"} and their round trips in
/// cdpd_cluster_remote_request_seconds{kind="limit"}.
class remote_limit_metrics {
public:
  explicit remote_limit_metrics(prometheus::Registry& registry);

  /// A verdict came back after `took`.
  void answered(std::chrono::steady_clock::duration took);

  /// No verdict: the owner stopped or did not answer in time.
  void failed();

  /// Not sent: the owner cannot be reached now.
  void unreachable();

private:
  prometheus::Counter& ok_;
  prometheus::Counter& failed_;
  prometheus::Counter& unreachable_;
  prometheus::Histogram& seconds_;
};

} // namespace cdpd::actors::limits
