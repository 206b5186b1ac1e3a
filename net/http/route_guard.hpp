#pragma once

#include <functional>
#include <optional>

#include "net/http/http_message.hpp"
#include "net/http/route_access.hpp"

namespace cdpd::net {

/// Enforces a route's access before its handler runs. The router wraps each
/// handler with it once, when the route is added (see router::router).
class route_guard {
public:
  virtual ~route_guard() = default;

  /// A handler that checks `need` (credentials, role, rate limits) and
  /// then calls `inner` with request.who set, or answers 401, 403 or 429
  /// itself.
  virtual handler guard(const route_access& need, handler inner) const = 0;

  /// The same for a streamed route. Credentials and role are checked before
  /// the returned handler returns, so a refused request gets its answer
  /// before "100 Continue" and before any body is read.
  virtual stream_handler guard_stream(const route_access& need,
                                      stream_handler inner) const = 0;

  /// Charges the caller of `request` one request against the limits of
  /// `limits`, for routes that decide themselves whether a request costs
  /// one (an AI answer from the cache costs none); `done` gets the 429 to
  /// answer, or none to go on. Without limits: none, at once.
  virtual void
  charge(const http_request& request, actors::limits::route_class limits,
         std::function<void(std::optional<http_response>)> done) const {
    (void)request;
    (void)limits;
    done(std::nullopt);
  }
};

} // namespace cdpd::net
