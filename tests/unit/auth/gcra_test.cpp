#include "actors/limits/gcra.hpp"

#include <gtest/gtest.h>

namespace cdpd::actors::limits {
namespace {

using namespace std::chrono_literals;

const clock::time_point t0 = clock::time_point{} + 1000h;

TEST(Gcra, ARefundGivesBackWhatWasChargedAndNeverMore) {
  gcra_state s;
  ASSERT_TRUE(check(s, t0, 3, 1min).allowed);
  ASSERT_TRUE(check(s, t0, 3, 1min).allowed);
  EXPECT_EQ(check(s, t0, 3, 1min, -1).remaining, 2);
  EXPECT_EQ(check(s, t0, 3, 1min, -1).remaining, 3);
  // Nothing outstanding: a further refund adds no credit.
  EXPECT_EQ(check(s, t0, 3, 1min, -1).remaining, 3);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(check(s, t0, 3, 1min).allowed) << i;
  EXPECT_FALSE(check(s, t0, 3, 1min).allowed);
}

TEST(Gcra, BurstGetsExactlyTheLimitThrough) {
  for (int64_t limit : {1, 5, 10, 20, 100, 1000}) {
    for (auto period : {clock::duration{1min}, clock::duration{1h}}) {
      gcra_state s;
      for (int64_t i = 0; i < limit; ++i) {
        auto d = check(s, t0, limit, period);
        ASSERT_TRUE(d.allowed) << limit << " request " << i;
        EXPECT_EQ(d.remaining, limit - i - 1);
        EXPECT_EQ(d.retry_after, clock::duration::zero());
      }
      auto denied = check(s, t0, limit, period);
      EXPECT_FALSE(denied.allowed) << limit;
      EXPECT_EQ(denied.remaining, 0);
      // One request's share of the period must pass before the next fits.
      EXPECT_EQ(denied.retry_after, period / limit) << limit;
      EXPECT_EQ(denied.reset, (period / limit) * limit);
    }
  }
}

TEST(Gcra, RefusalsDoNotConsumeCapacity) {
  gcra_state s;
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(check(s, t0, 10, 1min).allowed);
  auto tat = s.tat;
  for (int i = 0; i < 50; ++i)
    EXPECT_FALSE(check(s, t0, 10, 1min).allowed);
  EXPECT_EQ(s.tat, tat);
  EXPECT_TRUE(check(s, t0 + 6s, 10, 1min).allowed);
}

TEST(Gcra, RetryAfterIsExact) {
  gcra_state s;
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(check(s, t0, 5, 1min).allowed);
  auto denied = check(s, t0 + 4s, 5, 1min);
  ASSERT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after, 8s); // one slot frees every 12 s
  EXPECT_EQ(ceil_seconds(denied.retry_after), 8);
  EXPECT_FALSE(check(s, t0 + 12s - 1ns, 5, 1min).allowed);
  auto allowed = check(s, t0 + 12s, 5, 1min);
  EXPECT_TRUE(allowed.allowed);
  EXPECT_EQ(allowed.remaining, 0);
}

TEST(Gcra, RecoversOverTime) {
  gcra_state s;
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(check(s, t0, 100, 1min).allowed);
  ASSERT_FALSE(check(s, t0, 100, 1min).allowed);
  // Half the period gives back half the burst.
  auto half = t0 + 30s;
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(check(s, half, 100, 1min).allowed) << i;
  EXPECT_FALSE(check(s, half, 100, 1min).allowed);
  // A full idle period gives back the whole burst, never more.
  auto later = half + 5min;
  auto first = check(s, later, 100, 1min);
  EXPECT_TRUE(first.allowed);
  EXPECT_EQ(first.remaining, 99);
  for (int i = 1; i < 100; ++i)
    ASSERT_TRUE(check(s, later, 100, 1min).allowed);
  EXPECT_FALSE(check(s, later, 100, 1min).allowed);
}

TEST(Gcra, SteadyRateAtTheLimitIsAlwaysAllowed) {
  gcra_state s;
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(check(s, t0 + i * 3600ms, 1000, 1h).allowed) << i;
}

TEST(Gcra, KeysAreIndependent) {
  gcra_state alice;
  gcra_state bob;
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(check(alice, t0, 10, 1min).allowed);
  EXPECT_FALSE(check(alice, t0, 10, 1min).allowed);
  auto d = check(bob, t0, 10, 1min);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 9);
}

TEST(Gcra, CostCountsAsSeveralRequests) {
  gcra_state s;
  EXPECT_TRUE(check(s, t0, 10, 1min, 4).allowed);
  EXPECT_TRUE(check(s, t0, 10, 1min, 6).allowed);
  EXPECT_FALSE(check(s, t0, 10, 1min, 1).allowed);
  gcra_state fresh;
  auto too_big = check(fresh, t0, 10, 1min, 11);
  EXPECT_FALSE(too_big.allowed);
  EXPECT_EQ(too_big.remaining, 10);
  EXPECT_EQ(fresh.tat, clock::time_point{});
}

TEST(Gcra, ZeroLimitMeansNoLimit) {
  gcra_state s;
  for (int i = 0; i < 10'000; ++i)
    ASSERT_TRUE(check(s, t0, 0, 1min).allowed);
}

TEST(Gcra, UnevenIntervalsKeepTheBurstExact) {
  // 60 s / 7 is not a whole number of nanoseconds.
  gcra_state s;
  for (int i = 0; i < 7; ++i)
    ASSERT_TRUE(check(s, t0, 7, 1min).allowed);
  EXPECT_FALSE(check(s, t0, 7, 1min).allowed);
  EXPECT_TRUE(check(s, t0 + 1min, 7, 1min).allowed);
}

TEST(Gcra, CeilSeconds) {
  EXPECT_EQ(ceil_seconds(0s), 0);
  EXPECT_EQ(ceil_seconds(1ns), 1);
  EXPECT_EQ(ceil_seconds(1s), 1);
  EXPECT_EQ(ceil_seconds(1200ms), 2);
  EXPECT_EQ(ceil_seconds(-5s), 0);
}

} // namespace
} // namespace cdpd::actors::limits
