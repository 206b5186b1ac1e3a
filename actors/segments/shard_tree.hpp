#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/segments/read_barrier.hpp"
#include "actors/supervision/policy.hpp"
#include "actors/supervision/supervision_metrics.hpp"
#include "actors/supervision/supervisor.hpp"

namespace cdpd::storage {
class pg_pool;
} // namespace cdpd::storage

/// The supervision subtree of the customer shards.
namespace cdpd::actors::segments {

/// What the subtree needs.
struct shard_tree_options {
  std::uint32_t shards = 16;              ///< settings.segments.shards
  std::shared_ptr<storage::pg_pool> pool; ///< the read pool
  supervision_policy supervisor_policy;   ///< of the "segments" supervisor
  supervision_policy shard_policy;        ///< of each shard
  /// Each shard reloads this often (shard_options::refresh_interval).
  millis refresh_interval{0};
  /// The primary's connection string for the change listener; empty: the
  /// pool's URL.
  std::string listen_url;
  /// Longest wait of the listener for a notification before it reads the
  /// log anyway.
  millis listen_poll_interval{500};
  /// The barrier the listener passes (the node's segment region shares it;
  /// null: one of its own) and how long segment actors' counts and member
  /// pages wait for it.
  read_barrier barrier;
  /// Segments with relative dates are evaluated in full this often
  /// (settings.segments.reevaluate_interval); 0: never.
  millis reevaluate_interval{60'000};
  /// How often the segment host reads `segments` for changes.
  millis segment_poll_interval{1'000};
  std::shared_ptr<supervision_metrics> metrics; ///< may be null
};

/// A supervisor named "segments" with the change listener (registered as
/// listener_name(), started first), the segment host (host_name(); it
/// spawns one segment actor per saved segment) and one permanent child per
/// shard, registered as shard_name(i). A shard that crashes is restarted by it,
/// reloads from PostgreSQL and catches up with the changes since; the
/// others keep answering. A restarted listener resumes where the last one
/// stopped reading.
supervisor_spec shard_tree_spec(const shard_tree_options& options);

/// How long the subtree takes to stop at most (each shard is an
/// event-based actor that stops at once).
millis shard_tree_stop_bound(const shard_tree_options& options);

} // namespace cdpd::actors::segments
