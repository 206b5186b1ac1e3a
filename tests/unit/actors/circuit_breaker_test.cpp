// The breaker state machine with a hand-driven clock: the full cycle,
// growth of the reset timeout, probes, operator actions.
#include <vector>

#include <gtest/gtest.h>

#include "actors/supervision/circuit_breaker.hpp"

using namespace cdpd::actors;
using namespace std::chrono_literals;

namespace {

struct fixture {
  std::vector<std::pair<breaker_state, breaker_state>> moves;
  circuit_breaker::time_point now{};
  circuit_breaker breaker;

  explicit fixture(breaker_policy p)
      : breaker(p, [this](breaker_state from, breaker_state to) {
          moves.emplace_back(from, to);
        }) {}

  void fail(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(breaker.allow(now));
      breaker.failed(now);
    }
  }
};

breaker_policy policy() {
  breaker_policy p;
  p.enabled = true;
  p.max_failures = 3;
  p.reset_timeout = 1s;
  p.factor = 2.0;
  p.max_reset_timeout = 3s;
  p.half_open_calls = 2;
  return p;
}

} // namespace

TEST(CircuitBreaker, OpensAfterMaxConsecutiveFailures) {
  fixture f{policy()};
  f.fail(2);
  EXPECT_EQ(f.breaker.state(), breaker_state::closed);
  EXPECT_TRUE(f.breaker.allow(f.now));
  f.breaker.succeeded(f.now);
  EXPECT_EQ(f.breaker.consecutive_failures(), 0) << "a success resets";
  f.fail(3);
  EXPECT_EQ(f.breaker.state(), breaker_state::open);
  EXPECT_FALSE(f.breaker.allow(f.now));
  EXPECT_FALSE(f.breaker.allow(f.now + 999ms));
  EXPECT_EQ(f.breaker.next_probe(), f.now + 1s);
}

TEST(CircuitBreaker, FullCycleHalfOpenSuccessCloses) {
  fixture f{policy()};
  f.fail(3);
  f.now += 1s;
  EXPECT_TRUE(f.breaker.allow(f.now));
  EXPECT_EQ(f.breaker.state(), breaker_state::half_open);
  EXPECT_TRUE(f.breaker.allow(f.now));
  EXPECT_FALSE(f.breaker.allow(f.now)) << "only half_open_calls probes";
  f.breaker.succeeded(f.now);
  EXPECT_EQ(f.breaker.state(), breaker_state::half_open);
  f.breaker.succeeded(f.now);
  EXPECT_EQ(f.breaker.state(), breaker_state::closed);
  EXPECT_EQ(f.breaker.reset_timeout(), 1s);
  using bs = breaker_state;
  std::vector<std::pair<bs, bs>> expected{{bs::closed, bs::open},
                                          {bs::open, bs::half_open},
                                          {bs::half_open, bs::closed}};
  EXPECT_EQ(f.moves, expected);
}

TEST(CircuitBreaker, HalfOpenFailureReopensWithLongerResetUpToMax) {
  fixture f{policy()};
  f.fail(3);
  f.now += 1s;
  ASSERT_TRUE(f.breaker.allow(f.now));
  f.breaker.failed(f.now);
  EXPECT_EQ(f.breaker.state(), breaker_state::open);
  EXPECT_EQ(f.breaker.reset_timeout(), 2s);
  EXPECT_FALSE(f.breaker.allow(f.now + 1999ms));
  f.now += 2s;
  ASSERT_TRUE(f.breaker.allow(f.now));
  f.breaker.failed(f.now);
  EXPECT_EQ(f.breaker.reset_timeout(), 3s) << "capped at max_reset_timeout";
  f.now += 3s;
  ASSERT_TRUE(f.breaker.allow(f.now));
  f.breaker.failed(f.now);
  EXPECT_EQ(f.breaker.reset_timeout(), 3s);
  f.now += 3s;
  ASSERT_TRUE(f.breaker.allow(f.now));
  ASSERT_TRUE(f.breaker.allow(f.now));
  f.breaker.succeeded(f.now);
  f.breaker.succeeded(f.now);
  EXPECT_EQ(f.breaker.state(), breaker_state::closed);
  EXPECT_EQ(f.breaker.reset_timeout(), 1s) << "closing resets the growth";
}

TEST(CircuitBreaker, ForcedOpenStaysOpenUntilReset) {
  fixture f{policy()};
  f.breaker.force_open(f.now);
  EXPECT_EQ(f.breaker.state(), breaker_state::open);
  EXPECT_FALSE(f.breaker.allow(f.now + std::chrono::hours{1}));
  f.breaker.reset();
  EXPECT_EQ(f.breaker.state(), breaker_state::closed);
  EXPECT_FALSE(f.breaker.forced());
  EXPECT_TRUE(f.breaker.allow(f.now));
}

TEST(CircuitBreaker, LateResultsOfAnOpenBreakerAreIgnored) {
  fixture f{policy()};
  f.fail(3);
  f.breaker.succeeded(f.now);
  EXPECT_EQ(f.breaker.state(), breaker_state::open);
  f.breaker.failed(f.now);
  EXPECT_EQ(f.breaker.next_probe(), f.now + 1s);
}
