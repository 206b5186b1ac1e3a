#pragma once

#include <cstdint>
#include <optional>

#include "actors/limits/rate_plan.hpp"
#include "net/auth/roles.hpp"

/// Who may call a route and which rate limits it counts against. Every
/// route declares one at router::add, next to its handler; the access guard
/// (access_guard.hpp) enforces it before the handler runs.
namespace cdpd::net {

struct route_access {
  /// The least role a caller needs; nullopt: anyone, without credentials.
  std::optional<auth::role> need;
  /// The route class whose limits apply; nullopt: not rate limited.
  std::optional<actors::limits::route_class> limits;

  /// The same access, counted against the limits of `c` as well.
  constexpr route_access limited_as(actors::limits::route_class c) const {
    return {need, c};
  }
};

/// Predefined access levels: `access::manager`,
/// `access::manager.limited_as(route_class::campaign_create)`.
namespace access {

/// Public and unlimited: health, metrics, the login page.
inline constexpr route_access anyone{};

/// Public, counted against the general limits of the client's address
/// (login, refresh, unsubscribe and tracking links).
inline constexpr route_access anyone_limited{
    std::nullopt, actors::limits::route_class::general};

/// Reads.
inline constexpr route_access viewer{auth::role::viewer,
                                     actors::limits::route_class::general};

/// Writes to customers, orders, products, segments, flows, campaigns and
/// imports.
inline constexpr route_access manager{auth::role::manager,
                                      actors::limits::route_class::general};

/// Users, API keys, webhooks, dead letters and /admin.
inline constexpr route_access admin{auth::role::admin,
                                    actors::limits::route_class::general};

} // namespace access

} // namespace cdpd::net
