#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// Beast-free request and response types: handlers and the router see only
/// these, so Boost.Beast stays inside net/http_server.cpp.
namespace cdpd::net {

struct http_request {
  std::string method;                        ///< "GET", "POST", ...
  std::string target;                        ///< raw target, with query
  std::string path;                          ///< decoded path, no query
  std::map<std::string, std::string> query;  ///< decoded query parameters
  std::map<std::string, std::string> params; ///< path parameters ({id})
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string request_id; ///< X-Request-ID, taken or generated
  std::string route;      ///< the matched route pattern ("/api/users/{id}")

  /// Value of a header (case-insensitive name), empty when absent.
  std::string header(std::string_view name) const;
};

struct http_response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// Completes a request. Callable from any thread, exactly once.
using responder = std::function<void(http_response)>;

/// Handles a request; must not block (hand blocking work to an actor).
using handler = std::function<void(http_request, responder)>;

} // namespace cdpd::net
