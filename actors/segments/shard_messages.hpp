#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/segments/engine/customer_columns.hpp"
#include "actors/segments/segment_messages.hpp"
#include "storage/segments/definition.hpp"

// The messages and interface of the customer shards (see README.md in this
// folder). Questions (their definition as text), answers and status are
// plain, registered types; changes and loaded columns come from threads of
// the shard's own node.
namespace cdpd::actors::segments {

/// `(shard_eval_atom, shard_question)` -> shard_answer: evaluate a
/// definition over the shard's customers.
using shard_eval_atom = caf::atom_constant<caf::atom("segeval")>;

/// `(shard_status_atom)` -> shard_status.
using shard_status_atom = caf::atom_constant<caf::atom("segstatus")>;

/// Internal, loader -> shard: `(shard_loaded_atom, loaded_columns,
/// int64 ms, uint64 generation)` or `(shard_loaded_atom, caf::error)`.
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
inline constexpr std::uint64_t all_ids =
    std::numeric_limits<std::uint64_t>::max();

/// A segment definition as a question carries it: its JSON text, which
/// crosses nodes, and the parsed tree, which does not. A shard on the
/// asker's node uses the tree as it is; one on another node parses the
/// text (and keeps the result for the next question with the same text).
struct shard_definition {
  std::string json; ///< as parse_definition reads it
  std::shared_ptr<const storage::segments::segment_definition> parsed;
};

/// `json` parsed into a shard_definition; nothing when it is not a valid
/// definition.
std::optional<shard_definition> make_shard_definition(std::string json);

/// One question to a shard.
struct shard_question {
  shard_definition definition;
  std::chrono::system_clock::time_point now; ///< relative dates from here
  /// How many member ids to return (the first ones in id order); 0 for a
  /// count only, all_ids for every member.
  std::uint64_t max_ids = 0;
};

/// Only the text of the definition is written: a reader parses it.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_question& x) {
  return f(caf::meta::type_name("cdpd::segments::shard_question"),
           x.definition.json, x.now, x.max_ids);
}

/// A shard's answer.
struct shard_answer {
  std::uint32_t shard = 0;
  std::uint64_t count = 0;      ///< every matching customer of the shard
  std::vector<std::string> ids; ///< the first max_ids members, sorted
  /// The columns answered from (a new value for every load).
  std::uint64_t generation = 0;
  /// Change batches applied to those columns when answering.
  std::uint64_t seq = 0;

  friend bool operator==(const shard_answer&, const shard_answer&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_answer& x) {
  return f(caf::meta::type_name("cdpd::segments::shard_answer"), x.shard,
           x.count, x.ids, x.generation, x.seq);
}

/// Changed customers of one shard, read from one snapshot after their
/// changes committed.
struct shard_changes {
  std::vector<std::string> ids; ///< changed customers (lower-case UUIDs)
  /// Their current rows; ids without one were deleted.
  std::shared_ptr<const engine::customer_columns> fresh;
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

  friend bool operator==(const shard_status&, const shard_status&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_status& x) {
  return f(caf::meta::type_name("cdpd::segments::shard_status"), x.shard,
           x.ready, x.customers, x.orders, x.bytes, x.load_ms, x.loads,
           x.changes, x.overlay, x.caught_up);
}

/// Columns handed from the loader to its shard.
using loaded_columns = std::shared_ptr<const engine::customer_columns>;

/// The interface of a customer shard (see customer_shard.hpp). From its
/// own loader: shard_loaded_atom; its own timers: shard_load_atom and
/// shard_catch_up_atom.
using customer_shard = caf::typed_actor<
    caf::replies_to<shard_eval_atom, shard_question>::with<shard_answer>,
    caf::replies_to<shard_status_atom>::with<shard_status>,
    caf::reacts_to<shard_changes_atom, shard_changes>,
    caf::reacts_to<segment_defs_atom, live_definitions_ptr>,
    caf::reacts_to<shard_loaded_atom, loaded_columns, std::int64_t,
                   std::uint64_t>,
    caf::reacts_to<shard_loaded_atom, caf::error>,
    caf::reacts_to<shard_load_atom>, caf::reacts_to<shard_catch_up_atom>>;

} // namespace cdpd::actors::segments

// From the shard's own loader thread.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::segments::loaded_columns)
// From the node's change listener, which reads changes for its own shards.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::segments::shard_changes)
