#pragma once

#include <memory>
#include <string_view>

#include "config/settings.hpp"
#include "net/access/auth_services.hpp"
#include "net/http/route_guard.hpp"

/// The route guard of a running node: it authenticates each request
/// (authenticator.hpp), enforces the route's role, refuses cookie-borne
/// POSTs that are not JSON, and charges the route's rate limits to the
/// caller (the account, the API key, or else the client's address).
///
/// Answers: 401 with WWW-Authenticate (no or bad credentials), 403 naming
/// the role needed, 429 with Retry-After. Every rate-limited response,
/// refused or not, carries RateLimit-Limit, RateLimit-Remaining and
/// RateLimit-Reset. Public routes never refuse credentials: bad ones are
/// ignored there, good ones still set request.who (logout uses that).
namespace cdpd::net {

/// Whether a Content-Type header names application/json (any case, with
/// or without parameters).
bool is_json_content_type(std::string_view content_type);

/// A guard for `services`; `limits` says which rates apply (disabled: none,
/// and no limiter is asked).
std::shared_ptr<const route_guard>
make_access_guard(std::shared_ptr<const auth_services> services,
                  const config::ratelimit_settings& limits);

} // namespace cdpd::net
