#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

/// Small building blocks for credentials, on libsodium: random tokens,
/// base64url, SHA-256 and comparison in constant time. Every function
/// initialises libsodium on first use (thread-safe).
namespace cdpd::net::auth {

/// True when libsodium is usable; the first call initialises it. Every other
/// function here assumes it returned true (cdpd refuses to start otherwise).
bool crypto_ready();

/// `bytes` bytes from the operating system's CSPRNG, as unpadded base64url
/// (about 4/3 * bytes characters from [A-Za-z0-9_-]).
std::string random_token(std::size_t bytes);

/// `length` characters drawn uniformly from [a-z0-9].
std::string random_lower_alnum(std::size_t length);

/// Unpadded base64url of `data`.
std::string base64url(std::string_view data);

/// Lower-case hex of `data`.
std::string to_hex(std::string_view data);

/// The bytes `hex` spells; nullopt unless it is hex digits only, in pairs.
std::optional<std::string> from_hex(std::string_view hex);

/// Lower-case hex SHA-256 of `data` (64 characters).
std::string sha256_hex(std::string_view data);

/// Compares two strings in time that depends only on their lengths; false
/// when the lengths differ.
bool equal_constant_time(std::string_view a, std::string_view b);

} // namespace cdpd::net::auth
