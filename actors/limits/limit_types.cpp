#include <caf/actor_system_config.hpp>

#include "actors/limits/limit_messages.hpp"

namespace cdpd::actors::limits {

void add_limit_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<limit_query>("cdpd::limits::limit_query");
  cfg.add_message_type<verdict>("cdpd::limits::verdict");
}

} // namespace cdpd::actors::limits
