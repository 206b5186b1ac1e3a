#include "actors/ai/ai_metrics.hpp"

#include <string>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace cdpd::actors::ai {

ai_metrics::ai_metrics(prometheus::Registry* registry) {
  if (!registry)
    return;
  requests_ = &prometheus::BuildCounter()
                   .Name("cdpd_ai_requests_total")
                   .Help("AI route answers by route, engine and outcome")
                   .Register(*registry);
  latency_ = &prometheus::BuildHistogram()
                  .Name("cdpd_ai_latency_seconds")
                  .Help("Time an AI engine took to answer, by engine")
                  .Register(*registry);
  tokens_ = &prometheus::BuildCounter()
                 .Name("cdpd_ai_tokens_total")
                 .Help("Tokens the AI provider reported, by direction")
                 .Register(*registry);
  cache_hits_ = &prometheus::BuildCounter()
                     .Name("cdpd_ai_cache_hits_total")
                     .Help("AI answers served from the answer cache")
                     .Register(*registry);
  cache_hits_->Add({});
}

void ai_metrics::tokens(std::int64_t in, std::int64_t out) {
  if (!tokens_)
    return;
  tokens_->Add({{"direction", "in"}}).Increment(static_cast<double>(in));
  tokens_->Add({{"direction", "out"}}).Increment(static_cast<double>(out));
}

void ai_metrics::cache_hit() {
  if (cache_hits_)
    cache_hits_->Add({}).Increment();
}

void ai_metrics::answered(std::string_view route, std::string_view engine,
                          std::string_view outcome, double seconds) {
  if (!requests_)
    return;
  requests_
      ->Add({{"route", std::string{route}},
             {"engine", std::string{engine}},
             {"outcome", std::string{outcome}}})
      .Increment();
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.0001, 0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30};
  latency_->Add({{"engine", std::string{engine}}}, buckets).Observe(seconds);
}

} // namespace cdpd::actors::ai
