// The verdict of one limiter over several rates, without actors: which
// rate's figures are reported, what is charged, what a peek leaves behind.
#include "actors/limits/limiter_actor.hpp"

#include <gtest/gtest.h>

#include "tests/unit/limits/limiter_test_support.hpp"

namespace cdpd::actors::limits {
namespace {

using namespace std::chrono_literals;
using test::make_rate;

const clock::time_point t0 = clock::time_point{} + 1000h;

TEST(LimiterDecide, NoRateMeansAllowedWithoutFigures) {
  rate_states states;
  auto v = decide(states, {}, 1, false, t0);
  EXPECT_TRUE(v.allowed);
  EXPECT_TRUE(v.rate_name.empty());
  EXPECT_EQ(v.limit, 0);
  EXPECT_TRUE(states.empty());
  // Rates switched off (limit 0) are no rates at all.
  v = decide(states, {make_rate("off", 0, 1min)}, 1, false, t0);
  EXPECT_TRUE(v.allowed);
  EXPECT_TRUE(v.rate_name.empty());
  EXPECT_TRUE(states.empty());
}

TEST(LimiterDecide, ReportsTheRateWithFewestRemaining) {
  rate_states states;
  std::vector<rate> rates{make_rate("per-hour", 100, 1h),
                          make_rate("per-minute", 3, 1min)};
  auto v = decide(states, rates, 1, false, t0);
  EXPECT_TRUE(v.allowed);
  EXPECT_EQ(v.rate_name, "per-minute");
  EXPECT_EQ(v.limit, 3);
  EXPECT_EQ(v.remaining, 2);
  EXPECT_EQ(v.reset_seconds, 20);
  EXPECT_EQ(v.retry_after_seconds, 0);
  EXPECT_EQ(v.retry_after_ms, 0);
  EXPECT_EQ(states.size(), 2u);
}

TEST(LimiterDecide, RefusalReportsTheRefusingRateAndChargesNothing) {
  rate_states states;
  std::vector<rate> rates{make_rate("per-hour", 100, 1h),
                          make_rate("per-minute", 2, 1min)};
  ASSERT_TRUE(decide(states, rates, 1, false, t0).allowed);
  ASSERT_TRUE(decide(states, rates, 1, false, t0).allowed);
  auto before = states;
  for (int i = 0; i < 5; ++i) {
    auto v = decide(states, rates, 1, false, t0);
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(v.rate_name, "per-minute");
    EXPECT_EQ(v.remaining, 0);
    EXPECT_EQ(v.retry_after_seconds, 30);
    EXPECT_EQ(v.retry_after_ms, 30'000);
    EXPECT_EQ(v.reset_seconds, 60);
  }
  ASSERT_EQ(states.size(), before.size());
  for (const auto& [name, state] : before)
    EXPECT_EQ(states.at(name).tat, state.tat) << name;
  // The hourly rate saw exactly the two allowed requests.
  auto hourly = decide(states, {rates[0]}, 1, true, t0);
  EXPECT_EQ(hourly.remaining, 97);
}

TEST(LimiterDecide, OfSeveralRefusalsReportsTheLongestWait) {
  rate_states states;
  std::vector<rate> rates{make_rate("per-hour", 1, 1h),
                          make_rate("per-minute", 1, 1min)};
  ASSERT_TRUE(decide(states, rates, 1, false, t0).allowed);
  auto v = decide(states, rates, 1, false, t0);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.rate_name, "per-hour");
  EXPECT_EQ(v.retry_after_seconds, 3600);
}

TEST(LimiterDecide, PeekReportsTheSameVerdictAndRecordsNothing) {
  rate_states states;
  std::vector<rate> rates{make_rate("per-minute", 2, 1min)};
  auto peeked = decide(states, rates, 1, true, t0);
  EXPECT_TRUE(states.empty()) << "a peek creates no state";
  auto charged = decide(states, rates, 1, false, t0);
  EXPECT_EQ(peeked.allowed, charged.allowed);
  EXPECT_EQ(peeked.remaining, charged.remaining);
  EXPECT_EQ(peeked.reset_seconds, charged.reset_seconds);
  ASSERT_TRUE(decide(states, rates, 1, false, t0).allowed);
  auto tat = states.at("per-minute").tat;
  auto refused = decide(states, rates, 1, true, t0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 30);
  EXPECT_EQ(states.at("per-minute").tat, tat);
}

TEST(LimiterDecide, CostAboveTheLimitIsRefusedForAPeriod) {
  rate_states states;
  auto v = decide(states, {make_rate("per-minute", 5, 1min)}, 6, false, t0);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.retry_after_seconds, 60);
  EXPECT_EQ(v.retry_after_ms, 60'000);
  EXPECT_TRUE(states.empty());
}

TEST(LimiterDecide, RetryAfterMillisecondsIsExactWhereSecondsRoundUp) {
  rate_states states;
  std::vector<rate> rates{make_rate("per-second", 10, 1s)};
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(decide(states, rates, 1, false, t0).allowed);
  // The burst is spent: the next request fits one interval (100 ms) later,
  // which the header figure rounds up to a whole second.
  auto v = decide(states, rates, 1, false, t0);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.retry_after_ms, 100);
  EXPECT_EQ(v.retry_after_seconds, 1);
  v = decide(states, rates, 1, false, t0 + 40ms);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.retry_after_ms, 60);
  // A fraction of a millisecond rounds up, so waiting that long suffices.
  v = decide(states, rates, 1, false, t0 + 99ms + 500us);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.retry_after_ms, 1);
  EXPECT_TRUE(decide(states, rates, 1, false, t0 + 100ms).allowed);
}

TEST(LimiterDecide, FreshnessFollowsTheLatestTat) {
  rate_states states;
  EXPECT_TRUE(all_fresh(states, t0));
  decide(states,
         {make_rate("per-minute", 2, 1min), make_rate("per-second", 10, 1s)}, 1,
         false, t0);
  EXPECT_EQ(fresh_at(states), t0 + 30s);
  EXPECT_FALSE(all_fresh(states, t0 + 29s));
  EXPECT_TRUE(all_fresh(states, t0 + 30s));
}

} // namespace
} // namespace cdpd::actors::limits
