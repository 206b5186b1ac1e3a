// Limiter hosts as children of a real supervisor: the region reaches them
// through their child proxies under limiter_host_name(i), and fails open
// once the tree has stopped.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "actors/atoms.hpp"
#include "actors/limits/limiter_region.hpp"
#include "actors/supervision/supervisor.hpp"
#include "tests/support/child_process.hpp"
#include "tests/unit/limits/limiter_test_support.hpp"

namespace cdpd::actors::limits {
namespace {

using namespace std::chrono_literals;
using test::ask;
using test::make_rate;
using test::metric;
using test::settle_timeout;

constexpr int hosts = 3;

supervisor_spec limiter_tree(const limiter_options& options) {
  supervisor_spec spec;
  spec.name = "limits";
  for (int i = 0; i < options.hosts; ++i) {
    child_spec child;
    child.name = limiter_host_name(i);
    child.kind = "limiter-host";
    child.shutdown_timeout = 1s;
    child.start = [i, options](caf::actor_system& sys) {
      return caf::actor_cast<caf::actor>(spawn_limiter_host(sys, i, options));
    };
    spec.children.push_back(std::move(child));
  }
  return spec;
}

void shutdown(caf::actor_system& sys, const caf::actor& supervisor) {
  caf::scoped_actor self{sys};
  self->request(supervisor, settle_timeout, shutdown_atom::value)
      .receive([] {},
               [&](caf::error& err) {
                 ADD_FAILURE() << "shutdown: " << sys.render(err);
               });
}

TEST(LimiterSupervised, RegionReachesHostsThroughTheirProxies) {
  prometheus::Registry registry;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  limiter_options options;
  options.hosts = hosts;
  options.idle_timeout = 1h;
  options.metrics = &registry;
  auto supervisor = spawn_supervisor(sys, limiter_tree(options));
  for (int i = 0; i < hosts; ++i)
    EXPECT_TRUE(sys.registry().get(caf::atom_from_string(limiter_host_name(i))))
        << limiter_host_name(i);
  limiter_region region{sys, hosts};
  std::vector<rate> rates{make_rate("per-hour", 3, 1h)};
  auto [a, b] = test::keys_on_different_hosts(hosts);
  for (const auto& key : {a, b}) {
    for (int64_t i = 1; i <= 3; ++i) {
      auto v = ask(region, key, rates);
      ASSERT_TRUE(v) << key;
      EXPECT_TRUE(v->allowed) << key << " " << i;
      EXPECT_EQ(v->remaining, 3 - i);
    }
    auto refused = ask(region, key, rates);
    ASSERT_TRUE(refused);
    EXPECT_FALSE(refused->allowed) << key;
    EXPECT_GT(refused->retry_after_seconds, 0);
  }
  EXPECT_EQ(metric(registry, "cdpd_ratelimit_limiters"), 2);
  shutdown(sys, supervisor);
  EXPECT_TRUE(test::wait_until(
      [&] { return metric(registry, "cdpd_ratelimit_limiters") == 0; },
      settle_timeout))
      << "limiters stop with their host";
  auto v = ask(region, a, rates);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->allowed) << "no host: limits fail open";
  EXPECT_TRUE(v->rate_name.empty());
}

} // namespace
} // namespace cdpd::actors::limits
