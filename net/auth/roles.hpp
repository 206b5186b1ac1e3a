#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

/// The roles of operator accounts and API keys, ordered by what they may do:
/// viewer reads; manager also writes customers, segments, flows, campaigns
/// and imports; admin also manages users, keys, webhooks and /admin.
namespace cdpd::net::auth {

enum class role : uint8_t { viewer = 1, manager = 2, admin = 3 };

/// "viewer", "manager" or "admin".
constexpr std::string_view to_string(role r) {
  switch (r) {
  case role::viewer:
    return "viewer";
  case role::manager:
    return "manager";
  case role::admin:
    return "admin";
  }
  return "viewer";
}

/// The role named `text` (exact, lower case), or nullopt for any other text.
constexpr std::optional<role> parse_role(std::string_view text) {
  for (auto r : {role::viewer, role::manager, role::admin})
    if (to_string(r) == text)
      return r;
  return std::nullopt;
}

/// True when a caller holding `have` may use a route that needs `need`:
/// every role includes the rights of the roles below it.
constexpr bool allows(role have, role need) {
  return static_cast<uint8_t>(have) >= static_cast<uint8_t>(need);
}

/// The role of `auth.anonymous-role` ("none", "viewer", "manager",
/// "admin"): nullopt for "none" (and for any text that is not a role),
/// meaning requests without credentials are refused.
constexpr std::optional<role> anonymous_role(std::string_view setting) {
  return parse_role(setting);
}

} // namespace cdpd::net::auth
