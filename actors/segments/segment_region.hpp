#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>

#include "actors/segments/read_barrier.hpp"
#include "actors/segments/shard_messages.hpp"
#include "storage/segments/definition.hpp"

/// The way into the customer shards: callers name a customer or ask a
/// question of all shards, never an actor, so shards can later live on
/// other nodes without touching callers.
namespace cdpd::actors::segments {

/// A merged answer of every shard.
struct region_answer {
  std::uint64_t count = 0;      ///< every matching customer
  std::vector<std::string> ids; ///< the first max_ids members in id order

  friend bool operator==(const region_answer&, const region_answer&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, region_answer& x) {
  return f(caf::meta::type_name("cdpd::segments::region_answer"), x.count,
           x.ids);
}

/// Called exactly once with the merged answer or the first error.
using region_callback = std::function<void(caf::expected<region_answer>)>;

/// Routes segment questions to the shards registered under
/// shard_name(0 .. shards-1). Safe to share between threads.
class segment_region {
public:
  /// `timeout` bounds the wait for every shard's answer.
  segment_region(caf::actor_system& sys, std::uint32_t shards,
                 read_barrier barrier = {},
                 std::chrono::milliseconds timeout = std::chrono::seconds{30});

  /// The number of shards.
  std::uint32_t shards() const noexcept { return shards_; }

  /// The shard that owns `customer_id` (lower-case UUID text).
  std::uint32_t shard_for(const std::string& customer_id) const;

  /// The registered shard `index` (its supervision proxy); invalid when no
  /// shard is registered under that name.
  customer_shard shard(std::uint32_t index) const;

  /// Evaluates `definition` at `now` on every shard without blocking and
  /// calls `done` (on an actor thread; on the caller's when a shard is not
  /// registered) with the total count and the first
  /// `max_ids` member ids (all_ids: every member) in id order. Fails with
  /// the first shard error: actors::errc::child_unavailable while a shard
  /// loads or restarts, or when the read barrier is not passed in time
  /// (context: detail, retry-after milliseconds),
  /// storage::errc::invalid_argument when the engine does not evaluate the
  /// definition (ask PostgreSQL instead), caf::sec::request_timeout, or
  /// caf::sec::request_receiver_down when a shard is not running.
  void evaluate(shard_definition definition,
                std::chrono::system_clock::time_point now, std::size_t max_ids,
                region_callback done) const;

  /// evaluate, and when the engine does not evaluate `definition`
  /// (storage::errc::invalid_argument) the same answer from PostgreSQL,
  /// through the node's read db actor: the one place that decides between
  /// memory and SQL. Fails like evaluate, or with the database's error.
  void answer(shard_definition definition,
              std::chrono::system_clock::time_point now, std::size_t max_ids,
              region_callback done) const;

private:
  caf::actor_system* sys_;
  std::uint32_t shards_;
  read_barrier barrier_;
  std::chrono::milliseconds timeout_;
};

/// Merges per-shard id lists, each sorted, into the first `max_ids` ids of
/// their union in order.
std::vector<std::string>
merge_sorted(std::vector<std::vector<std::string>> parts, std::size_t max_ids);

} // namespace cdpd::actors::segments
