#include <caf/actor_system_config.hpp>

#include "actors/check_result.hpp"
#include "actors/supervision/snapshot.hpp"

namespace cdpd::actors {

void add_supervision_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<check_result>("cdpd::check_result");
  cfg.add_message_type<breaker_snapshot>("cdpd::breaker_snapshot");
  cfg.add_message_type<proxy_snapshot>("cdpd::proxy_snapshot");
  cfg.add_message_type<actor_node>("cdpd::actor_node");
}

} // namespace cdpd::actors
