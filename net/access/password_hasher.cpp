#include "net/access/password_hasher.hpp"

#include <algorithm>
#include <cstring>
#include <thread>
#include <utility>

#include <caf/actor_pool.hpp>
#include <caf/all.hpp>

#include "actors/ask.hpp"
#include "net/auth/password.hpp"

namespace cdpd::net {

namespace {

using verify_atom = caf::atom_constant<caf::atom("pwverify")>;
using hash_atom = caf::atom_constant<caf::atom("pwhash")>;
using steady = std::chrono::steady_clock;

/// What a worker answers a verify with (hash_verdict as an integer: an
/// enum would need a type id of its own).
constexpr int match = 0, mismatch = 1, busy = 2;

/// Longest wait for a worker's answer: a request waits at most the queue
/// wait, then hashes for well under a second.
constexpr auto reply_timeout = std::chrono::seconds{30};

int64_t steady_now() {
  return steady::now().time_since_epoch().count();
}

caf::behavior hasher_worker(caf::event_based_actor*,
                            std::chrono::milliseconds queue_wait) {
  int64_t wait =
      std::chrono::duration_cast<steady::duration>(queue_wait).count();
  auto too_late = [wait](int64_t sent_at) {
    return steady_now() - sent_at > wait;
  };
  return {
      [too_late](verify_atom, int64_t sent_at, const std::string& password,
                 const std::string& stored_hash) {
        if (too_late(sent_at))
          return busy;
        bool ok = stored_hash.empty()
                      ? auth::verify_against_dummy(password)
                      : auth::verify_password(password, stored_hash);
        return ok ? match : mismatch;
      },
      [too_late](hash_atom, int64_t sent_at,
                 const std::string& password) -> std::string {
        if (too_late(sent_at))
          return {};
        auto hash = auth::hash_password(password);
        return hash ? std::move(*hash) : std::string{};
      },
  };
}

caf::actor find_hasher(caf::actor_system& sys) {
  return caf::actor_cast<caf::actor>(
      sys.registry().get(caf::atom_from_string(caf::string_view{
          password_hasher_name, std::strlen(password_hasher_name)})));
}

} // namespace

caf::actor spawn_password_hasher(caf::actor_system& sys,
                                 password_hasher_options options) {
  auto workers = options.workers;
  if (workers == 0)
    workers =
        std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
  auto factory = [&sys, wait = options.queue_wait] {
    return sys.spawn<caf::detached>(hasher_worker, wait);
  };
  return caf::actor_pool::make(sys.dummy_execution_unit(), workers, factory,
                               caf::actor_pool::round_robin());
}

void verify_on_hasher(caf::actor_system& sys, std::string password,
                      std::optional<std::string> stored_hash,
                      std::function<void(hash_verdict)> done) {
  auto hasher = find_hasher(sys);
  if (!hasher)
    return done(hash_verdict::busy);
  actors::ask(
      sys, hasher, reply_timeout,
      [done](int verdict) {
        done(verdict == match      ? hash_verdict::match
             : verdict == mismatch ? hash_verdict::mismatch
                                   : hash_verdict::busy);
      },
      [done](caf::error&) { done(hash_verdict::busy); }, verify_atom::value,
      steady_now(), std::move(password), stored_hash.value_or(std::string{}));
}

void hash_on_hasher(caf::actor_system& sys, std::string password,
                    std::function<void(std::optional<std::string>)> done) {
  auto hasher = find_hasher(sys);
  if (!hasher)
    return done(std::nullopt);
  actors::ask(
      sys, hasher, reply_timeout,
      [done](std::string& hash) {
        if (hash.empty())
          return done(std::nullopt);
        done(std::move(hash));
      },
      [done](caf::error&) { done(std::nullopt); }, hash_atom::value,
      steady_now(), std::move(password));
}

} // namespace cdpd::net
