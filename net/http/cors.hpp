#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/http/http_message.hpp"

/// Cross-origin requests from browsers (CORS), for a frontend served from
/// another origin than cdpd. Only the configured origins (http.cors-origins)
/// are answered, always by name and with credentials allowed, never with
/// "*". Requests from other origins get no CORS headers, so browsers keep
/// their answers from the page.
namespace cdpd::net {

class cors_policy {
public:
  /// The origins of `setting`: a comma-separated list, already validated
  /// by the configuration; empty allows none.
  explicit cors_policy(std::string_view setting);

  /// True when some origin is configured.
  bool enabled() const { return !origins_.empty(); }

  /// True when `origin` (an Origin header) is one of the configured ones.
  bool allows(std::string_view origin) const;

  /// Adds the CORS headers of an actual response for `origin` (when
  /// allowed): Access-Control-Allow-Origin, -Allow-Credentials and
  /// -Expose-Headers. Always adds `Vary: Origin` when enabled, so caches
  /// keep answers for different origins apart.
  void decorate(std::string_view origin, http_response& response) const;

  /// The answer to a preflight (OPTIONS with Access-Control-Request-Method)
  /// for a path that accepts `methods` (an Allow value): 204 with the
  /// allowed methods and headers for a configured origin, else 403 naming
  /// the setting.
  http_response preflight(std::string_view origin,
                          std::string_view methods) const;

private:
  std::vector<std::string> origins_;
};

} // namespace cdpd::net
