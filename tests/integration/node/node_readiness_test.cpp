// /health/ready follows its dependencies: PostgreSQL and Redis stopped and
// started again under a running cdpd.
#include <csignal>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "storage/embedded_postgres.hpp"
#include "tests/integration/node/node_support.hpp"
#include "tests/support/free_port.hpp"

using namespace cdpd::test;
using namespace std::chrono_literals;

namespace {

nlohmann::json ready_body(uint16_t port) {
  return nlohmann::json::parse(http_call(port, "GET", "/health/ready").body);
}

} // namespace

TEST(NodeReadiness, FollowsPostgresDownAndUp) {
  temp_state_dir pg_dir;
  auto pg_port = free_port();
  auto pg = start_postgres(pg_dir.path(), pg_port);
  ASSERT_NE(pg, nullptr);
  auto port = free_port();
  auto cdpd = start_cdpd(
      port, {"--postgres.url=" + pg->url(), "--postgres.connect-timeout=1s"});
  ASSERT_TRUE(wait_ready_status(port, 200, 30s)) << cdpd->output();

  pg->stop();
  ASSERT_TRUE(wait_ready_status(port, 503, 20s)) << cdpd->output();
  auto down = ready_body(port);
  EXPECT_EQ(down["status"], "unavailable");
  EXPECT_EQ(down["checks"]["postgres"]["status"], "down");
  EXPECT_FALSE(down["checks"]["postgres"]["error"].get<std::string>().empty());
  // Liveness is not readiness: the process itself is fine.
  EXPECT_EQ(http_call(port, "GET", "/health").status, 200);

  pg = start_postgres(pg_dir.path(), pg_port);
  ASSERT_NE(pg, nullptr);
  EXPECT_TRUE(wait_ready_status(port, 200, 20s)) << cdpd->output();
  cdpd->signal(SIGTERM);
  EXPECT_EQ(cdpd->wait(30s), 0) << cdpd->output();
}

TEST(NodeReadiness, FollowsRedisDownAndUp) {
  temp_state_dir pg_dir;
  auto pg = start_postgres(pg_dir.path());
  ASSERT_NE(pg, nullptr);
  auto redis_port = free_port();
  auto redis = start_redis(redis_port);
  auto port = free_port();
  auto cdpd = start_cdpd(
      port, {"--postgres.url=" + pg->url(),
             "--redis.url=redis://127.0.0.1:" + std::to_string(redis_port),
             "--redis.timeout=500ms"});
  ASSERT_TRUE(wait_ready_status(port, 200, 30s)) << cdpd->output();
  EXPECT_EQ(ready_body(port)["checks"]["redis"]["status"], "up");

  redis->signal(SIGTERM);
  ASSERT_TRUE(redis->wait(10s).has_value());
  ASSERT_TRUE(wait_ready_status(port, 503, 20s)) << cdpd->output();
  auto down = ready_body(port);
  EXPECT_EQ(down["checks"]["redis"]["status"], "down");
  EXPECT_EQ(down["checks"]["postgres"]["status"], "up");

  redis = start_redis(redis_port);
  EXPECT_TRUE(wait_ready_status(port, 200, 20s)) << cdpd->output();
  cdpd->signal(SIGTERM);
  EXPECT_EQ(cdpd->wait(30s), 0) << cdpd->output();
}

TEST(NodeReadiness, AnonymousCallersSeeOnlyUpAndDown) {
  temp_state_dir pg_dir;
  auto pg = start_postgres(pg_dir.path());
  ASSERT_NE(pg, nullptr);
  auto port = free_port();
  const std::string password = "readiness-admin-password";
  // Redis configured on a port where nothing listens: its check is down
  // with an error that names the address.
  auto cdpd = start_cdpd(
      port, {"--postgres.url=" + pg->url(), "--auth.anonymous-role=none",
             "--auth.bootstrap-password=" + password,
             "--redis.url=redis://127.0.0.1:" + std::to_string(free_port()),
             "--redis.timeout=300ms"});
  ASSERT_TRUE(wait_ready_status(port, 503, 30s)) << cdpd->output();
  // Not ready from the start; PostgreSQL's check comes up once its db
  // actor has a connection (a round of checks answers for a second).
  const nlohmann::json up{{"status", "up"}};
  nlohmann::json anonymous;
  ASSERT_TRUE(wait_until(
      [&] {
        anonymous = ready_body(port);
        return anonymous["checks"]["postgres"] == up;
      },
      30s))
      << anonymous.dump() << cdpd->output();
  EXPECT_EQ(anonymous["status"], "unavailable") << anonymous.dump();
  EXPECT_EQ(anonymous["checks"]["redis"], (nlohmann::json{{"status", "down"}}))
      << anonymous.dump();

  auto login = http_call(
      port, "POST", "/api/auth/login",
      nlohmann::json{{"email", "admin@localhost"}, {"password", password}}
          .dump(),
      {{"Content-Type", "application/json"}});
  ASSERT_EQ(login.status, 200) << login.body;
  auto token = nlohmann::json::parse(login.body)["access_token"];
  auto operator_view = nlohmann::json::parse(
      http_call(port, "GET", "/health/ready", {},
                {{"Authorization", "Bearer " + token.get<std::string>()}})
          .body);
  EXPECT_FALSE(
      operator_view["checks"]["redis"]["error"].get<std::string>().empty())
      << operator_view.dump();
  EXPECT_TRUE(operator_view["checks"]["postgres"].contains("latency_ms"));
  cdpd->signal(SIGTERM);
  EXPECT_EQ(cdpd->wait(30s), 0) << cdpd->output();
}
