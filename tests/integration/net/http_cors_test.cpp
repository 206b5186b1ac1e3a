// Cross-origin requests: only configured origins get CORS headers, by name
// and with credentials; preflights are answered before any handler.
#include <string>

#include <gtest/gtest.h>

#include "tests/integration/net/http_server_fixture.hpp"
#include "tests/support/http_client.hpp"

namespace cdpd::test {
namespace {

constexpr const char* app = "https://app.example.com";

class http_cors : public http_server_fixture {
protected:
  void SetUp() override {
    auto settings = test_settings();
    settings.cors_origins = std::string{app} + ", http://localhost:5173";
    start(settings);
  }
};

TEST_F(http_cors, a_configured_origin_is_named_with_credentials) {
  auto reply = http_call(port, "GET", "/ping", {}, {{"Origin", app}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("access-control-allow-origin"), app);
  EXPECT_EQ(reply.header("access-control-allow-credentials"), "true");
  EXPECT_NE(reply.header("access-control-expose-headers").find("X-Request-ID"),
            std::string::npos);
  EXPECT_EQ(reply.header("vary"), "Origin");
  auto second = http_call(port, "GET", "/ping", {},
                          {{"Origin", "http://localhost:5173"}});
  EXPECT_EQ(second.header("access-control-allow-origin"),
            "http://localhost:5173");
}

TEST_F(http_cors, other_origins_get_no_cors_headers) {
  for (const char* origin : {"https://evil.example", "null", "*",
                             "https://app.example.com.evil.example"}) {
    auto reply = http_call(port, "GET", "/ping", {}, {{"Origin", origin}});
    SCOPED_TRACE(origin);
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.header("access-control-allow-origin"), "");
    EXPECT_EQ(reply.header("access-control-allow-credentials"), "");
    EXPECT_EQ(reply.header("vary"), "Origin");
  }
}

TEST_F(http_cors, preflights_are_answered_for_configured_origins_only) {
  auto ok = http_call(port, "OPTIONS", "/echo", {},
                      {{"Origin", app},
                       {"Access-Control-Request-Method", "POST"},
                       {"Access-Control-Request-Headers", "content-type"}});
  EXPECT_EQ(ok.status, 204);
  EXPECT_EQ(ok.header("access-control-allow-origin"), app);
  EXPECT_NE(ok.header("access-control-allow-methods").find("POST"),
            std::string::npos);
  EXPECT_NE(ok.header("access-control-allow-headers").find("Authorization"),
            std::string::npos);
  EXPECT_EQ(ok.header("access-control-max-age"), "600");

  auto refused = http_call(port, "OPTIONS", "/echo", {},
                           {{"Origin", "https://evil.example"},
                            {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.header("access-control-allow-origin"), "");
  EXPECT_NE(refused.body.find("http.cors-origins"), std::string::npos);

  // A plain OPTIONS (no preflight) keeps its 405 with Allow.
  auto plain = http_call(port, "OPTIONS", "/echo");
  EXPECT_EQ(plain.status, 405);
}

using http_cors_off = http_server_fixture;

TEST_F(http_cors_off, no_origin_configured_means_no_cors_at_all) {
  start();
  auto reply = http_call(port, "GET", "/ping", {}, {{"Origin", app}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("access-control-allow-origin"), "");
  EXPECT_EQ(reply.header("vary"), "");
  auto preflight =
      http_call(port, "OPTIONS", "/echo", {},
                {{"Origin", app}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(preflight.status, 405);
}

} // namespace
} // namespace cdpd::test
