#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "net/auth/roles.hpp"

/// Access tokens: JWTs signed with HS256 (libcpp-jwt builds, parses and
/// signs; the policy on algorithms and claims is ours). Claims: iss, sub
/// (the account id or "apikey:<prefix>"), role, iat, exp, jti.
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
  std::string subject;
  role granted = role::viewer;
  std::string jti;
  clock::time_point issued_at;
  clock::time_point expires_at;
};

/// Signs and checks access tokens with one key and issuer. Immutable;
/// safe to share between threads.
class jwt_codec {
public:
  /// A codec signing with `key` (at least 32 bytes; see signing_key()) and
  /// naming `issuer` in `iss`.
  jwt_codec(std::string key, std::string issuer);

  /// A token for `subject` with `granted`, valid from `now` for `ttl`.
  /// Fails with errc::crypto_failed when signing fails.
  caf::expected<issued_token> issue(std::string_view subject, role granted,
                                    std::chrono::seconds ttl,
                                    clock::time_point now) const;

  /// The claims of `token` when it is well formed, signed by our key with
  /// HS256, issued by us and valid at `now`. Otherwise fails with exactly
  /// one of: errc::token_malformed (not a JWS, bad JSON, missing or
  /// mistyped claims, unknown role), errc::token_alg_none,
  /// errc::token_wrong_algorithm, errc::token_bad_signature (checked before
  /// any claim), errc::token_wrong_issuer, errc::token_expired (at or after
  /// `exp`), errc::token_not_yet_valid (`nbf` or `iat` more than
  /// clock_leeway after `now`).
  caf::expected<token_claims> verify(std::string_view token,
                                     clock::time_point now) const;

private:
  std::string key_;
  std::string issuer_;
};

} // namespace cdpd::net::auth
