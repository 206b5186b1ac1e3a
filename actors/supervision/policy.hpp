#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include <caf/error.hpp>

/// Supervision policies as data: how a supervisor restarts its children and
/// how callers reach a child (buffering, circuit breaker, retries). Built
/// from the [supervision.<name>] config sections by policy_from_settings().
namespace cdpd::actors {

using millis = std::chrono::milliseconds;

/// Decides something about an error (is it a breaker failure? retryable?).
using error_predicate = std::function<bool(const caf::error&)>;

/// When a child that stopped is started again (Erlang/OTP's restart types).
enum class restart_kind {
  permanent, ///< always restarted
  transient, ///< restarted only after an abnormal exit
  temporary, ///< never restarted
};

/// Which children a failure restarts.
enum class restart_strategy {
  one_for_one,  ///< only the failed child
  one_for_all,  ///< every child
  rest_for_one, ///< the failed child and those started after it
};

/// Restart delays: min * factor^n, capped at max, plus up to jitter * delay
/// at random; n goes back to 0 once a child ran for reset_after.
struct backoff_policy {
  millis min{100};
  millis max{10'000};
  double factor = 2.0;
  double jitter = 0.2; ///< 0..1
  millis reset_after{30'000};
};

/// A circuit breaker in front of a child (Akka's CircuitBreaker): closed ->
/// open after max_failures consecutive failures or timeouts; open fails fast
/// with errc::circuit_open for reset_timeout; half-open lets
/// half_open_calls probes through (all must succeed to close); a failed
/// probe reopens with the reset timeout times factor, up to
/// max_reset_timeout.
struct breaker_policy {
  bool enabled = false;
  int max_failures = 5;
  millis call_timeout{5'000};
  millis reset_timeout{5'000};
  int half_open_calls = 1;
  double factor = 2.0;
  millis max_reset_timeout{60'000};
  /// Which errors count as failures; null: default_is_failure.
  error_predicate is_failure;
};

/// Retries of calls marked idempotent: at most max_attempts tries (the
/// first included), each bounded by per_try_timeout, all within deadline,
/// only after a retryable error, pausing backoff, 2*backoff, ... between.
struct retry_policy {
  int max_attempts = 1;
  millis per_try_timeout{1'000};
  millis deadline{3'000};
  millis backoff{50};
  /// Which errors may be retried; null: default_is_retryable.
  error_predicate retryable;
};

/// One named policy. A supervisor uses strategy, intensity and period; a
/// child uses backoff, buffer, breaker and retry.
struct supervision_policy {
  std::string name = "default";
  restart_strategy strategy = restart_strategy::one_for_one;
  int intensity = 5; ///< restarts allowed within period
  millis period{10'000};
  backoff_policy backoff;
  std::size_t buffer = 0; ///< messages held while backing off; 0 rejects
  breaker_policy breaker;
  retry_policy retry;
};

/// Every error except those that say the call itself was wrong
/// (storage::errc::query_failed and redis_error, like a 4xx from a
/// provider) or that the breaker produced itself (circuit_open).
bool default_is_failure(const caf::error& err);

/// Errors worth trying again: request timeouts, a receiver that is down,
/// child_unavailable, and storage errors meaning "try again" (pool
/// exhausted, connection failed or lost, Redis unavailable).
bool default_is_retryable(const caf::error& err);

/// "one_for_one", "permanent", ... for logs and inspection.
const char* to_string(restart_strategy s);
const char* to_string(restart_kind k);

} // namespace cdpd::actors
