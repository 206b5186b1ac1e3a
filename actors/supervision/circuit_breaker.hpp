#pragma once

#include <chrono>
#include <functional>

#include "actors/supervision/policy.hpp"

namespace cdpd::actors {

/// The three breaker states; the numbers are the cdpd_breaker_state gauge.
enum class breaker_state { closed = 0, half_open = 1, open = 2 };

/// "closed", "half_open", "open".
const char* to_string(breaker_state s);

/// The circuit breaker state machine of a breaker_policy, without timers or
/// actors: the caller passes the current time, so tests are deterministic.
///
/// Use: `allow(now)` before a call (false: fail fast with circuit_open);
/// then exactly one of `succeeded(now)` / `failed(now)` per allowed call.
/// Crashes of the child are reported with `failed(now)` too.
class circuit_breaker {
public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  /// Called on every state change (old, new).
  using transition_hook = std::function<void(breaker_state, breaker_state)>;

  explicit circuit_breaker(breaker_policy policy, transition_hook hook = {});

  /// Whether a call may go through now. Moves open -> half-open once the
  /// reset timeout has passed (unless forced open) and takes one of the
  /// half-open probe slots.
  bool allow(time_point now);

  /// A call (or probe) that went through succeeded.
  void succeeded(time_point now);

  /// A call that went through failed or timed out, or the child crashed.
  void failed(time_point now);

  /// Moves open -> half-open when due; returns the state afterwards.
  breaker_state poll(time_point now);

  /// Operator action: open now and stay open until reset().
  void force_open(time_point now);

  /// Operator action: close now, forget failures and the grown timeout.
  void reset();

  breaker_state state() const { return state_; }
  bool forced() const { return forced_; }
  int consecutive_failures() const { return failures_; }
  millis reset_timeout() const { return reset_timeout_; }
  /// When an open breaker lets the next probe through.
  time_point next_probe() const { return next_probe_; }
  /// Probe slots taken and probes that succeeded in the current half-open.
  int probes_started() const { return probes_started_; }

private:
  void move_to(breaker_state next);
  void open(time_point now);

  breaker_policy policy_;
  transition_hook hook_;
  breaker_state state_ = breaker_state::closed;
  bool forced_ = false;
  int failures_ = 0;
  int probes_started_ = 0;
  int probes_succeeded_ = 0;
  millis reset_timeout_;
  time_point next_probe_{};
};

} // namespace cdpd::actors
