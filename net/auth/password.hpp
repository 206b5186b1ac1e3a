#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

/// Password hashing for operator accounts: Argon2id through libsodium's
/// crypto_pwhash_str with its "interactive" limits (64 MiB, 2 passes, about
/// 50-100 ms), stored as the self-describing `$argon2id$v=19$m=...` string.
namespace cdpd::net::auth {

/// Longer passwords are refused: hashing is bounded work per request.
constexpr std::size_t max_password_bytes = 1024;

/// The Argon2id hash string of `password`. Fails with errc::crypto_failed
/// when the password is longer than max_password_bytes or libsodium cannot
/// allocate the memory the hash needs.
caf::expected<std::string> hash_password(std::string_view password);

/// True when `password` matches `hash`. False for a wrong password, an
/// over-long password and a hash string libsodium cannot read.
bool verify_password(std::string_view password, std::string_view hash);

/// Verifies `password` against a fixed dummy hash and returns false. Call it
/// when the email names no account (or an inactive one), so that a login
/// takes the same time either way and does not reveal which emails exist.
bool verify_against_dummy(std::string_view password);

/// True when `hash` was made with other limits than hash_password uses now;
/// the caller rehashes after the next successful login.
bool needs_rehash(std::string_view hash);

/// A random password of 24 characters from [A-Za-z0-9_-] (144 bits), for
/// the first admin account when none is configured.
std::string generate_password();

} // namespace cdpd::net::auth
