#include "actors/limits/rate_plan.hpp"

#include <gtest/gtest.h>

#include "actors/limits/gcra.hpp"

namespace cdpd::actors::limits {
namespace {

using namespace std::chrono_literals;

std::vector<std::string_view> names(const std::vector<rate>& rates) {
  std::vector<std::string_view> out;
  for (const auto& r : rates)
    out.push_back(r.name);
  return out;
}

TEST(RatePlan, DefaultsAreTheProductionPlan) {
  config::ratelimit_settings s;
  auto general = rates_for(s, route_class::general);
  ASSERT_EQ(general.size(), 2u);
  EXPECT_EQ(general[0].limit, 1000);
  EXPECT_EQ(general[0].period, 1h);
  EXPECT_EQ(general[1].limit, 100);
  EXPECT_EQ(general[1].period, 1min);
  auto campaign = rates_for(s, route_class::campaign_create);
  ASSERT_EQ(campaign.size(), 3u);
  EXPECT_EQ(campaign[2].name, "campaign-create-per-minute");
  EXPECT_EQ(campaign[2].limit, 10);
  EXPECT_EQ(rates_for(s, route_class::segment_evaluate)[2].limit, 20);
  EXPECT_EQ(rates_for(s, route_class::ai_generate)[2].limit, 5);
}

TEST(RatePlan, DisabledAndZeroLimits) {
  config::ratelimit_settings s;
  s.enabled = false;
  EXPECT_TRUE(rates_for(s, route_class::ai_generate).empty());
  s.enabled = true;
  s.general_per_hour = 0;
  s.ai_generate_per_minute = 0;
  EXPECT_EQ(names(rates_for(s, route_class::ai_generate)),
            std::vector<std::string_view>{"general-per-minute"});
}

TEST(RatePlan, AiBurstStopsAtFiveThenTheGeneralLimitsStillCount) {
  config::ratelimit_settings s;
  auto rates = rates_for(s, route_class::ai_generate);
  std::vector<gcra_state> states(rates.size());
  auto t0 = clock::time_point{} + 100h;
  auto admit = [&] {
    // A request passes when every limit it counts against has room.
    for (std::size_t i = 0; i < rates.size(); ++i) {
      gcra_state probe = states[i];
      if (!check(probe, t0, rates[i].limit, rates[i].period).allowed)
        return false;
    }
    for (std::size_t i = 0; i < rates.size(); ++i)
      check(states[i], t0, rates[i].limit, rates[i].period);
    return true;
  };
  int allowed = 0;
  for (int i = 0; i < 20; ++i)
    allowed += admit() ? 1 : 0;
  EXPECT_EQ(allowed, 5);
  EXPECT_EQ(to_string(route_class::ai_generate), "ai-generate");
}

} // namespace
} // namespace cdpd::actors::limits
