#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "actors/segments/change_listener.hpp"

/// Read-your-writes for segment answers: a question waits until every write
/// committed before it has reached the shards. See README.md in this
/// folder ("Read barrier").
namespace cdpd::actors::segments {

/// `(read_barrier_atom)` -> `()`, to a write-sync actor
/// (spawn_write_sync).
using read_barrier_atom = caf::atom_constant<caf::atom("segbarrier")>;

/// Makes answers see each write committed before their question: the
/// shards are asked only once the change listener's next read has passed
/// them its changes.
struct read_barrier {
  /// The node's listener's barrier; null: no barrier (answers may trail a
  /// write by the few milliseconds the listener takes).
  std::shared_ptr<change_barrier> barrier;
  /// Longest wait for that read (settings.segments.read_barrier_timeout);
  /// 0: no barrier.
  std::chrono::milliseconds timeout{2'000};

  /// True when questions wait for the barrier.
  bool on() const noexcept { return barrier && timeout.count() > 0; }
};

/// Spawns an actor that answers one `(read_barrier_atom)` request, then
/// quits: once the listener's first read that began after the request has
/// passed the shards its changes, and, when `shards` > 0, every shard
/// shard_name(0 .. shards-1) has also answered a status request sent after
/// that (so the deltas it sent segment actors are in their mailboxes).
/// Fails with actors::errc::child_unavailable (Retry-After 1 s) when the
/// read does not happen within `barrier.timeout` or the listener cannot
/// read, or with a shard's error. Without a barrier it answers at once.
caf::actor spawn_write_sync(caf::actor_system& sys, read_barrier barrier,
                            std::uint32_t shards);

} // namespace cdpd::actors::segments
