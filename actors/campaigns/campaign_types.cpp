#include <caf/actor_system_config.hpp>

#include "actors/campaigns/campaign_messages.hpp"

namespace cdpd::actors::campaigns {

void add_campaign_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<campaign_report>("cdpd::campaigns::campaign_report");
  cfg.add_message_type<campaign_snapshot>("cdpd::campaigns::campaign_snapshot");
  cfg.add_message_type<std::vector<campaign_snapshot>>(
      "std::vector<cdpd::campaigns::campaign_snapshot>");
}

} // namespace cdpd::actors::campaigns
