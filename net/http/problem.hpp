#pragma once

#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <nlohmann/json_fwd.hpp>

#include "net/http/http_message.hpp"

/// RFC 9457 problem details: every error response of cdpd is one of these.
/// Bodies keep a "detail" member, which older clients read.
namespace cdpd::net {

/// Content type of every error response.
inline constexpr std::string_view problem_content_type =
    "application/problem+json";

/// Prefix of problem types that are not "about:blank".
inline constexpr std::string_view problem_type_prefix = "urn:cdpd:problem:";

/// An error response: `{"type", "title", "status", "detail"}` with type
/// "urn:cdpd:problem:<type_slug>" (or "about:blank" without a slug) and title
/// the status's reason phrase unless one is given. The server adds
/// "request_id" when it sends the response.
http_response problem(int status, std::string detail,
                      std::string type_slug = {}, std::string title = {});

/// Maps an error to a problem response, the one place that does: domain
/// errors keep their text (actors::domain::errc not_found 404, rejected
/// 400, conflict 409); storage errors that mean "try again"
/// (pool exhausted, connection failed or lost, Redis unavailable, pool
/// closed) become 503 (pool exhausted adds Retry-After: 1), a statement
/// timeout 504, other storage errors 500; actors::errc::circuit_open and
/// child_unavailable become 503 with Retry-After (seconds until the
/// breaker's next probe, at least 1), no_breaker 404, escalated 500;
/// caf::sec::request_timeout becomes
/// 504, caf::sec::request_receiver_down 503, anything else 500.
http_response problem_from_error(const caf::error& err);

/// A JSON response ("application/json"). Invalid UTF-8 in strings is
/// replaced rather than thrown on.
http_response json_response(int status, const nlohmann::json& body);

/// Adds "request_id" to a problem+json body that lacks one; leaves any other
/// response untouched.
void stamp_request_id(http_response& response, std::string_view request_id);

} // namespace cdpd::net
