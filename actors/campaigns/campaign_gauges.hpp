#pragma once

#include <array>
#include <string_view>

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

/// `cdpd_campaign_actors{phase}`: how many campaign actors are in each step.
/// Bounded in cardinality by design: one series per step, none per
/// campaign (per-campaign figures are in /admin/campaigns and the API).
namespace cdpd::actors::campaigns {

/// What a campaign actor is doing.
enum class campaign_step : unsigned char {
  loading,
  scheduling,
  waiting,
  starting,
  sending,
  paused,
  done,
};

inline constexpr std::size_t campaign_step_count = 7;

/// "loading", "scheduling", ...
std::string_view to_string(campaign_step step);

class campaign_gauges {
public:
  explicit campaign_gauges(prometheus::Registry& registry);

  /// An actor moved from `from` to `to`.
  void move(campaign_step from, campaign_step to);
  void enter(campaign_step step);
  void leave(campaign_step step);

private:
  std::array<prometheus::Gauge*, campaign_step_count> gauges_{};
};

} // namespace cdpd::actors::campaigns
