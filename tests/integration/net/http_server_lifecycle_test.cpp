#include <string>

#include <caf/sec.hpp>
#include <gtest/gtest.h>

#include "tests/integration/net/http_server_fixture.hpp"
#include "tests/support/http_client.hpp"

namespace cdpd::test {
namespace {

using http_server_lifecycle = http_server_fixture;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(http_server_lifecycle, start_reports_a_busy_port) {
  start();
  auto settings = test_settings();
  settings.port = port;
  net::http_server second{settings, routes, nullptr};
  auto bound = second.start();
  ASSERT_FALSE(bound);
  EXPECT_EQ(bound.error(), caf::sec::cannot_open_port);
  auto text = caf::to_string(bound.error());
  EXPECT_TRUE(contains(text, "127.0.0.1:" + std::to_string(port))) << text;
}

TEST_F(http_server_lifecycle, start_twice_is_an_error) {
  start();
  EXPECT_FALSE(server->start());
}

TEST_F(http_server_lifecycle, drain_finishes_the_request_in_flight) {
  start();
  raw_connection idle{port};
  ASSERT_TRUE(idle.send(format_request("GET", "/ping")));
  ASSERT_TRUE(idle.read_reply(10s));
  raw_connection busy{port};
  ASSERT_TRUE(busy.send(format_request("GET", "/hold")));
  ASSERT_TRUE(wait_held(1));
  // /ping counts until its write completes, which may trail the client.
  ASSERT_TRUE(eventually([&] { return server->in_flight() == 1; }));

  server->begin_drain();
  EXPECT_TRUE(idle.closed_by_peer(10s));
  EXPECT_EQ(idle.pending_bytes(), 0u);
  raw_connection late;
  EXPECT_FALSE(late.try_connect(port));
  EXPECT_FALSE(server->wait_drained(0ms));

  release();
  auto reply = busy.read_reply(10s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "held");
  EXPECT_EQ(reply->header("connection"), "close");
  EXPECT_TRUE(server->wait_drained(10s));
  EXPECT_TRUE(busy.closed_by_peer(10s));
  server->stop();
  EXPECT_EQ(server->open_connections(), 0u);
}

TEST_F(http_server_lifecycle, wait_drained_is_immediate_when_idle) {
  start();
  server->begin_drain();
  EXPECT_TRUE(server->wait_drained(0ms));
}

TEST_F(http_server_lifecycle,
       stop_closes_connections_and_drops_late_responses) {
  start();
  raw_connection busy{port};
  ASSERT_TRUE(busy.send(format_request("GET", "/hold")));
  ASSERT_TRUE(wait_held(1));
  server->stop();
  EXPECT_TRUE(busy.closed_by_peer(10s));
  EXPECT_EQ(busy.pending_bytes(), 0u);
  release(); // after stop: must be dropped without harm
  EXPECT_EQ(server->in_flight(), 0u);
  EXPECT_EQ(server->open_connections(), 0u);
  server->stop(); // idempotent
  raw_connection late;
  EXPECT_FALSE(late.try_connect(port));
}

TEST_F(http_server_lifecycle, stop_without_start_is_harmless) {
  net::http_server idle{test_settings(), routes, nullptr};
  idle.stop();
  idle.begin_drain();
  EXPECT_TRUE(idle.wait_drained(0ms));
}

TEST_F(http_server_lifecycle, counts_requests_and_rejections) {
  start();
  EXPECT_EQ(http_call(port, "GET", "/ping").status, 200);
  EXPECT_EQ(http_call(port, "GET", "/ping").status, 200);
  EXPECT_EQ(http_call(port, "GET", "/users/7").status, 200);
  EXPECT_EQ(http_call(port, "GET", "/nope").status, 404);
  EXPECT_EQ(http_call(port, "POST", "/echo", std::string(2000, 'x')).status,
            413);
  auto text = scrape();
  EXPECT_TRUE(contains(text, "cdpd_http_requests_total{method=\"GET\",route="
                             "\"/ping\",status=\"200\"} 2"))
      << text;
  EXPECT_TRUE(contains(text, "cdpd_http_requests_total{method=\"GET\",route="
                             "\"/users/{id}\",status=\"200\"} 1"));
  EXPECT_TRUE(contains(text, "cdpd_http_requests_total{method=\"GET\",route="
                             "\"unmatched\",status=\"404\"} 1"));
  EXPECT_TRUE(contains(text, "cdpd_http_requests_total{method=\"POST\",route="
                             "\"unmatched\",status=\"413\"} 1"));
  EXPECT_TRUE(contains(text, "cdpd_http_request_duration_seconds_count{method="
                             "\"GET\",route=\"/ping\"} 2"));
  EXPECT_TRUE(
      contains(text, "cdpd_http_rejected_total{reason=\"body_too_large\"} 1"));
  EXPECT_TRUE(contains(text, "cdpd_http_connections_open"));
  EXPECT_TRUE(eventually(
      [&] { return contains(scrape(), "cdpd_http_requests_in_flight 0"); }));
  EXPECT_TRUE(eventually(
      [&] { return contains(scrape(), "cdpd_http_connections_open 0"); }));
}

} // namespace
} // namespace cdpd::test
