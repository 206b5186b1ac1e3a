#pragma once

#include <functional>
#include <memory>
#include <string>

#include "actors/limits/limiter_region.hpp"
#include "config/settings.hpp"
#include "net/access/credential_cache.hpp"
#include "net/auth/jwt_codec.hpp"
#include "net/auth/link_token.hpp"

/// What the access guard and the auth routes (login, refresh, logout,
/// users, API keys) share on one node.
namespace cdpd::net {

struct auth_services {
  config::auth_settings settings;
  /// Its key ring changes when the key is rotated (token_keys.hpp).
  std::shared_ptr<auth::jwt_codec> tokens;
  /// Signs and checks the tokens of message links (/u, /t) with the
  /// cluster's link key, so every node checks every node's.
  std::shared_ptr<const auth::link_signer> links;
  std::shared_ptr<credential_cache> credentials;
  /// Rate limits and the login-failure throttle; null when no limiter runs.
  std::shared_ptr<const actors::limits::limiter_region> limiter;
  /// Records that the API key with this id was used (its last-used time);
  /// called at most once a minute per key, from a request's thread, so it
  /// must not block. May be empty.
  std::function<void(const std::string& key_id)> api_key_used;
};

/// Name of the cookie that carries the access token for browsers.
inline constexpr const char* session_cookie = "cdpd_session";

} // namespace cdpd::net
