#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/make_message.hpp>

/// Error codes of the supervision layer (category "actors").
namespace cdpd::actors {

enum class errc : uint8_t {
  /// The child's circuit breaker is open: the call was not attempted. The
  /// context is (std::string detail, int64_t milliseconds until the next
  /// probe).
  circuit_open = 1,
  /// The child is restarting (or stopped for good) and its buffer is full or
  /// disabled. The context is (std::string detail).
  child_unavailable,
  /// A supervisor exceeded its restart intensity and gave up.
  escalated,
  /// A breaker operation on a child that has no circuit breaker.
  no_breaker,
};

/// An actors error with a detail text and, for circuit_open, the
/// milliseconds until the breaker lets a probe through.
inline caf::error make_error(errc code, std::string detail,
                             int64_t retry_after_ms = 0) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("actors"),
                    caf::make_message(std::move(detail), retry_after_ms)};
}

/// The name of an actors error code ("circuit_open", ...).
const char* to_string(errc code);

/// Makes `actor_system::render` print actors errors as
/// "actors: circuit_open (detail)" instead of raw numbers. Call on the
/// config before creating the actor system.
void add_error_renderer(caf::actor_system_config& cfg);

} // namespace cdpd::actors

CAF_ERROR_CODE_ENUM(cdpd::actors::errc, "actors")
