#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/message.hpp>
#include <caf/replies_to.hpp>
#include <caf/sec.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/check_result.hpp"
#include "storage/pg_pool.hpp"

/// The PostgreSQL front actor: a cooperative dispatcher in front of a fixed
/// set of detached workers, so blocking libpqxx calls never run on the
/// scheduler's threads. A job that finds every worker busy waits in a
/// bounded queue; past `queue_timeout` or `max_queue` it fails with
/// `storage::errc::pool_exhausted`.
namespace cdpd::actors {

/// Blocking work run on a worker with the pool; its message is the reply.
using db_work =
    std::function<caf::expected<caf::message>(storage::pg_pool& pool)>;

/// What a db job answers: the work's reply message.
struct db_result {
  caf::message value;
};

/// The db actor's interface. `(db_job_atom, db_work)` runs the work and
/// answers its reply or its error; `(check_atom)` answers a check_result
/// from `SELECT 1`; `(expire_atom, id)` is its own queue timer.
using db_actor =
    caf::typed_actor<caf::replies_to<db_job_atom, db_work>::with<db_result>,
                     caf::replies_to<check_atom>::with<check_result>,
                     caf::reacts_to<expire_atom, uint64_t>>;

/// Work whose reply is a `T`: callers deduce the reply type from it, so a
/// handler that expects another type does not compile. Made implicitly
/// from anything a db_work is made from, so a work function states `T`
/// once, in its signature.
template <class T> struct db_job {
  using value_type = T;
  template <class F>
  requires std::is_constructible_v<db_work, F> db_job(F&& f)
      : work(std::forward<F>(f)) {}
  db_work work;
};

/// The `T` in a db job's reply; caf::sec::unexpected_response when the
/// work replied something else (a work function whose body does not match
/// its declared db_job type).
template <class T> caf::expected<T> db_value(db_result& result) {
  if (!result.value.match_elements<T>())
    return caf::make_error(caf::sec::unexpected_response,
                           "a db job replied " + caf::to_string(result.value) +
                               ", not the declared type");
  result.value.force_unshare();
  return std::move(result.value.get_mutable_as<T>(0));
}

/// Runs `job` on the calling thread, blocking: for work a node needs before
/// its db actors run (loading at start).
template <class T>
caf::expected<T> run_now(const db_job<T>& job, storage::pg_pool& pool) {
  auto reply = job.work(pool);
  if (!reply)
    return std::move(reply.error());
  db_result result{std::move(*reply)};
  return db_value<T>(result);
}

/// The registry keys of a node's db actors (their supervision proxies):
/// writes, and reads (a replica when configured).
inline constexpr caf::atom_value db_write_key = caf::atom("pg-write");
inline constexpr caf::atom_value db_read_key = caf::atom("pg-read");

struct db_actor_options {
  std::string name; ///< "pg-write" or "pg-read", for logs
  int workers = 8;  ///< detached workers; match the pool size
  std::size_t max_queue = 1024;
  std::chrono::milliseconds queue_timeout{2000};
};

/// Spawns the dispatcher; its workers are linked to it and die with it.
db_actor spawn_db_actor(caf::actor_system& sys,
                        std::shared_ptr<storage::pg_pool> pool,
                        db_actor_options options);

} // namespace cdpd::actors

// Work runs where it was made: db actors are per node by design (each
// node has its own pools), so jobs and their results never cross nodes.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::db_work)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::db_result)
