// The named supervision policies: sections with a dot, the environment
// names, defaults per policy, bounds and the ordering rules inside a policy.
#include <gtest/gtest.h>

#include "config/schema.hpp"
#include "tests/unit/config/load_helpers.hpp"
#include "tests/unit/config/temp_dir.hpp"

namespace cdpd::config {
namespace {

using namespace std::chrono_literals;
using testing::load_fails;
using testing::loaded;

TEST(SupervisionOptions, EveryPolicyHasTheSameKeys) {
  std::vector<std::string_view> names[4];
  const char* sections[] = {"supervision.default", "supervision.storage",
                            "supervision.connector", "supervision.edge"};
  for (const auto& opt : options())
    for (int i = 0; i < 4; ++i)
      if (opt.section() == sections[i])
        names[i].push_back(opt.name());
  EXPECT_EQ(names[0].size(), 20u);
  for (int i = 1; i < 4; ++i)
    EXPECT_EQ(names[i], names[0]) << sections[i];
}

TEST(SupervisionOptions, DefaultsDifferPerPolicy) {
  const settings s;
  EXPECT_FALSE(s.supervision.default_policy.breaker);
  EXPECT_TRUE(s.supervision.connector.breaker);
  EXPECT_EQ(s.supervision.storage.buffer, 256);
  EXPECT_EQ(s.redis.policy, "connector");
  EXPECT_EQ(s.postgres.policy, "storage");
  EXPECT_EQ(s.http.policy, "edge");
  EXPECT_FALSE(s.admin.enabled);
}

TEST(SupervisionOptions, FlagsFileAndEnvironment) {
  EXPECT_EQ(loaded({"--supervision.connector.max-failures=7"})
                .values.supervision.connector.max_failures,
            7);
  EXPECT_EQ(loaded({}, {{"CDPD_SUPERVISION_CONNECTOR_MAX_FAILURES", "9"}})
                .values.supervision.connector.max_failures,
            9);
  EXPECT_EQ(loaded({}, {{"CDPD_SUPERVISION_EDGE_RESET_TIMEOUT", "3s"}})
                .values.supervision.edge.reset_timeout,
            3s);
  test::temp_dir dir;
  auto file = dir.write("p.ini", "[supervision.storage]\n"
                                 "strategy = rest_for_one\n"
                                 "backoff-min = 10ms\n"
                                 "[redis]\npolicy = default\n");
  auto s = loaded({"--config", file}).values;
  EXPECT_EQ(s.supervision.storage.strategy, "rest_for_one");
  EXPECT_EQ(s.supervision.storage.backoff_min, 10ms);
  EXPECT_EQ(s.supervision.default_policy.strategy, "one_for_one");
  EXPECT_EQ(s.redis.policy, "default");
}

TEST(SupervisionOptions, UnknownKeysAndPoliciesAreErrors) {
  EXPECT_EQ(load_fails({}, {{"CDPD_SUPERVISION_CONNECTOR_MAX_FAILRES", "9"}}),
            "supervision.connector.max-failres: unknown option (from "
            "CDPD_SUPERVISION_CONNECTOR_MAX_FAILRES)");
  EXPECT_EQ(load_fails({"--redis.policy=fast"}),
            "redis.policy: \"fast\" is not one of default, storage, "
            "connector, edge (from --redis.policy)");
  test::temp_dir dir;
  auto file = dir.write("p.ini", "[supervision.other]\nbuffer = 1\n");
  EXPECT_EQ(load_fails({"--config", file}),
            "[supervision.other]: unknown section (from " + file + ":1)");
}

TEST(SupervisionOptions, BoundsNameTheKey) {
  EXPECT_EQ(load_fails({"--supervision.edge.backoff-factor=50"}),
            "supervision.edge.backoff-factor: 50 is below the minimum 100 "
            "(from --supervision.edge.backoff-factor)");
  EXPECT_EQ(load_fails({"--supervision.default.max-failures=0"}),
            "supervision.default.max-failures: 0 is below the minimum 1 "
            "(from --supervision.default.max-failures)");
  EXPECT_EQ(load_fails({"--supervision.connector.strategy=all"}),
            "supervision.connector.strategy: \"all\" is not one of "
            "one_for_one, one_for_all, rest_for_one (from "
            "--supervision.connector.strategy)");
}

TEST(SupervisionOptions, OrderingRulesInsideAPolicy) {
  EXPECT_EQ(load_fails({"--supervision.storage.backoff-min=20s"}),
            "supervision.storage.backoff-max: 10s must be at least "
            "supervision.storage.backoff-min (20s)");
  EXPECT_EQ(load_fails({"--supervision.connector.max-reset-timeout=1s"}),
            "supervision.connector.max-reset-timeout: 1s must be at least "
            "supervision.connector.reset-timeout (5s)");
  EXPECT_EQ(load_fails({"--supervision.edge.retry-deadline=500ms"}),
            "supervision.edge.retry-deadline: 500ms must be at least "
            "supervision.edge.retry-per-try-timeout (1s)");
  EXPECT_EQ(loaded({"--supervision.storage.backoff-min=10s"})
                .values.supervision.storage.backoff_min,
            10s);
}

TEST(SupervisionOptions, AdminSwitch) {
  EXPECT_TRUE(loaded({"--admin.enabled"}).values.admin.enabled);
  EXPECT_TRUE(
      loaded({}, {{"CDPD_ADMIN_ENABLED", "true"}}).values.admin.enabled);
}

} // namespace
} // namespace cdpd::config
