#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "net/auth/roles.hpp"

/// Who sent a request, as the access guard established it before the
/// handler ran.
namespace cdpd::net {

struct caller {
  /// How the caller proved who it is.
  enum class proof : uint8_t {
    none,      ///< no credentials (a public route, or auth.anonymous-role)
    bearer,    ///< an access token in `Authorization: Bearer`
    cookie,    ///< an access token in the session cookie
    api_key,   ///< an API key (`X-API-Key` or `Authorization: Bearer`)
    unchecked, ///< no access guard runs (tests and embedded routers)
  };

  proof via = proof::unchecked;
  /// The role the caller acts with; nullopt for an anonymous caller without
  /// auth.anonymous-role.
  std::optional<auth::role> role;
  /// The account id for tokens, "apikey:<prefix>" for API keys, empty when
  /// anonymous.
  std::string subject;
  /// The access token's id (for logout) when via a token; the key's id
  /// when via an API key.
  std::string token_id;
  std::chrono::system_clock::time_point token_expires{};

  /// True when the caller presented valid credentials.
  bool authenticated() const {
    return via == proof::bearer || via == proof::cookie ||
           via == proof::api_key;
  }
};

} // namespace cdpd::net
