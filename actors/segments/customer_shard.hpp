#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "actors/segments/engine/customer_columns.hpp"
#include "actors/segments/shard_messages.hpp"

namespace cdpd::storage {
class pg_pool;
} // namespace cdpd::storage

/// Customer-shard actors: each holds the segment engine's columns for the
/// customers whose id hashes to it (actors/segments/engine/shard_hash.hpp)
/// and answers segment questions over them. See README.md in this folder.
namespace cdpd::actors::segments {

class segment_directory;

/// The first load of every shard done as one pass over the tables
/// (load_all_shards), shared by the shards' loader threads: the first to
/// ask runs it, the others wait for it and take their part. Each shard
/// takes its part once; later loads (a restart, a refresh) are the shard's
/// own. Thread-safe.
class shared_first_load {
public:
  /// For `shards` shards.
  explicit shared_first_load(std::uint32_t shards);

  /// Shard `index`'s columns from the shared pass (running it, or waiting
  /// for it), or the pass's error; nothing when the shard already took its
  /// part or `index` is out of range. A pass this call runs stops after
  /// the batch during which `cancelled` becomes true.
  std::optional<caf::expected<engine::customer_columns>>
  take(std::uint32_t index, storage::pg_pool& pool,
       const std::atomic<bool>& cancelled);

private:
  std::mutex mutex_;
  std::uint32_t shards_;
  bool ran_ = false;
  caf::error error_;
  std::vector<std::optional<engine::customer_columns>> parts_;
  std::vector<bool> taken_;
};

/// How one shard runs.
struct shard_options {
  std::uint32_t index = 0;  ///< this shard
  std::uint32_t shards = 1; ///< all shards (fixed for a cluster)
  /// Where the shard loads from (the read pool); the load holds one of its
  /// connections while it runs.
  std::shared_ptr<storage::pg_pool> pool;
  /// Shared by the shards of one tree for their first load; null: every
  /// load is the shard's own filtered one.
  std::shared_ptr<shared_first_load> first_load;
  /// First pause before a failed load is tried again; doubles up to
  /// max_retry_delay.
  std::chrono::milliseconds retry_delay{1'000};
  std::chrono::milliseconds max_retry_delay{30'000};
  /// Reload this often after a successful load (but at least ten load
  /// durations later), answering from the old columns meanwhile: a slow
  /// safety net for writes change capture does not see (a product's
  /// category, TRUNCATE); 0: never.
  std::chrono::milliseconds refresh_interval{0};
  /// The saved segments this shard keeps current (read when a load
  /// lands); null: none until a `(segment_defs_atom, ...)` arrives.
  std::shared_ptr<segment_directory> directory;
};

/// The registry name of shard `index`: "segs-<index>" (an atom of at most
/// 10 characters, so at most 100,000 shards).
std::string shard_name(std::uint32_t index);

/// Spawns a shard. It starts loading at once (on a detached loader thread)
/// and answers `(shard_eval_atom, shard_question)` with a shard_answer once
/// loaded, or with actors::errc::child_unavailable (retry after about a
/// second) while loading; `(shard_status_atom)` always. After each load it
/// asks the change listener (listener_name()) for the changes its snapshot
/// misses, and applies every `(shard_changes_atom, shard_changes)` to its
/// columns (engine::live_columns), so answers follow committed writes.
/// After each applied batch it evaluates every live definition (from
/// options.directory or `(segment_defs_atom, live_definitions_ptr)`) over
/// the batch's customers and sends each segment actor a segment_delta;
/// after a load lands and when the list changes it sends each a hello.
/// Answers carry the columns' generation and change sequence number.
customer_shard spawn_customer_shard(caf::actor_system& sys,
                                    shard_options options);

} // namespace cdpd::actors::segments
