#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "net/access/auth_services.hpp"
#include "net/http/router.hpp"

namespace cdpd::net {

/// Adds the session routes under /api/auth:
/// - `POST login` (public, limited) `{"email", "password"}`: 200
///   `{"access_token", "token_type": "bearer", "expires_in", "refresh_token",
///   "role"}` and the access token in the `cdpd_session` cookie; 401 for a
///   wrong email or password or an inactive account, alike in answer and
///   time; 429 with Retry-After while the email or the client address has
///   used up auth.login-max-failures failed attempts per auth.login-lockout.
/// - `POST refresh` (public, limited) `{"refresh_token"}`: the same 200 with
///   a rotated refresh token and the account's current role; 401 for an
///   unknown, expired, replayed or disabled one.
/// - `POST logout` (public, limited) `{"refresh_token"?}`: 204; revokes the
///   refresh token and the caller's access token, and clears the cookie.
/// - `GET me` (viewer): `{"subject", "role", "via"}` and, for accounts,
///   `"email"`.
/// - `POST password` (viewer, accounts only, else 403)
///   `{"current_password", "new_password"}`: 204, or 403 for a wrong current
///   password; ends the account's other sessions (refresh tokens).
/// Password work runs on the "pg-write" db actor (503 while it is missing).
/// `sys` must outlive the router.
void add_auth_routes(router& routes, caf::actor_system& sys,
                     std::shared_ptr<const auth_services> auth);

} // namespace cdpd::net
