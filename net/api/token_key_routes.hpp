#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "net/access/auth_services.hpp"
#include "net/http/router.hpp"

namespace cdpd::net {

/// Adds the admin routes for the access-token key (net/access/token_keys.hpp):
/// - `GET /api/admin/token-keys`: `{"source": "settings"|"database",
///   "signing": kid, "accepted": [kid, ...]}` as this node uses them.
/// - `POST /api/admin/token-keys/rotate` `{"immediate"?: bool}`: stores a
///   new key (database source only; 409 with how to rotate a configured
///   key otherwise) that every node signs with after
///   `activation_delay`, accepting the current one for `rotation_window`
///   after that; 409 with Retry-After while the last rotation settles.
///   `immediate` makes the new key sign at once and drops the current one
///   (a leaked key: every token it signed is refused). Answers
///   `{"new_key", "active_from", "previous_key", "previous_accepted_until"}`.
/// `sys` must outlive the router.
void add_token_key_routes(router& routes, caf::actor_system& sys,
                          std::shared_ptr<const auth_services> auth);

} // namespace cdpd::net
