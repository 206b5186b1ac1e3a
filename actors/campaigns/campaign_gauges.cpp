#include "actors/campaigns/campaign_gauges.hpp"

namespace cdpd::actors::campaigns {

std::string_view to_string(campaign_step step) {
  switch (step) {
  case campaign_step::loading:
    return "loading";
  case campaign_step::scheduling:
    return "scheduling";
  case campaign_step::waiting:
    return "waiting";
  case campaign_step::starting:
    return "starting";
  case campaign_step::sending:
    return "sending";
  case campaign_step::paused:
    return "paused";
  case campaign_step::done:
    return "done";
  }
  return "loading";
}

campaign_gauges::campaign_gauges(prometheus::Registry& registry) {
  auto& family = prometheus::BuildGauge()
                     .Name("cdpd_campaign_actors")
                     .Help("Campaign actors on this node, by what they do")
                     .Register(registry);
  for (std::size_t i = 0; i < campaign_step_count; ++i)
    gauges_[i] = &family.Add(
        {{"phase", std::string{to_string(static_cast<campaign_step>(i))}}});
}

void campaign_gauges::move(campaign_step from, campaign_step to) {
  leave(from);
  enter(to);
}

void campaign_gauges::enter(campaign_step step) {
  gauges_[static_cast<std::size_t>(step)]->Increment();
}

void campaign_gauges::leave(campaign_step step) {
  gauges_[static_cast<std::size_t>(step)]->Decrement();
}

} // namespace cdpd::actors::campaigns
