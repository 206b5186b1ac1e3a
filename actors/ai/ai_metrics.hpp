#pragma once

#include <string_view>

namespace prometheus {
class Registry;
class Counter;
class Histogram;
template <typename T> class Family;
} // namespace prometheus

/// The assistant's Prometheus metrics: cdpd_ai_requests_total{route,engine,
/// outcome} and cdpd_ai_latency_seconds{engine} (0.1 ms to 30 s, the time
/// an engine took to answer). Thread-safe; a no-op without a registry.
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

private:
  prometheus::Family<prometheus::Counter>* requests_ = nullptr;
  prometheus::Family<prometheus::Histogram>* latency_ = nullptr;
};

} // namespace cdpd::actors::ai
