#include "actors/supervision/circuit_breaker.hpp"

#include <algorithm>

namespace cdpd::actors {

const char* to_string(breaker_state s) {
  switch (s) {
  case breaker_state::closed:
    return "closed";
  case breaker_state::half_open:
    return "half_open";
  case breaker_state::open:
    return "open";
  }
  return "unknown";
}

circuit_breaker::circuit_breaker(breaker_policy policy, transition_hook hook)
    : policy_(std::move(policy)), hook_(std::move(hook)),
      reset_timeout_(policy_.reset_timeout) {}

void circuit_breaker::move_to(breaker_state next) {
  if (next == state_)
    return;
  auto old = state_;
  state_ = next;
  if (hook_)
    hook_(old, next);
}

void circuit_breaker::open(time_point now) {
  next_probe_ = now + reset_timeout_;
  probes_started_ = 0;
  probes_succeeded_ = 0;
  move_to(breaker_state::open);
}

breaker_state circuit_breaker::poll(time_point now) {
  if (state_ == breaker_state::open && !forced_ && now >= next_probe_) {
    probes_started_ = 0;
    probes_succeeded_ = 0;
    move_to(breaker_state::half_open);
  }
  return state_;
}

bool circuit_breaker::allow(time_point now) {
  switch (poll(now)) {
  case breaker_state::closed:
    return true;
  case breaker_state::open:
    return false;
  case breaker_state::half_open:
    if (probes_started_ >= policy_.half_open_calls)
      return false;
    ++probes_started_;
    return true;
  }
  return false;
}

void circuit_breaker::succeeded(time_point) {
  switch (state_) {
  case breaker_state::closed:
    failures_ = 0;
    break;
  case breaker_state::half_open:
    if (++probes_succeeded_ >= policy_.half_open_calls) {
      failures_ = 0;
      reset_timeout_ = policy_.reset_timeout;
      move_to(breaker_state::closed);
    }
    break;
  case breaker_state::open:
    break; // a call admitted before the breaker opened
  }
}

void circuit_breaker::failed(time_point now) {
  switch (state_) {
  case breaker_state::closed:
    if (++failures_ >= policy_.max_failures)
      open(now);
    break;
  case breaker_state::half_open: {
    ++failures_;
    auto grown = std::chrono::duration<double, std::milli>(reset_timeout_) *
                 policy_.factor;
    reset_timeout_ = std::min(policy_.max_reset_timeout,
                              std::chrono::duration_cast<millis>(grown));
    open(now);
    break;
  }
  case breaker_state::open:
    break;
  }
}

void circuit_breaker::force_open(time_point now) {
  forced_ = true;
  open(now);
}

void circuit_breaker::reset() {
  forced_ = false;
  failures_ = 0;
  probes_started_ = 0;
  probes_succeeded_ = 0;
  reset_timeout_ = policy_.reset_timeout;
  move_to(breaker_state::closed);
}

} // namespace cdpd::actors
