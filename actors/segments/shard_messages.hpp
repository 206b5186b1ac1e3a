#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include "storage/segments/definition.hpp"
#include "storage/segments/engine/customer_columns.hpp"

// The messages of the customer shards (see README.md in this folder). They
// stay on one node: a shard_question shares its definition by pointer.
namespace cdpd::actors::segments {

/// `(shard_eval_atom, shard_question)` -> shard_answer: evaluate a
/// definition over the shard's customers.
using shard_eval_atom = caf::atom_constant<caf::atom("segeval")>;

/// `(shard_status_atom)` -> shard_status.
using shard_status_atom = caf::atom_constant<caf::atom("segstatus")>;

/// Internal, loader -> shard: `(shard_loaded_atom, loaded_columns)` or
/// `(shard_loaded_atom, caf::error)`.
using shard_loaded_atom = caf::atom_constant<caf::atom("segloaded")>;

/// Internal, shard -> itself: start (another) load.
using shard_load_atom = caf::atom_constant<caf::atom("segload")>;

/// `(shard_changes_atom, shard_changes)`, change listener -> shard: these
/// customers changed; here is what they are now.
using shard_changes_atom = caf::atom_constant<caf::atom("segchg")>;

/// `(shard_catch_up_atom, std::uint32_t shard, std::string snapshot)`,
/// shard -> change listener: send shard_name(shard), as shard_changes with
/// catch_up set, every customer of that shard changed by a transaction
/// `snapshot` (a pg_snapshot's text) does not see.
using shard_catch_up_atom = caf::atom_constant<caf::atom("segcatch")>;

/// Internal, change listener -> itself: read new changes.
using listener_poll_atom = caf::atom_constant<caf::atom("segpoll")>;

/// "Every id" for shard_question::max_ids.
inline constexpr std::size_t all_ids = std::numeric_limits<std::size_t>::max();

/// One question to a shard.
struct shard_question {
  std::shared_ptr<const storage::segments::segment_definition> definition;
  std::chrono::system_clock::time_point now; ///< relative dates from here
  /// How many member ids to return (the first ones in id order); 0 for a
  /// count only, all_ids for every member.
  std::size_t max_ids = 0;
};

/// A shard's answer.
struct shard_answer {
  std::uint32_t shard = 0;
  std::uint64_t count = 0;      ///< every matching customer of the shard
  std::vector<std::string> ids; ///< the first max_ids members, sorted
  /// The columns answered from (a new value for every load).
  std::uint64_t generation = 0;
  /// Change batches applied to those columns when answering.
  std::uint64_t seq = 0;
};

/// Changed customers of one shard, read from one snapshot after their
/// changes committed.
struct shard_changes {
  std::vector<std::string> ids; ///< changed customers (lower-case UUIDs)
  /// Their current rows; ids without one were deleted.
  std::shared_ptr<const storage::segments::engine::customer_columns> fresh;
  bool catch_up = false; ///< answers a shard_catch_up_atom request
};

/// What a shard holds.
struct shard_status {
  std::uint32_t shard = 0;
  bool ready = false; ///< loaded; false while (re)loading
  std::uint64_t customers = 0;
  std::uint64_t orders = 0;
  std::uint64_t bytes = 0;  ///< memory_bytes of the columns
  std::int64_t load_ms = 0; ///< duration of the last successful load
  std::uint64_t loads = 0;  ///< successful loads by this incarnation
  /// Changed customers applied since this incarnation started.
  std::uint64_t changes = 0;
  std::uint64_t overlay = 0; ///< changed customers not yet merged
  /// The changes since the last load have been caught up with.
  bool caught_up = false;
};

/// Columns handed from the loader to its shard.
using loaded_columns =
    std::shared_ptr<const storage::segments::engine::customer_columns>;

} // namespace cdpd::actors::segments

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::segments::shard_question)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::segments::shard_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::segments::shard_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::segments::loaded_columns)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::segments::shard_changes)
