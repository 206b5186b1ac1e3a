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
