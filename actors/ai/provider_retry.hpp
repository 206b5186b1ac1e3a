#pragma once

#include <functional>

#include "actors/ai/provider_call.hpp"

/// Retries of one provider call: only after a 429 (waiting its
/// Retry-After), a 5xx, a timeout or an unreachable provider, never after
/// another 4xx; every attempt and every pause inside one deadline, so a
/// failing provider never makes a caller wait longer than ai.timeout.
namespace cdpd::actors::ai {

struct retry_plan {
  int max_attempts = 3; ///< the first included
  millis backoff{250};  ///< before the 2nd try; doubles after each
  millis deadline{20'000};
};

/// The last attempt's result, and how many attempts were made.
struct call_outcome {
  attempt_result last;
  int attempts = 0;
};

/// Pauses the calling thread (a parameter, so tests need not sleep).
using sleep_fn = std::function<void(millis)>;

/// Calls `attempt` until it succeeds, fails for good, the attempts run out
/// or the next pause would pass the deadline. A Retry-After longer than
/// what is left ends the call with that 429.
call_outcome call_with_retries(const attempt_fn& attempt,
                               const provider_endpoint& endpoint,
                               const chat_request& request,
                               const retry_plan& plan, const sleep_fn& sleep);

} // namespace cdpd::actors::ai
