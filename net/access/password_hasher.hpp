#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include <caf/fwd.hpp>

/// Argon2id away from the I/O threads and from the database connections.
/// Every Argon2 call of a login takes 64 MiB and 50-100 ms of one core;
/// run inside a db job it held a pg-write connection that long, so a flood
/// of logins stalled every write. The hasher is a pool of worker threads
/// (detached actors behind a round-robin actor pool, registry name
/// "pw-hash"): it bounds the memory and the cores logins can take, and a
/// request that waited in its queue longer than `queue_wait` is answered
/// `busy` without hashing, so a flood drains at once instead of piling up.
namespace cdpd::net {

/// The hasher's registry name.
inline constexpr const char* password_hasher_name = "pw-hash";

struct password_hasher_options {
  std::size_t workers = 0; ///< 0: one per core, at most 4
  std::chrono::milliseconds queue_wait{2'000};
};

/// Spawns the hasher (an actor pool; exiting it stops its workers).
caf::actor spawn_password_hasher(caf::actor_system& sys,
                                 password_hasher_options options = {});

/// What a check on the hasher found.
enum class hash_verdict {
  match,
  mismatch,
  busy, ///< not checked: the hasher is overloaded or not running
};

/// Checks `password` against `stored_hash`, or against the dummy hash when
/// there is none (an unknown email costs the same time), on the node's
/// hasher; calls `done` on an actor thread.
void verify_on_hasher(caf::actor_system& sys, std::string password,
                      std::optional<std::string> stored_hash,
                      std::function<void(hash_verdict)> done);

/// Hashes `password` on the node's hasher; `done` gets nullopt when the
/// hasher is busy or the hash failed.
void hash_on_hasher(caf::actor_system& sys, std::string password,
                    std::function<void(std::optional<std::string>)> done);

} // namespace cdpd::net
