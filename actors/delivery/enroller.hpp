#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "storage/pg_pool.hpp"
#include "storage/repositories/flow_run_repository.hpp"

/// The enroller: a detached actor that turns customer events into flow
/// runs. Each round takes a batch of unprocessed events (FOR UPDATE SKIP
/// LOCKED) and, in the same transaction, creates the runs of every flow the
/// event enters and their deliveries, and marks the events processed (see
/// storage::enrol_events), so a crash neither loses an event nor enrols it
/// twice, and several enrollers on several nodes share the work.
namespace cdpd::actors::delivery {

/// How an enroller works.
struct enroller_options {
  std::string name = "enroll0";                   ///< for logs
  std::shared_ptr<storage::pg_pool> pool;         ///< the write pool
  int64_t batch_size = 100;                       ///< events per transaction
  std::chrono::milliseconds poll_interval{1'000}; ///< idle wait
  std::chrono::milliseconds wait_day{86'400'000}; ///< one WAIT day
};

/// One batch without an actor; fails with the storage error (nothing of the
/// batch is then written).
caf::expected<storage::enrol_result>
run_enrol_round(const enroller_options& options);

/// Spawns a detached enroller that runs batches back to back while events
/// wait and every `poll_interval` when there are none. It stops between
/// batches when asked to exit.
/// An enroller's interface: only its own round timer.
using enroller = caf::typed_actor<caf::reacts_to<tick_atom>>;

enroller spawn_enroller(caf::actor_system& sys, enroller_options options);

} // namespace cdpd::actors::delivery
