#include "actors/ai/provider_retry.hpp"

#include <algorithm>
#include <chrono>

namespace cdpd::actors::ai {

bool retryable(attempt_kind kind) {
  switch (kind) {
  case attempt_kind::rate_limited:
  case attempt_kind::server_error:
  case attempt_kind::timed_out:
  case attempt_kind::unreachable:
    return true;
  default:
    return false;
  }
}

call_outcome call_with_retries(const attempt_fn& attempt,
                               const provider_endpoint& endpoint,
                               const chat_request& request,
                               const retry_plan& plan, const sleep_fn& sleep) {
  using clock = std::chrono::steady_clock;
  const auto end = clock::now() + plan.deadline;
  auto left = [&end] {
    return std::chrono::duration_cast<millis>(end - clock::now());
  };
  call_outcome out;
  millis pause = plan.backoff;
  for (;;) {
    out.last = attempt(endpoint, request, std::max(left(), millis{1}));
    ++out.attempts;
    if (out.last.kind == attempt_kind::ok || !retryable(out.last.kind) ||
        out.attempts >= plan.max_attempts)
      return out;
    // A provider that names its own pause is believed; past the deadline
    // it is the caller's to wait, not ours.
    millis wait =
        out.last.retry_after.count() >= 0 ? out.last.retry_after : pause;
    // Leave the next attempt at least a tenth of a second to run.
    if (wait + millis{100} >= left())
      return out;
    sleep(wait);
    pause *= 2;
  }
}

} // namespace cdpd::actors::ai
