#pragma once

#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "config/settings.hpp"

/// Where the HS256 signing key comes from: `auth.jwt-secret` (also
/// CDPD_AUTH_JWT_SECRET) or the file named by `auth.jwt-secret-file`.
namespace cdpd::net::auth {

/// Keys shorter than this are refused (RFC 7518 3.2: at least the hash size).
constexpr std::size_t min_key_bytes = 32;

/// The signing key from `s`: auth.jwt-secret when set, else the contents of
/// auth.jwt-secret-file without trailing CR/LF. Fails with errc::key_missing
/// when neither is set or the file cannot be read, and errc::key_too_short
/// (with the hint `openssl rand -hex 32`) when the key has fewer than 32
/// bytes. Messages name the setting or file, never the key.
caf::expected<std::string> signing_key(const config::auth_settings& s);

/// The key accepted beside signing_key() while an operator rotates a
/// configured key: auth.jwt-previous-secret, else the file named by
/// auth.jwt-previous-secret-file; nullopt when neither is set. Fails like
/// signing_key() for an unreadable file or a short key.
caf::expected<std::optional<std::string>>
previous_signing_key(const config::auth_settings& s);

} // namespace cdpd::net::auth
