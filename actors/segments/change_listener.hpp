#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

/// The change listener: reads the customer_changes log (migration 0008)
/// as writes commit and sends each customer shard its changed customers'
/// current rows. See README.md in this folder.
namespace cdpd::actors::segments {

/// Where a node's listener has read the log up to: the pg_snapshot text of
/// its last read, kept by the subtree so a restarted listener resumes
/// without a gap. Thread-safe.
class change_cursor {
public:
  /// The snapshot; empty before the first read.
  std::string get() const;

  /// Records the snapshot of a finished read.
  void set(std::string snapshot);

private:
  mutable std::mutex mutex_;
  std::string snapshot_;
};

/// Lets a question wait for the listener's next read of the change log, so
/// its answer sees every write committed before it asked (a read barrier).
/// Shared by a node's listener and its segment region; thread-safe.
class change_barrier {
public:
  /// Called once: true when a read that began after wait() has sent the
  /// shards every change it found, false when the listener could not read.
  using waiter = std::function<void(bool passed)>;

  /// Throws std::system_error when no eventfd can be made.
  change_barrier();
  ~change_barrier();
  change_barrier(const change_barrier&) = delete;
  change_barrier& operator=(const change_barrier&) = delete;

  /// Queues `done` and wakes the listener out of its wait for a
  /// notification, so the barrier costs one read, not the rest of the poll
  /// interval. `done` runs on the listener's thread: keep it short (send a
  /// message). Past 100,000 waiting it is called with false at once.
  void wait(waiter done);

  /// The listener's side: readable while someone waits.
  int fd() const noexcept { return fd_; }

  /// The listener's side, before a read: takes every waiter so far.
  std::vector<waiter> take();

private:
  int fd_;
  std::mutex mutex_;
  std::vector<waiter> waiting_;
};

/// How the listener runs.
struct listener_options {
  /// A connection string of the primary (NOTIFY does not reach replicas);
  /// the listener holds one connection of its own.
  std::string url;
  std::uint32_t shards = 1;                ///< all shards (fixed for a cluster)
  std::shared_ptr<change_cursor> cursor;   ///< null: a fresh one
  std::shared_ptr<change_barrier> barrier; ///< null: a fresh one
  /// Longest wait for a notification before reading anyway.
  std::chrono::milliseconds poll_interval{500};
  /// Log rows older than this (and read) are deleted.
  std::chrono::milliseconds retention{3'600'000};
  /// First pause after a failed connection or read; doubles up to 30 s.
  std::chrono::milliseconds retry_delay{500};
};

/// The registry name of a node's listener: "segs-chg".
std::string listener_name();

/// Spawns the listener on a thread of its own. It LISTENs on
/// "customer_changes", and on every notification (or poll_interval) reads
/// the log rows committed since its last read, re-reads those customers
/// in the same snapshot (one query per 10,000 ids) and sends
/// `(shard_changes_atom, shard_changes)` to each shard_name(i) concerned.
/// It answers `(shard_catch_up_atom, shard, snapshot)` the same way, to
/// shard_name(shard). It also wakes when `barrier` has waiters, and
/// passes them after its next read. On a database error it logs, drops its
/// connection and tries again with backoff; it does not stop.
caf::actor spawn_change_listener(caf::actor_system& sys,
                                 listener_options options);

} // namespace cdpd::actors::segments
