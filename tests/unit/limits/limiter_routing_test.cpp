// The region's cluster path, with a router as a clustered node has one:
// keys whose host another node owns go to that node's answerer, and a node
// that cannot be reached, or does not answer, refuses as unavailable
// instead of failing open. Another node is stood in for by an actor that
// answers (or swallows) limit queries; the real cross-node path runs in
// tests/integration/cluster/limits_test.cpp.
#include <atomic>
#include <chrono>

#include <gtest/gtest.h>

#include "actors/limits/limiter_region.hpp"
#include "tests/support/child_process.hpp"
#include "tests/unit/limits/limiter_test_support.hpp"

namespace cdpd::actors::limits {
namespace {

using namespace std::chrono_literals;
using test::ask;
using test::make_rate;

constexpr int hosts = 4;

/// Answers every query with a verdict naming `rate_name`, counting them.
limit_answer_actor::behavior_type
answering(limit_answer_actor::pointer, std::shared_ptr<std::atomic<int>> asked,
          std::string rate_name) {
  return {[asked, rate_name](limit_atom, limit_query& q) {
    ++*asked;
    verdict v;
    v.rate_name = rate_name + ":" + q.key;
    v.limit = 7;
    return v;
  }};
}

/// Receives queries and never answers them (a frozen node): it keeps
/// each promise, so none is broken.
limit_answer_actor::behavior_type silent(limit_answer_actor::pointer self) {
  auto kept =
      std::make_shared<std::vector<caf::typed_response_promise<verdict>>>();
  return {[self, kept](limit_atom, limit_query&) {
    kept->push_back(self->make_response_promise<verdict>());
    return kept->back();
  }};
}

class LimiterRouting : public ::testing::Test {
protected:
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::optional<test::bare_hosts> running{std::in_place, sys, hosts,
                                          limiter_options{hosts}};
  std::shared_ptr<std::atomic<int>> asked =
      std::make_shared<std::atomic<int>>();
};

TEST_F(LimiterRouting, RemoteKeysGoToTheOwnersAnswerer) {
  auto other = sys.spawn(answering, asked, std::string{"remote"});
  // Host 0 is this node's, every other host another node's.
  limiter_region region{sys, hosts, [other](int index) {
                          if (index == 0)
                            return host_route{};
                          return host_route{host_route::where::remote, other};
                        }};
  std::vector<rate> rates{make_rate("per-hour", 5, 1h)};
  int local = 0;
  int remote = 0;
  for (int i = 0; i < 40; ++i) {
    auto key = "account:" + std::to_string(i);
    auto v = ask(region, key, rates);
    ASSERT_TRUE(v) << key;
    if (limiter_host_index(key, hosts) == 0) {
      ++local;
      EXPECT_EQ(v->rate_name, "per-hour") << key;
    } else {
      ++remote;
      EXPECT_EQ(v->rate_name, "remote:" + key);
      EXPECT_EQ(v->limit, 7);
    }
    EXPECT_FALSE(v->unavailable);
  }
  EXPECT_GT(local, 0);
  EXPECT_GT(remote, 0);
  EXPECT_EQ(asked->load(), remote);
  caf::anon_send_exit(other, caf::exit_reason::user_shutdown);
}

TEST_F(LimiterRouting, AnUnreachableOwnerRefusesAsUnavailable) {
  limiter_region region{sys, hosts, [](int) {
                          return host_route{host_route::where::unreachable, {}};
                        }};
  auto v = ask(region, "ip:127.0.0.0/24", {make_rate("per-minute", 100, 1min)});
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->allowed);
  EXPECT_TRUE(v->unavailable);
  EXPECT_TRUE(v->rate_name.empty()); // the login throttle's "nobody answered"
  EXPECT_EQ(v->retry_after_seconds, 1);
  EXPECT_GT(v->retry_after_ms, 0);
}

TEST_F(LimiterRouting, AnOwnerThatDoesNotAnswerIsRefusedAfterTheRemoteTimeout) {
  auto frozen = sys.spawn(silent);
  limiter_region region{sys, hosts, [frozen](int) {
                          return host_route{host_route::where::remote, frozen};
                        }};
  auto t0 = std::chrono::steady_clock::now();
  auto v = ask(region, "account:9", {make_rate("per-minute", 100, 1min)});
  auto waited = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->allowed);
  EXPECT_TRUE(v->unavailable);
  // Not the local path's fail-open timeout (2 s), and never allowed.
  EXPECT_GE(waited, remote_limit_reply_timeout);
  EXPECT_LT(waited, limit_reply_timeout + 500ms);
  caf::anon_send_exit(frozen, caf::exit_reason::user_shutdown);
}

TEST_F(LimiterRouting, AnOwnerThatStoppedIsRefusedAsUnavailable) {
  auto gone = sys.spawn(answering, asked, std::string{"gone"});
  caf::anon_send_exit(gone, caf::exit_reason::kill);
  ASSERT_TRUE(test::wait_until(
      [&] {
        return caf::actor_cast<caf::abstract_actor*>(gone)->getf(
            caf::abstract_actor::is_terminated_flag);
      },
      test::settle_timeout));
  limiter_region region{sys, hosts, [gone](int) {
                          return host_route{host_route::where::remote, gone};
                        }};
  auto v = ask(region, "account:3", {make_rate("per-minute", 100, 1min)});
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->allowed);
  EXPECT_TRUE(v->unavailable);
}

} // namespace
} // namespace cdpd::actors::limits
