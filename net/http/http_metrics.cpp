#include "net/http/http_metrics.hpp"

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace cdpd::net {

namespace {

const prometheus::Histogram::BucketBoundaries& duration_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
  return buckets;
}

} // namespace

std::string_view to_string(rejection reason) {
  switch (reason) {
  case rejection::header_too_large:
    return "header_too_large";
  case rejection::body_too_large:
    return "body_too_large";
  case rejection::read_timeout:
    return "read_timeout";
  case rejection::too_many_connections:
    return "too_many_connections";
  case rejection::too_many_from_address:
    return "too_many_from_address";
  case rejection::bad_request:
    return "bad_request";
  }
  return "bad_request";
}

http_metrics::http_metrics(prometheus::Registry* registry) {
  if (registry == nullptr)
    return;
  requests_ = &prometheus::BuildCounter()
                   .Name("cdpd_http_requests_total")
                   .Help("HTTP responses sent, by method, route and status")
                   .Register(*registry);
  durations_ = &prometheus::BuildHistogram()
                    .Name("cdpd_http_request_duration_seconds")
                    .Help("Time from a complete request to its response")
                    .Register(*registry);
  rejections_ = &prometheus::BuildCounter()
                     .Name("cdpd_http_rejected_total")
                     .Help("Requests and connections refused by a limit or "
                           "because they were malformed")
                     .Register(*registry);
  connections_open_ = &prometheus::BuildGauge()
                           .Name("cdpd_http_connections_open")
                           .Help("Open HTTP connections")
                           .Register(*registry)
                           .Add({});
  in_flight_ = &prometheus::BuildGauge()
                    .Name("cdpd_http_requests_in_flight")
                    .Help("HTTP requests received and not yet answered")
                    .Register(*registry)
                    .Add({});
}

void http_metrics::response_sent(std::string_view method,
                                 std::string_view route, int status,
                                 double seconds) {
  if (requests_ == nullptr)
    return;
  std::string method_value{method_label(method)};
  std::string route_value{route};
  requests_
      ->Add({{"method", method_value},
             {"route", route_value},
             {"status", std::to_string(status)}})
      .Increment();
  durations_
      ->Add({{"method", std::move(method_value)},
             {"route", std::move(route_value)}},
            duration_buckets())
      .Observe(seconds);
}

void http_metrics::rejected(rejection reason) {
  if (rejections_ != nullptr)
    rejections_->Add({{"reason", std::string{to_string(reason)}}}).Increment();
}

void http_metrics::connection_opened() {
  if (connections_open_ != nullptr)
    connections_open_->Increment();
}

void http_metrics::connection_closed() {
  if (connections_open_ != nullptr)
    connections_open_->Decrement();
}

void http_metrics::request_started() {
  if (in_flight_ != nullptr)
    in_flight_->Increment();
}

void http_metrics::request_finished() {
  if (in_flight_ != nullptr)
    in_flight_->Decrement();
}

std::string_view http_metrics::method_label(std::string_view method) {
  for (std::string_view known :
       {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
    if (method == known)
      return known;
  return "OTHER";
}

} // namespace cdpd::net
