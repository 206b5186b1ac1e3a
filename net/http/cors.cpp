#include "net/http/cors.hpp"

#include <algorithm>

#include "config/text.hpp"
#include "net/http/problem.hpp"

namespace cdpd::net {

namespace {

/// What a page may read from our answers besides the simple headers.
constexpr const char* exposed =
    "X-Request-ID, X-Total-Count, X-Next-Cursor, RateLimit-Limit, "
    "RateLimit-Remaining, RateLimit-Reset, Retry-After, WWW-Authenticate";

/// What a page may send besides the simple headers.
constexpr const char* accepted =
    "Authorization, Content-Type, X-API-Key, X-Request-ID";

/// How long a browser may reuse a preflight answer, in seconds.
constexpr const char* preflight_max_age = "600";

} // namespace

cors_policy::cors_policy(std::string_view setting) {
  while (!setting.empty()) {
    auto comma = setting.find(',');
    auto item = config::trim(setting.substr(0, comma));
    if (!item.empty())
      origins_.emplace_back(item);
    if (comma == std::string_view::npos)
      break;
    setting.remove_prefix(comma + 1);
  }
}

bool cors_policy::allows(std::string_view origin) const {
  return !origin.empty() &&
         std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

void cors_policy::decorate(std::string_view origin,
                           http_response& response) const {
  if (!enabled())
    return;
  response.headers.emplace_back("Vary", "Origin");
  if (!allows(origin))
    return;
  response.headers.emplace_back("Access-Control-Allow-Origin",
                                std::string{origin});
  response.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  response.headers.emplace_back("Access-Control-Expose-Headers", exposed);
}

http_response cors_policy::preflight(std::string_view origin,
                                     std::string_view methods) const {
  if (!allows(origin))
    return problem(403,
                   "origin '" + std::string{origin} +
                       "' may not call this API from a browser; add it to "
                       "http.cors-origins",
                   "origin-not-allowed");
  http_response response;
  response.status = 204;
  response.content_type.clear();
  response.headers.emplace_back("Access-Control-Allow-Methods",
                                std::string{methods});
  response.headers.emplace_back("Access-Control-Allow-Headers", accepted);
  response.headers.emplace_back("Access-Control-Max-Age", preflight_max_age);
  return response;
}

} // namespace cdpd::net
