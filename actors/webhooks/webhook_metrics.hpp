#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

/// The webhook workers' Prometheus series, registered once per node:
/// - `cdpd_webhook_deliveries_total{endpoint, outcome}`: attempts by
///   endpoint id and outcome (`delivered`, `retry`, `failed`),
/// - `cdpd_webhook_delivery_seconds`: request to answer of each attempt
///   that got one,
/// - `cdpd_webhook_outbox_lag_seconds`: age of the oldest event not yet
///   delivered to an enabled endpoint that wants it,
/// - `cdpd_webhook_endpoints_disabled`: endpoints disabled (by failing or
///   by an operator).
namespace cdpd::actors::webhooks {

class webhook_metrics {
public:
  explicit webhook_metrics(prometheus::Registry& registry);

  /// Counts one attempt.
  void attempt(const std::string& endpoint, const char* outcome);

  prometheus::Histogram& latency() { return *latency_; }
  prometheus::Gauge& lag() { return *lag_; }
  prometheus::Gauge& disabled() { return *disabled_; }

private:
  prometheus::Family<prometheus::Counter>& deliveries_;
  prometheus::Histogram* latency_;
  prometheus::Gauge* lag_;
  prometheus::Gauge* disabled_;
};

} // namespace cdpd::actors::webhooks
