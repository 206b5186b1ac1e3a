#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/segments/read_barrier.hpp"
#include "actors/segments/segment_messages.hpp"

namespace cdpd::storage {
class pg_pool;
} // namespace cdpd::storage

namespace cdpd::actors::segments {

class segment_directory;

/// How the segment host runs.
struct host_options {
  std::shared_ptr<storage::pg_pool> pool; ///< where `segments` is read
  /// Where the host publishes the segments and their actors; shared with
  /// the shards of the tree.
  std::shared_ptr<segment_directory> directory;
  std::uint32_t shards = 1; ///< all shards (fixed for a cluster)
  /// How often `segments` is read for created, edited and deleted ones.
  std::chrono::milliseconds poll_interval{1'000};
  /// segment_options::reevaluate_interval of every segment actor.
  std::chrono::milliseconds reevaluate_interval{60'000};
  read_barrier barrier; ///< segment_options::barrier of every segment actor
};

/// The registry name of a node's segment host: "segs-host".
std::string host_name();

/// Spawns the segment host on a thread of its own. It reads the saved
/// segments (id, md5 of the definition) every poll_interval, spawns a
/// segment actor (spawn_segment_actor) for each new one, replaces the actor
/// of an edited one (the new one evaluates in full), stops the actor of a
/// deleted one, and publishes the list in the directory and to every shard
/// (`(segment_defs_atom, live_definitions_ptr)`). A definition that does
/// not parse gets no actor. It forwards `(segment_count_atom, id)` and
/// `(segment_ids_atom, id, limit)` and `(segment_ids_atom, id, after,
/// limit)` to the segment's actor, answering
/// "not ready" for a segment without one. Its segment actors stop with it.
/// Database errors are logged and the read is tried at the next poll.
segment_host spawn_segment_host(caf::actor_system& sys, host_options options);

} // namespace cdpd::actors::segments
