#include <caf/actor_system_config.hpp>

#include "actors/cluster/cluster_messages.hpp"

namespace cdpd::actors::cluster {

void add_cluster_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<member_view>("cdpd::cluster::member_view");
  cfg.add_message_type<cluster_view>("cdpd::cluster::cluster_view");
}

} // namespace cdpd::actors::cluster
