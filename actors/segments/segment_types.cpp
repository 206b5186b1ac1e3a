#include <caf/actor_system_config.hpp>

#include "actors/segments/segment_messages.hpp"
#include "actors/segments/segment_region.hpp"
#include "actors/segments/shard_messages.hpp"

namespace cdpd::actors::segments {

void add_segment_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<segment_delta>("cdpd::segments::segment_delta");
  cfg.add_message_type<shard_question>("cdpd::segments::shard_question");
  cfg.add_message_type<shard_answer>("cdpd::segments::shard_answer");
  cfg.add_message_type<shard_status>("cdpd::segments::shard_status");
  cfg.add_message_type<region_answer>("cdpd::segments::region_answer");
}

} // namespace cdpd::actors::segments
