#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/message.hpp>

#include "storage/pg_pool.hpp"

/// The PostgreSQL front actor: a cooperative dispatcher in front of a fixed
/// set of detached workers, so blocking libpqxx calls never run on the
/// scheduler's threads.
///
/// Protocol:
/// - `(db_job_atom, db_work)` -> whatever the work returns (its message is the
///   reply) or its error;
/// - `(check_atom)` -> `check_result` from `SELECT 1`.
/// A job that finds every worker busy waits in a bounded queue; past
/// `queue_timeout` or `max_queue` it fails with
/// `storage::errc::pool_exhausted`.
namespace cdpd::actors {

/// Blocking work run on a worker with the pool; its message is the reply.
using db_work =
    std::function<caf::expected<caf::message>(storage::pg_pool& pool)>;

struct db_actor_options {
  std::string name; ///< "pg-write" or "pg-read", for logs
  int workers = 8;  ///< detached workers; match the pool size
  std::size_t max_queue = 1024;
  std::chrono::milliseconds queue_timeout{2000};
};

/// Spawns the dispatcher; its workers are linked to it and die with it.
caf::actor spawn_db_actor(caf::actor_system& sys,
                          std::shared_ptr<storage::pg_pool> pool,
                          db_actor_options options);

} // namespace cdpd::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::db_work)
