// The Redis circuit breaker under a running cdpd: Redis stopped and started
// again, seen through /admin/breakers, /admin/actors, /health/ready and
// /metrics; and the admin switch.
#include <csignal>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "storage/embedded_postgres.hpp"
#include "tests/integration/node/node_support.hpp"
#include "tests/support/free_port.hpp"

using namespace cdpd::test;
using namespace std::chrono_literals;

namespace {

nlohmann::json get_json(uint16_t port, const std::string& target) {
  auto reply = http_call(port, "GET", target);
  auto body = nlohmann::json::parse(reply.body, nullptr, false);
  return body.is_discarded() ? nlohmann::json{} : body;
}

/// The state of the redis breaker per /admin/breakers, or "" if missing.
std::string redis_breaker(uint16_t port) {
  auto body = get_json(port, "/admin/breakers");
  if (!body.contains("breakers"))
    return {};
  for (auto& b : body["breakers"])
    if (b["name"] == "redis")
      return b["state"].get<std::string>();
  return {};
}

const nlohmann::json* find(const nlohmann::json& node,
                           const std::string& name) {
  if (node.value("name", "") == name)
    return &node;
  if (node.contains("children"))
    for (auto& child : node["children"])
      if (const auto* found = find(child, name))
        return found;
  return nullptr;
}

} // namespace

TEST(NodeBreaker, RedisBreakerOpensWhileRedisIsDownAndClosesByItself) {
  temp_state_dir pg_dir;
  auto pg = start_postgres(pg_dir.path());
  ASSERT_NE(pg, nullptr);
  auto redis_port = free_port();
  auto redis = start_redis(redis_port);
  auto port = free_port();
  auto cdpd = start_cdpd(
      port, {"--postgres.url=" + pg->url(),
             "--redis.url=redis://127.0.0.1:" + std::to_string(redis_port),
             "--redis.timeout=500ms", "--admin.enabled",
             "--supervision.connector.max-failures=2",
             "--supervision.connector.reset-timeout=200ms",
             "--supervision.connector.max-reset-timeout=1s"});
  ASSERT_TRUE(wait_ready_status(port, 200, 30s)) << cdpd->output();
  EXPECT_EQ(redis_breaker(port), "closed");

  redis->signal(SIGTERM);
  ASSERT_TRUE(redis->wait(10s).has_value());
  // Readiness probes are calls through the breaker: two failures open it.
  ASSERT_TRUE(wait_until(
      [&] {
        http_call(port, "GET", "/health/ready");
        return redis_breaker(port) == "open";
      },
      20s))
      << cdpd->output();
  auto ready = http_call(port, "GET", "/health/ready");
  EXPECT_EQ(ready.status, 503);
  auto checks = nlohmann::json::parse(ready.body)["checks"];
  EXPECT_EQ(checks["redis"]["status"], "down");
  EXPECT_EQ(checks["postgres"]["status"], "up");
  // What does not need Redis keeps working.
  EXPECT_EQ(http_call(port, "GET", "/health").status, 200);
  EXPECT_EQ(http_call(port, "GET", "/").status, 200);
  auto metrics = http_call(port, "GET", "/metrics").body;
  EXPECT_NE(metrics.find("cdpd_breaker_transitions_total{connector=\"redis\","
                         "to=\"open\"}"),
            std::string::npos)
      << metrics;
  auto tree = get_json(port, "/admin/actors");
  const auto* redis_node = find(tree["tree"], "redis");
  ASSERT_NE(redis_node, nullptr) << tree.dump();
  EXPECT_EQ((*redis_node)["policy"], "connector");
  EXPECT_EQ((*redis_node)["state"], "running");
  EXPECT_GE((*redis_node)["calls"]["failures"].get<int>(), 2);

  redis = start_redis(redis_port);
  // No readiness polling now: the breaker's own probes must close it.
  EXPECT_TRUE(wait_until([&] { return redis_breaker(port) == "closed"; }, 20s))
      << cdpd->output();
  EXPECT_TRUE(wait_ready_status(port, 200, 20s)) << cdpd->output();
  EXPECT_NE(cdpd->output().find("breaker redis: half_open -> closed"),
            std::string::npos);
  cdpd->signal(SIGTERM);
  EXPECT_EQ(cdpd->wait(30s), 0) << cdpd->output();
}

TEST(NodeBreaker, AdminEndpointsAreOffByDefault) {
  temp_state_dir pg_dir;
  auto pg = start_postgres(pg_dir.path());
  ASSERT_NE(pg, nullptr);
  auto port = free_port();
  auto cdpd = start_cdpd(port, {"--postgres.url=" + pg->url()});
  ASSERT_TRUE(wait_ready_status(port, 200, 30s)) << cdpd->output();
  EXPECT_EQ(http_call(port, "GET", "/admin/actors").status, 404);
  EXPECT_EQ(http_call(port, "POST", "/admin/breakers/redis/open").status, 404);
  cdpd->signal(SIGTERM);
  EXPECT_EQ(cdpd->wait(30s), 0) << cdpd->output();
}
