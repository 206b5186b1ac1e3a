#pragma once

#include <string_view>

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T> class Family;
} // namespace prometheus

namespace cdpd::net {

/// Why the server answered a request (or a connection) without routing it;
/// the value of the "reason" label of cdpd_http_rejected_total.
enum class rejection {
  header_too_large,
  body_too_large,
  read_timeout,
  too_many_connections,
  too_many_from_address,
  bad_request,
};

/// The label value of a rejection ("body_too_large").
std::string_view to_string(rejection reason);

/// The HTTP server's Prometheus metrics, registered once per registry:
/// cdpd_http_requests_total{method,route,status},
/// cdpd_http_request_duration_seconds{method,route} (0.5 ms to 10 s),
/// cdpd_http_connections_open, cdpd_http_requests_in_flight and
/// cdpd_http_rejected_total{reason}. Thread-safe; every call is a no-op when
/// built without a registry.
class http_metrics {
public:
  /// Registers (or joins, when already registered) the families; nullptr
  /// disables metrics.
  explicit http_metrics(prometheus::Registry* registry);

  /// Counts one response and observes its latency. `route` is the matched
  /// pattern or "unmatched"; the method is folded by method_label().
  void response_sent(std::string_view method, std::string_view route,
                     int status, double seconds);

  /// Counts a request or connection answered by a limit or a parse error.
  void rejected(rejection reason);

  /// Raises the open-connections gauge.
  void connection_opened();

  /// Lowers the open-connections gauge.
  void connection_closed();

  /// Raises the requests-in-flight gauge.
  void request_started();

  /// Lowers the requests-in-flight gauge.
  void request_finished();

  /// The method label: the standard methods as they are, anything else
  /// "OTHER", so clients cannot inflate the number of series.
  static std::string_view method_label(std::string_view method);

private:
  prometheus::Family<prometheus::Counter>* requests_ = nullptr;
  prometheus::Family<prometheus::Histogram>* durations_ = nullptr;
  prometheus::Family<prometheus::Counter>* rejections_ = nullptr;
  prometheus::Gauge* connections_open_ = nullptr;
  prometheus::Gauge* in_flight_ = nullptr;
};

} // namespace cdpd::net
