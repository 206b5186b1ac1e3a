#pragma once

#include <functional>
#include <memory>
#include <string>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "config/settings.hpp"
#include "net/access/auth_services.hpp"
#include "storage/pg_pool.hpp"

namespace cdpd::app {

/// The file, in the state directory, that holds a generated first admin
/// password (mode 0600).
inline constexpr const char* first_password_file = "first-admin-password";

/// Makes what the access guard needs at start: the token signing key
/// (auth.jwt-secret or its file; when neither is set, a key generated once
/// and kept in PostgreSQL so every node shares it), the first admin account
/// when there is none (auth.bootstrap-password, or a generated password
/// written to `<state dir>/first_password_file`, which the first login must
/// replace), and a loaded credential cache. The limiter is left for
/// the caller. Errors are one line saying what to fix.
caf::expected<std::shared_ptr<net::auth_services>>
prepare_auth(const config::settings& s, storage::pg_pool& pool);

/// What auth_services::api_key_used does on a node: the key's last-used
/// time is written through the "pg-write" db actor, without waiting for it.
/// `sys` must outlive every call.
std::function<void(const std::string&)>
record_api_key_use(caf::actor_system& sys);

} // namespace cdpd::app
