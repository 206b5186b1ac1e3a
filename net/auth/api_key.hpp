#pragma once

#include <optional>
#include <string>
#include <string_view>

/// API keys for machine clients: `cdpd_<prefix>_<secret>`, where the prefix
/// is 8 characters from [a-z0-9] that identify the key (shown in lists,
/// unique in the database) and the secret is 32 random bytes as unpadded
/// base64url (43 characters). Only the prefix and the SHA-256 of the whole
/// key are stored.
namespace cdpd::net::auth {

/// Characters in an API key: "cdpd_" + 8 + "_" + 43.
constexpr std::size_t api_key_length = 5 + 8 + 1 + 43;

/// A new key as shown once to whoever created it, with what is stored.
struct new_api_key {
  std::string key;    ///< the whole key; never stored
  std::string prefix; ///< its 8-character prefix
  std::string hash;   ///< api_key_hash(key)
};

/// Generates a new random key.
new_api_key generate_api_key();

/// The prefix of a presented key, or nullopt when the text does not have
/// the shape of a cdpd API key (so no database lookup is needed).
std::optional<std::string> api_key_prefix(std::string_view key);

/// The stored form of a key: lower-case hex SHA-256 of the whole key.
///
/// A fast hash is right here, unlike for passwords: the secret part holds
/// 256 random bits, so no dictionary or brute-force search over inputs is
/// feasible whatever the hash speed, and keys are checked on every request,
/// where Argon2id's deliberate cost would be a denial-of-service lever.
std::string api_key_hash(std::string_view key);

/// True when `presented` hashes to `stored_hash`, compared in constant time
/// so response timing tells nothing about how much of the hash matched.
bool api_key_matches(std::string_view presented, std::string_view stored_hash);

} // namespace cdpd::net::auth
