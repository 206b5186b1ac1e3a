#include "net/http/http_metrics.hpp"

#include <string>

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace cdpd::net {
namespace {

std::string scrape(prometheus::Registry& registry) {
  return prometheus::TextSerializer{}.Serialize(registry.Collect());
}

TEST(http_metrics, method_label_bounds_cardinality) {
  EXPECT_EQ(http_metrics::method_label("GET"), "GET");
  EXPECT_EQ(http_metrics::method_label("DELETE"), "DELETE");
  EXPECT_EQ(http_metrics::method_label("BREW"), "OTHER");
  EXPECT_EQ(http_metrics::method_label("get"), "OTHER");
}

TEST(http_metrics, records_the_series) {
  prometheus::Registry registry;
  http_metrics metrics{&registry};
  metrics.response_sent("GET", "/api/users/{id}", 200, 0.003);
  metrics.response_sent("GET", "/api/users/{id}", 200, 0.2);
  metrics.response_sent("BREW", "unmatched", 404, 0.0001);
  metrics.rejected(rejection::body_too_large);
  metrics.connection_opened();
  metrics.connection_opened();
  metrics.connection_closed();
  metrics.request_started();
  auto text = scrape(registry);
  EXPECT_NE(text.find("cdpd_http_requests_total{method=\"GET\",route=\"/api/"
                      "users/{id}\",status=\"200\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("cdpd_http_requests_total{method=\"OTHER\",route="
                      "\"unmatched\",status=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("cdpd_http_request_duration_seconds_count{method="
                      "\"GET\",route=\"/api/users/{id}\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("le=\"0.0005\""), std::string::npos);
  EXPECT_NE(text.find("le=\"10\""), std::string::npos);
  EXPECT_NE(text.find("cdpd_http_rejected_total{reason=\"body_too_large\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("cdpd_http_connections_open 1"), std::string::npos);
  EXPECT_NE(text.find("cdpd_http_requests_in_flight 1"), std::string::npos);
}

TEST(http_metrics, two_instances_share_one_registry) {
  prometheus::Registry registry;
  http_metrics first{&registry};
  http_metrics second{&registry};
  first.rejected(rejection::read_timeout);
  second.rejected(rejection::read_timeout);
  EXPECT_NE(scrape(registry).find(
                "cdpd_http_rejected_total{reason=\"read_timeout\"} 2"),
            std::string::npos);
}

TEST(http_metrics, without_registry_everything_is_a_no_op) {
  http_metrics metrics{nullptr};
  metrics.response_sent("GET", "/", 200, 0.1);
  metrics.rejected(rejection::bad_request);
  metrics.connection_opened();
  metrics.request_started();
  metrics.request_finished();
  metrics.connection_closed();
  SUCCEED();
}

TEST(http_metrics, rejection_labels) {
  EXPECT_EQ(to_string(rejection::header_too_large), "header_too_large");
  EXPECT_EQ(to_string(rejection::body_too_large), "body_too_large");
  EXPECT_EQ(to_string(rejection::read_timeout), "read_timeout");
  EXPECT_EQ(to_string(rejection::too_many_connections), "too_many_connections");
  EXPECT_EQ(to_string(rejection::too_many_from_address),
            "too_many_from_address");
  EXPECT_EQ(to_string(rejection::bad_request), "bad_request");
}

} // namespace
} // namespace cdpd::net
