#pragma once

#include <chrono>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include "storage/redis_client.hpp"

/// The Redis front actor: a detached actor owning one hiredis connection,
/// so blocking Redis calls never run on the scheduler's threads.
///
/// Protocol:
/// - `(check_atom)` -> `check_result` from PING;
/// - `(redis_atom, std::vector<std::string> argv)` -> `storage::redis_reply`
///   or a storage error (redis_unavailable while Redis is down).
/// The client reconnects by itself on the next call after a failure.
namespace cdpd::actors {

caf::actor spawn_redis_actor(caf::actor_system& sys,
                             storage::redis_endpoint endpoint,
                             std::chrono::milliseconds timeout);

} // namespace cdpd::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::redis_reply)
