#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "storage/segments/definition.hpp"

// The messages and interfaces of the segment actors and their host (see
// README.md in this folder). Header-only, so the routes can ask a segment
// without linking the shards. Everything but live_definitions_ptr is a
// plain, registered type (add_segment_types).
namespace cdpd::actors::segments {

/// `(segment_delta_atom, segment_delta)`, shard -> segment actor: after a
/// change batch, which of the changed customers are members now.
using segment_delta_atom = caf::atom_constant<caf::atom("segdelta")>;

/// `(segment_defs_atom, live_definitions_ptr)`, host -> shard: the saved
/// segments to keep current from now on.
using segment_defs_atom = caf::atom_constant<caf::atom("segdefs")>;

/// `(segment_count_atom)` to a segment actor, or `(segment_count_atom,
/// std::string id)` to the host: replies `(bool ready, std::uint64_t
/// count, std::int64_t updated_at, std::int64_t last_evaluated_at)`, times
/// in microseconds since the epoch (UTC), 0 for none. The host replies
/// `(false, 0, 0, 0)` for a segment it holds no actor for. Plain types, so
/// the routes of cdpd::net can ask without depending on this module.
using segment_count_atom = caf::atom_constant<caf::atom("segcount")>;

/// `(segment_ids_atom, std::uint64_t limit)` to a segment actor, or
/// `(segment_ids_atom, std::string id, std::uint64_t limit)` to the host:
/// replies `(bool ready, std::uint64_t count, std::vector<std::string>
/// ids)`, the first `limit` members in id order.
///
/// Paged: `(segment_ids_atom, std::string after, std::uint64_t limit)` to a
/// segment actor, or `(segment_ids_atom, std::string id, std::string after,
/// std::uint64_t limit)` to the host: the same reply with the first `limit`
/// members whose id is greater than `after` ("" = from the start; a UUID
/// in any case), in id order; `count` is every member. Fewer than `limit`
/// ids means none follow (at that moment). An `after` that is neither
/// empty nor a UUID is an error (caf::sec::invalid_argument). Each page is
/// taken at once from the current members, so paging through a segment
/// that changes meanwhile yields every id at most once, in increasing
/// order; ids entering behind the cursor are not seen, and ids leaving
/// ahead of it are not returned.
using segment_ids_atom = caf::atom_constant<caf::atom("segids")>;

/// Internal, segment actor -> itself: evaluate in full again.
using segment_full_atom = caf::atom_constant<caf::atom("segfull")>;

/// Internal, segment actor -> itself: `(segment_ask_atom, std::uint32_t
/// shard, std::uint64_t ticket)`, ask a shard again after a failure.
using segment_ask_atom = caf::atom_constant<caf::atom("segask")>;

/// Internal, host -> itself: read the saved segments again.
using host_poll_atom = caf::atom_constant<caf::atom("seghpoll")>;

/// What a shard tells a segment actor.
struct segment_delta {
  std::uint32_t shard = 0;
  /// The shard's columns: new for every load (so a restarted or reloaded
  /// shard has a new one), increasing over the process.
  std::uint64_t generation = 0;
  /// Change batches applied to this generation, this one included.
  std::uint64_t seq = 0;
  /// True for "I am at (generation, seq)" without changes: sent after a
  /// load lands and when the shard learns a new list of segments.
  bool hello = false;
  std::vector<std::string> changed; ///< customers of the batch, sorted
  std::vector<std::string> members; ///< those of them in the segment, sorted

  friend bool operator==(const segment_delta&, const segment_delta&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, segment_delta& x) {
  return f(caf::meta::type_name("cdpd::segments::segment_delta"), x.shard,
           x.generation, x.seq, x.hello, x.changed, x.members);
}

/// The interface of a segment actor (see segment_actor.hpp). Its own
/// timers: segment_full_atom and segment_ask_atom.
using segment_actor = caf::typed_actor<
    caf::reacts_to<segment_delta_atom, segment_delta>,
    caf::replies_to<segment_count_atom>::with<bool, std::uint64_t, std::int64_t,
                                              std::int64_t>,
    caf::replies_to<segment_ids_atom, std::uint64_t>::with<
        bool, std::uint64_t, std::vector<std::string>>,
    caf::replies_to<segment_ids_atom, std::string, std::uint64_t>::with<
        bool, std::uint64_t, std::vector<std::string>>,
    caf::reacts_to<segment_full_atom>,
    caf::reacts_to<segment_ask_atom, std::uint32_t, std::uint64_t>>;

/// The interface of a node's segment host (see segment_host.hpp): the same
/// questions by segment id. Its own timer: host_poll_atom.
using segment_host = caf::typed_actor<
    caf::replies_to<segment_count_atom, std::string>::with<
        bool, std::uint64_t, std::int64_t, std::int64_t>,
    caf::replies_to<segment_ids_atom, std::string, std::uint64_t>::with<
        bool, std::uint64_t, std::vector<std::string>>,
    caf::replies_to<segment_ids_atom, std::string, std::string, std::uint64_t>::
        with<bool, std::uint64_t, std::vector<std::string>>,
    caf::reacts_to<host_poll_atom>>;

/// The registry key of a node's segment host ("segs-host"), so a caller
/// finds it without linking the host.
inline constexpr caf::atom_value host_key = caf::atom("segs-host");

/// One saved segment that the shards keep current.
struct live_definition {
  std::string id; ///< the segment's id (lower-case UUID)
  std::shared_ptr<const storage::segments::segment_definition> definition;
  segment_actor actor; ///< its segment actor
};

/// Every saved segment with an actor, as the host published it last.
struct live_definitions {
  std::uint64_t version = 0; ///< increases with every publication
  std::vector<live_definition> items;
};

/// Immutable once published.
using live_definitions_ptr = std::shared_ptr<const live_definitions>;

/// Registers the segment and shard messages under their wire names.
void add_segment_types(caf::actor_system_config& cfg);

} // namespace cdpd::actors::segments

// Published by a node's host to its own shards: the host and the shards
// that read a directory share a node by construction.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::segments::live_definitions_ptr)
