#include "actors/webhooks/webhook_metrics.hpp"

namespace cdpd::actors::webhooks {

webhook_metrics::webhook_metrics(prometheus::Registry& registry)
    : deliveries_(prometheus::BuildCounter()
                      .Name("cdpd_webhook_deliveries_total")
                      .Help("Webhook attempts by endpoint and outcome")
                      .Register(registry)) {
  latency_ = &prometheus::BuildHistogram()
                  .Name("cdpd_webhook_delivery_seconds")
                  .Help("Webhook POST request to answer")
                  .Register(registry)
                  .Add({}, prometheus::Histogram::BucketBoundaries{
                               0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                               0.25, 0.5, 1, 2.5, 5, 10});
  lag_ = &prometheus::BuildGauge()
              .Name("cdpd_webhook_outbox_lag_seconds")
              .Help("Age of the oldest event not yet delivered to an enabled "
                    "endpoint that wants it")
              .Register(registry)
              .Add({});
  disabled_ = &prometheus::BuildGauge()
                   .Name("cdpd_webhook_endpoints_disabled")
                   .Help("Webhook endpoints disabled")
                   .Register(registry)
                   .Add({});
}

void webhook_metrics::attempt(const std::string& endpoint,
                              const char* outcome) {
  deliveries_.Add({{"endpoint", endpoint}, {"outcome", outcome}}).Increment();
}

} // namespace cdpd::actors::webhooks
