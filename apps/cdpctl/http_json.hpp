#pragma once

#include <string>

#include <nlohmann/json.hpp>

/// One JSON request to cdpd with libcurl, for the small commands (login,
/// users) whose bodies fit in memory.
namespace cdpd::ctl {

/// What came back.
struct json_reply {
  long status = 0;     ///< HTTP status; 0 when no response arrived
  std::string body;    ///< the raw response body
  nlohmann::json json; ///< the body parsed; discarded when not JSON
  std::string error;   ///< why no response arrived (libcurl's words)
};

/// Sends `method` to `url` with `body` (as JSON; null sends none) and, when
/// `token` is not empty, `Authorization: Bearer <token>`. Never throws.
json_reply send_json(const std::string& method, const std::string& url,
                     const nlohmann::json& body, const std::string& token);

/// The `detail` of a problem body as text (validation lists joined), or the
/// raw body.
std::string detail_of(const json_reply& reply);

/// Prints why `reply` failed to standard error, prefixed by `who`
/// ("cdpctl users"), with a hint for 401 (log in, pass a token) and 403
/// (the role needed) and for no response (is cdpd running at `url`?).
void report_failure(const std::string& who, const std::string& url,
                    const json_reply& reply);

} // namespace cdpd::ctl
