#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "net/access/auth_services.hpp"
#include "net/http/router.hpp"

namespace cdpd::net {

/// Adds the admin routes for operator accounts and API keys (all need the
/// admin role):
/// - `GET /api/admin/users` (paged: skip, limit, cursor; X-Total-Count),
///   `POST /api/admin/users` `{"email", "password", "role"}` -> 201,
///   `GET|PUT|DELETE /api/admin/users/{id}`; PUT takes `{"role"?,
///   "active"?, "password"?}`, DELETE disables (204). Accounts are
///   `{id, email, role, active, created_at, updated_at, last_login_at}`.
///   409 for a taken email and for demoting, disabling or deleting the last
///   active admin; 404 for an unknown id.
/// - `GET /api/admin/api-keys` (paged), `POST /api/admin/api-keys`
///   `{"name", "role"}` -> 201 with the whole key (shown only this once),
///   `DELETE /api/admin/api-keys/{id}` -> 204 (revoked).
/// Every change is applied to this node's credential cache at once. Work
/// runs on the "pg-write" and "pg-read" db actors; `sys` must outlive the
/// router.
void add_account_routes(router& routes, caf::actor_system& sys,
                        std::shared_ptr<const auth_services> auth);

} // namespace cdpd::net
