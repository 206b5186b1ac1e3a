#pragma once

#include <cstdint>
#include <string_view>

namespace prometheus {
class Registry;
class Counter;
class Histogram;
template <typename T> class Family;
} // namespace prometheus

/// The assistant's Prometheus metrics: cdpd_ai_requests_total{route,engine,
/// outcome}, cdpd_ai_latency_seconds{engine} (0.1 ms to 30 s, the time
/// an engine took to answer), cdpd_ai_tokens_total{direction} and
/// cdpd_ai_cache_hits_total. Thread-safe; a no-op without a registry.
namespace cdpd::actors::ai {

class ai_metrics {
public:
  /// Registers the families in `registry` (nullptr: metrics off).
  explicit ai_metrics(prometheus::Registry* registry);

  /// One answered request: `route` ("segments/build"), `engine` ("offline"
  /// or a model), `outcome` ("ok", "refused" when no segment could be
  /// read, "invalid" for a 422, "not_found"), and how long the engine took.
  void answered(std::string_view route, std::string_view engine,
                std::string_view outcome, double seconds);

  /// Tokens a provider reported in its `usage`:
  /// cdpd_ai_tokens_total{direction="in"|"out"}.
  void tokens(std::int64_t in, std::int64_t out);

  /// One answer served from the cache: cdpd_ai_cache_hits_total.
  void cache_hit();

private:
  prometheus::Family<prometheus::Counter>* requests_ = nullptr;
  prometheus::Family<prometheus::Histogram>* latency_ = nullptr;
  prometheus::Family<prometheus::Counter>* tokens_ = nullptr;
  prometheus::Family<prometheus::Counter>* cache_hits_ = nullptr;
};

} // namespace cdpd::actors::ai
