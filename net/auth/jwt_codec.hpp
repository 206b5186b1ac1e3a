#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "net/auth/roles.hpp"

/// Access tokens: JWTs signed with HS256 (libcpp-jwt builds, parses and
/// signs; the policy on algorithms and claims is ours). Claims: iss, sub
/// (the account id or "apikey:<prefix>"), role, iat, exp, jti; the header
/// names the signing key in `kid`, so a node can accept the previous key
/// while a rotation settles (net/access/token_keys.hpp).
namespace cdpd::net::auth {

using clock = std::chrono::system_clock;

/// Clock skew tolerated between nodes for `nbf` and `iat`.
constexpr std::chrono::seconds clock_leeway{30};

/// Tokens longer than this are refused before parsing.
constexpr std::size_t max_token_bytes = 8 * 1024;

/// A freshly signed access token.
struct issued_token {
  std::string token;            ///< the compact JWS, for the bearer header
  std::string jti;              ///< its unique id (for revocation)
  clock::time_point expires_at; ///< whole seconds, as in `exp`
};

/// The claims of a token that passed verify().
struct token_claims {
  std::string kid; ///< the key that signed it
  std::string subject;
  role granted = role::viewer;
  std::string jti;
  clock::time_point issued_at;
  clock::time_point expires_at;
};

/// An HS256 key and its id. The id is derived from the key (the first 12
/// hex digits of its SHA-256), so every node names a key alike without
/// storing an id, and an id says nothing usable about the key.
struct hs256_key {
  std::string kid;
  std::string secret;
};

/// `secret` with its id.
hs256_key make_hs256_key(std::string secret);

/// The keys a codec works with: one signs, the others are also accepted.
struct key_ring {
  hs256_key signing;
  std::vector<hs256_key> also_accepted;
};

/// Signs and checks access tokens with a key ring and one issuer. The ring
/// can be replaced while other threads issue and verify.
class jwt_codec {
public:
  /// A codec signing with `key` (at least 32 bytes; see signing_key()) and
  /// naming `issuer` in `iss`.
  jwt_codec(std::string key, std::string issuer);

  /// A codec with `ring`.
  jwt_codec(key_ring ring, std::string issuer);

  /// From now on signs and checks with `ring`.
  void use(key_ring ring);

  /// The ring in use.
  std::shared_ptr<const key_ring> keys() const;

  /// Whether the key `kid` is in the ring (signs or is accepted).
  bool accepts(std::string_view kid) const;

  /// A token for `subject` with `granted`, valid from `now` for `ttl`.
  /// Fails with errc::crypto_failed when signing fails.
  caf::expected<issued_token> issue(std::string_view subject, role granted,
                                    std::chrono::seconds ttl,
                                    clock::time_point now) const;

  /// The claims of `token` when it is well formed, signed with HS256 by
  /// the key its `kid` names (one of the ring's; the signing key when the
  /// header has no `kid`, as tokens made before key ids had none), issued by us
  /// and valid at `now`. Otherwise fails with exactly one of:
  /// errc::token_malformed (not a JWS, bad JSON, missing or mistyped claims,
  /// unknown role), errc::token_alg_none, errc::token_wrong_algorithm,
  /// errc::token_bad_signature (checked before any claim),
  /// errc::token_wrong_issuer, errc::token_expired (at or after `exp`),
  /// errc::token_not_yet_valid (`nbf` or `iat` more than clock_leeway after
  /// `now`).
  caf::expected<token_claims> verify(std::string_view token,
                                     clock::time_point now) const;

private:
  mutable std::mutex mutex_;
  std::shared_ptr<const key_ring> ring_;
  std::string issuer_;
};

} // namespace cdpd::net::auth
