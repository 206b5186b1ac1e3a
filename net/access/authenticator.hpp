#pragma once

#include <memory>
#include <optional>
#include <variant>

#include "net/access/credential_cache.hpp"
#include "net/access/verified_tokens.hpp"
#include "net/auth/jwt_codec.hpp"
#include "net/http/http_message.hpp"

/// Finds out who sent a request, from its headers and the node's memory
/// only (no database round trip, so it costs microseconds):
/// 1. `Authorization: Bearer <x>`: an API key when x has the API-key shape,
///    else an access token;
/// 2. `X-API-Key: <key>`;
/// 3. the `cdpd_session` cookie (an access token, as set by login).
/// The first one present is the only one looked at.
namespace cdpd::net {

class authenticator {
public:
  /// `anonymous` is the role of requests without credentials
  /// (auth.anonymous-role), nullopt for none.
  authenticator(std::shared_ptr<const auth::jwt_codec> tokens,
                std::shared_ptr<const credential_cache> credentials,
                std::optional<auth::role> anonymous);

  /// The caller, or a 401 response saying what was wrong with the
  /// credentials presented (with a WWW-Authenticate header). A request
  /// without credentials is the anonymous caller (proof::none), whose role
  /// may be nullopt. A token's role is the account's current role when the
  /// cache knows the account; a disabled account is refused.
  std::variant<caller, http_response>
  identify(const http_request& request, auth::clock::time_point now) const;

  /// The 401 for a request without credentials on a route that needs them.
  static http_response credentials_required();

private:
  std::variant<caller, http_response>
  from_token(std::string_view token, caller::proof via,
             auth::clock::time_point now) const;
  std::variant<caller, http_response> from_api_key(std::string_view key) const;

  std::shared_ptr<const auth::jwt_codec> tokens_;
  /// Tokens already verified (shared, so identify() stays const).
  std::shared_ptr<verified_tokens> verified_ =
      std::make_shared<verified_tokens>();
  std::shared_ptr<const credential_cache> credentials_;
  std::optional<auth::role> anonymous_;
};

/// The value of cookie `name` in a Cookie header, or empty.
std::string_view cookie_value(std::string_view header, std::string_view name);

} // namespace cdpd::net
