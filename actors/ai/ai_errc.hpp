#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>

/// How a provider call failed, as the AI routes report it (category "ai";
/// the names are the prototype's error kinds, eca2-api-contract.md 7.4).
namespace cdpd::actors::ai {

enum class errc : uint8_t {
  quota_exceeded = 1,   ///< 429 after retries; retry_after_ms says when
  authentication_error, ///< 401/403: the key is wrong
  provider_error,       ///< another 4xx, or a reply without a message
  provider_unavailable, ///< 5xx, timeouts, unreachable, too busy
};

/// "quota_exceeded", ...
const char* to_string(errc code);

/// An ai error with a detail (never the key) and, for quota_exceeded, the
/// milliseconds the provider asked to wait (-1: not said).
inline caf::error make_error(errc code, std::string detail,
                             int64_t retry_after_ms = -1) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("ai"),
                    caf::make_message(std::move(detail), retry_after_ms)};
}

/// Whether a failed call counts against the provider's breaker: it does
/// when the provider is overloaded or down (quota, 5xx, timeouts), not
/// when the call itself was refused (a wrong key, a bad request). Errors
/// of other categories: the supervision default.
bool counts_against_breaker(const caf::error& err);

} // namespace cdpd::actors::ai

CAF_ERROR_CODE_ENUM(cdpd::actors::ai::errc, "ai")
