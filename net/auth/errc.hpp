#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>

/// Error codes of authentication (category "auth"): why a token, key or
/// secret was refused. The HTTP edge maps every token error to 401 with a
/// `WWW-Authenticate` header.
namespace cdpd::net::auth {

enum class errc : uint8_t {
  token_malformed = 1,   ///< not three base64url JSON parts, or bad claims
  token_alg_none,        ///< the header says alg "none" (unsigned)
  token_wrong_algorithm, ///< signed with anything but HS256
  token_bad_signature,   ///< the HS256 signature does not match our key
  token_expired,         ///< `exp` is in the past
  token_not_yet_valid,   ///< `nbf` or `iat` lies in the future
  token_wrong_issuer,    ///< `iss` is not the configured issuer
  key_missing,           ///< no signing key configured or readable
  key_too_short,         ///< the signing key has fewer than 32 bytes
  crypto_failed,         ///< libsodium or OpenSSL reported a failure
};

/// Name of a code, for logs and problem bodies ("token_expired").
const char* to_string(errc code);

/// Builds an auth error with a human-readable explanation (never a secret).
inline caf::error make_error(errc code, std::string what) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("auth"),
                    caf::make_message(std::move(what))};
}

/// The explanation stored by make_error, or the code's name.
std::string describe(const caf::error& err);

} // namespace cdpd::net::auth

CAF_ERROR_CODE_ENUM(cdpd::net::auth::errc, "auth")
