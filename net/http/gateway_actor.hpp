#pragma once

#include <chrono>
#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "net/http/http_server.hpp"

/// The HTTP gateway actor: the actor-tree owner of the node's HTTP server.
/// The server is bound before the gateway starts (so a busy port fails
/// start-up at once); the gateway drains and stops it.
///
/// Protocol:
/// - `(drain_atom)` -> `bool`: stops accepting, waits up to the drain timeout
///   for in-flight requests, stops the server; true when nothing was cut off.
/// On exit with `user_shutdown` the server is stopped; after a crash it keeps
/// serving and the restarted gateway takes it over.
namespace cdpd::net {

caf::actor spawn_gateway(caf::actor_system& sys,
                         std::shared_ptr<http_server> server,
                         std::chrono::milliseconds drain_timeout);

} // namespace cdpd::net
