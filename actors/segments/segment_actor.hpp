#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/fwd.hpp>

#include "actors/segments/read_barrier.hpp"
#include "actors/segments/segment_messages.hpp"
#include "storage/segments/definition.hpp"

/// Segment actors: one per saved segment, holding its members per shard,
/// kept current by the shards' deltas. See README.md in this folder.
namespace cdpd::actors::segments {

/// A customer id as 16 bytes; ordered like its lower-case UUID text.
using member_id = std::array<std::uint8_t, 16>;

/// The bytes of a UUID text (upper or lower case, with dashes); nothing
/// when `text` is not one.
std::optional<member_id> member_id_of(std::string_view text);

/// The lower-case UUID text of `id`.
std::string text_of(const member_id& id);

/// True when what `def` selects changes as time passes by itself: it names
/// a date field or days_since_last_order, or has an event condition with
/// within_last_days (so a date compared with a fixed value counts too).
bool depends_on_time(const storage::segments::segment_definition& def);

/// How one segment actor runs.
struct segment_options {
  std::string id; ///< the saved segment's id
  std::shared_ptr<const storage::segments::segment_definition> definition;
  /// The definition's JSON text, sent with each question so shards on
  /// other nodes can parse it; empty: only shards on this node answer.
  std::string definition_json;
  std::uint32_t shards = 1; ///< all shards (shard_name(0 .. shards-1))
  /// Evaluate in full again this often when depends_on_time(definition);
  /// 0: never.
  std::chrono::milliseconds reevaluate_interval{60'000};
  std::chrono::milliseconds ask_timeout{30'000}; ///< per shard question
  std::chrono::milliseconds retry_delay{1'000};  ///< after a failed one
  /// Counts and member pages wait for it (the node's listener's barrier);
  /// off: they may trail writes by a few milliseconds.
  read_barrier barrier;
};

/// Spawns a segment actor. It evaluates its definition in full at once by
/// asking every shard (again after a failure, every retry_delay), then
/// applies `(segment_delta_atom, segment_delta)` from the shards, asking a
/// shard again whose generation changed or whose deltas have a gap. It
/// answers `(segment_count_atom)`, `(segment_ids_atom, std::uint64_t
/// limit)` and `(segment_ids_atom, std::string after, std::uint64_t limit)`
/// (see segment_messages.hpp); ready is false until every shard
/// answered once, and stays false for a definition the engine does not
/// evaluate.
segment_actor spawn_segment_actor(caf::actor_system& sys,
                                  segment_options options);

} // namespace cdpd::actors::segments
