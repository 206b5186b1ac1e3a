// Limiter hosts and actors on a real actor system, reached through the
// region: exact bursts, peeks, refusals, key isolation, concurrency,
// passivation, and failing open when a host is missing or lost.
#include "actors/limits/limiter_region.hpp"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "tests/support/child_process.hpp"
#include "tests/unit/limits/limiter_test_support.hpp"

namespace cdpd::actors::limits {
namespace {

using namespace std::chrono_literals;
using test::ask;
using test::make_rate;
using test::metric;
using test::settle_timeout;
using test::wait_until;

constexpr int hosts = 4;

class LimiterRegion : public ::testing::Test {
protected:
  /// Hosts with metrics and the given idle timeout (one hour: no
  /// passivation during a test).
  void start(std::chrono::milliseconds idle_timeout = 1h) {
    limiter_options options;
    options.hosts = hosts;
    options.idle_timeout = idle_timeout;
    options.metrics = &registry;
    running.emplace(sys, hosts, options);
  }

  double limiters() { return metric(registry, "cdpd_ratelimit_limiters"); }

  // Declared first: limiters update it until the actor system is gone.
  prometheus::Registry registry;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  limiter_region region{sys, hosts};
  std::optional<test::bare_hosts> running;
};

TEST_F(LimiterRegion, BurstGetsExactlyTheLimitThenRefusals) {
  start();
  std::vector<rate> rates{make_rate("per-hour", 5, 1h)};
  for (int64_t i = 1; i <= 5; ++i) {
    auto v = ask(region, "account:1", rates);
    ASSERT_TRUE(v) << "no verdict for request " << i;
    EXPECT_TRUE(v->allowed) << i;
    EXPECT_EQ(v->rate_name, "per-hour");
    EXPECT_EQ(v->limit, 5);
    EXPECT_EQ(v->remaining, 5 - i);
    // Each request adds one interval (720 s) to the reset; the seconds
    // that pass during the test round it down by at most a little.
    EXPECT_LE(v->reset_seconds, i * 720);
    EXPECT_GT(v->reset_seconds, i * 720 - 60);
    EXPECT_EQ(v->retry_after_seconds, 0);
  }
  for (int i = 0; i < 3; ++i) {
    auto v = ask(region, "account:1", rates);
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->allowed);
    EXPECT_EQ(v->rate_name, "per-hour");
    EXPECT_EQ(v->remaining, 0);
    EXPECT_GT(v->retry_after_seconds, 0);
    EXPECT_LE(v->retry_after_seconds, 720);
    EXPECT_LE(v->reset_seconds, 3600);
    EXPECT_GT(v->reset_seconds, 3600 - 60);
  }
  EXPECT_EQ(metric(registry, "cdpd_ratelimit_decisions_total", "allowed"), 5);
  EXPECT_EQ(metric(registry, "cdpd_ratelimit_decisions_total", "refused"), 3);
  EXPECT_EQ(limiters(), 1);
}

TEST_F(LimiterRegion, PeekDoesNotCharge) {
  start();
  std::vector<rate> rates{make_rate("login-per-minute", 2, 1min)};
  for (int i = 0; i < 10; ++i) {
    auto v = ask(region, "ip:192.0.2.1", rates, 1, true);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->allowed);
    EXPECT_EQ(v->remaining, 1);
  }
  ASSERT_TRUE(ask(region, "ip:192.0.2.1", rates)->allowed);
  ASSERT_TRUE(ask(region, "ip:192.0.2.1", rates)->allowed);
  EXPECT_FALSE(ask(region, "ip:192.0.2.1", rates, 1, true)->allowed);
  EXPECT_FALSE(ask(region, "ip:192.0.2.1", rates)->allowed);
}

TEST_F(LimiterRegion, RefusedRequestChargesNoRate) {
  start();
  auto hourly = make_rate("general-per-hour", 100, 1h);
  std::vector<rate> rates{hourly, make_rate("ai-generate-per-minute", 2, 1min)};
  ASSERT_TRUE(ask(region, "apikey:ab12", rates)->allowed);
  ASSERT_TRUE(ask(region, "apikey:ab12", rates)->allowed);
  for (int i = 0; i < 10; ++i) {
    auto v = ask(region, "apikey:ab12", rates);
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->allowed);
    EXPECT_EQ(v->rate_name, "ai-generate-per-minute");
  }
  // Only the two allowed requests count against the hourly rate.
  auto v = ask(region, "apikey:ab12", {hourly});
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->allowed);
  EXPECT_EQ(v->remaining, 100 - 3);
}

TEST_F(LimiterRegion, KeysAreIndependentOnOneHost) {
  start();
  auto [a, b] = test::keys_on_same_host(hosts);
  std::vector<rate> rates{make_rate("per-minute", 1, 1min)};
  ASSERT_TRUE(ask(region, a, rates)->allowed);
  EXPECT_FALSE(ask(region, a, rates)->allowed);
  EXPECT_TRUE(ask(region, b, rates)->allowed);
  EXPECT_EQ(limiters(), 2);
}

TEST_F(LimiterRegion, KeysOnDifferentHostsAreServedByTheirOwnHost) {
  start();
  auto [a, b] = test::keys_on_different_hosts(hosts);
  std::vector<rate> rates{make_rate("per-minute", 1, 1min)};
  ASSERT_TRUE(ask(region, a, rates)->allowed);
  ASSERT_TRUE(ask(region, b, rates)->allowed);
  EXPECT_FALSE(ask(region, a, rates)->allowed);
  EXPECT_FALSE(ask(region, b, rates)->allowed);
  // Without a's host, a fails open while b is still limited by its own.
  auto index = limiter_host_index(a, hosts);
  sys.registry().erase(caf::atom_from_string(limiter_host_name(index)));
  sys.registry().erase(caf::atom_from_string(limiter_host_direct_name(index)));
  auto open = ask(region, a, rates);
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->allowed);
  EXPECT_TRUE(open->rate_name.empty());
  EXPECT_FALSE(ask(region, b, rates)->allowed);
}

TEST_F(LimiterRegion, ConcurrentCallersGetExactlyTheLimitThrough) {
  start();
  constexpr int threads = 4;
  constexpr int per_thread = 250;
  constexpr int64_t limit = 100;
  std::vector<rate> rates{make_rate("general-per-hour", limit, 1h)};
  auto log = std::make_shared<test::verdict_log>();
  std::vector<std::thread> callers;
  for (int t = 0; t < threads; ++t)
    callers.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        limit_request request;
        request.key = "account:42";
        request.rates = rates;
        request.done = log->sink();
        region.check(std::move(request));
      }
    });
  for (auto& caller : callers)
    caller.join();
  ASSERT_TRUE(log->wait_for(threads * per_thread, settle_timeout));
  auto verdicts = log->snapshot();
  EXPECT_EQ(verdicts.size(), std::size_t{threads * per_thread});
  int64_t allowed = 0;
  for (const auto& v : verdicts) {
    EXPECT_EQ(v.rate_name, "general-per-hour");
    allowed += v.allowed ? 1 : 0;
  }
  EXPECT_EQ(allowed, limit);
}

TEST_F(LimiterRegion, IdleFreshLimiterPassivatesAndComesBackFresh) {
  start(20ms);
  std::vector<rate> rates{make_rate("per-200ms", 2, 200ms)};
  auto first = ask(region, "account:7", rates);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->allowed);
  EXPECT_EQ(first->remaining, 1);
  ASSERT_TRUE(ask(region, "account:7", rates)->allowed);
  EXPECT_EQ(limiters(), 1);
  ASSERT_TRUE(wait_until([&] { return limiters() == 0; }, settle_timeout));
  EXPECT_EQ(metric(registry, "cdpd_ratelimit_passivations_total"), 1);
  auto again = ask(region, "account:7", rates);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->allowed);
  EXPECT_EQ(again->remaining, first->remaining);
  EXPECT_EQ(limiters(), 1);
}

TEST_F(LimiterRegion, LimiterWithStateInTheFutureIsNotPassivated) {
  start(20ms);
  std::vector<rate> hourly{make_rate("per-hour", 2, 1h)};
  std::vector<rate> short_lived{make_rate("per-10ms", 1, 10ms)};
  ASSERT_TRUE(ask(region, "account:busy", hourly)->allowed);
  ASSERT_TRUE(ask(region, "account:busy", hourly)->allowed);
  ASSERT_FALSE(ask(region, "account:busy", hourly)->allowed);
  // A key asked later, fresh again after 10 ms, passivates: by then the
  // first key has been idle longer than the idle timeout as well.
  ASSERT_TRUE(ask(region, "account:quiet", short_lived)->allowed);
  ASSERT_TRUE(wait_until(
      [&] {
        return metric(registry, "cdpd_ratelimit_passivations_total") >= 1;
      },
      settle_timeout));
  EXPECT_EQ(limiters(), 1);
  auto v = ask(region, "account:busy", hourly);
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->allowed) << "waiting for passivation escaped the limit";
  EXPECT_GT(v->retry_after_seconds, 1000);
  EXPECT_EQ(metric(registry, "cdpd_ratelimit_passivations_total"), 1);
}

TEST_F(LimiterRegion, NoRequestIsLostWhileLimitersPassivate) {
  start(1ms);
  // A period far below the idle timeout's granularity keeps every state
  // fresh, so limiters passivate between (and race with) the bursts.
  std::vector<rate> rates{make_rate("per-second", 1'000'000, 1s)};
  auto log = std::make_shared<test::verdict_log>();
  constexpr int rounds = 20;
  constexpr int per_round = 200;
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::thread> callers;
    for (int t = 0; t < 2; ++t)
      callers.emplace_back([&, t] {
        for (int i = 0; i < per_round / 2; ++i) {
          limit_request request;
          request.key = "ip:198.51.100." + std::to_string((i + t) % 8);
          request.rates = rates;
          request.done = log->sink();
          region.check(std::move(request));
        }
      });
    for (auto& caller : callers)
      caller.join();
    ASSERT_TRUE(log->wait_for((round + 1) * per_round, settle_timeout));
  }
  auto verdicts = log->snapshot();
  EXPECT_EQ(verdicts.size(), std::size_t{rounds * per_round});
  for (const auto& v : verdicts) {
    // A lost request would fail open: allowed with no rate name.
    ASSERT_EQ(v.rate_name, "per-second");
    ASSERT_TRUE(v.allowed);
  }
  ASSERT_TRUE(wait_until([&] { return limiters() == 0; }, settle_timeout));
  EXPECT_GT(metric(registry, "cdpd_ratelimit_passivations_total"), 0);
}

TEST_F(LimiterRegion, FailsOpenAtOnceWithoutHosts) {
  bool called = false;
  verdict got;
  limit_request request;
  request.key = "account:1";
  request.rates = {make_rate("per-hour", 1, 1h)};
  request.done = [&](const verdict& v) {
    called = true;
    got = v;
  };
  region.check(std::move(request));
  ASSERT_TRUE(called) << "the verdict comes before check() returns";
  EXPECT_TRUE(got.allowed);
  EXPECT_TRUE(got.rate_name.empty());
  limiter_region none{sys, 0};
  auto v = ask(none, "account:1", {make_rate("per-hour", 1, 1h)});
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->allowed);
}

TEST_F(LimiterRegion, RequestLostWithItsHostFailsOpen) {
  start();
  std::vector<rate> rates{make_rate("per-hour", 1, 1h)};
  const std::string key = "account:lost";
  ASSERT_TRUE(ask(region, key, rates)->allowed);
  ASSERT_FALSE(ask(region, key, rates)->allowed);
  // The registry still names the host, but it is gone: the request is
  // dropped undelivered, and its callback still runs exactly once.
  auto host = running->host(limiter_host_index(key, hosts));
  {
    caf::scoped_actor self{sys};
    self->monitor(host);
    caf::anon_send_exit(host, caf::exit_reason::kill);
    self->receive([](const caf::down_msg&) {});
  }
  ASSERT_TRUE(wait_until([&] { return limiters() == 0; }, settle_timeout));
  ASSERT_TRUE(sys.registry().get(caf::atom_from_string(
      limiter_host_name(limiter_host_index(key, hosts)))));
  auto log = std::make_shared<test::verdict_log>();
  limit_request request;
  request.key = key;
  request.rates = rates;
  request.done = log->sink();
  region.check(std::move(request));
  ASSERT_TRUE(log->wait_for(1, settle_timeout));
  auto verdicts = log->snapshot();
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_TRUE(verdicts[0].allowed);
  EXPECT_TRUE(verdicts[0].rate_name.empty());
}

} // namespace
} // namespace cdpd::actors::limits
