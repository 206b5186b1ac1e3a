#include "actors/supervision/policy_from_settings.hpp"

namespace cdpd::actors {

supervision_policy policy_from_settings(const config::supervision_settings& s,
                                        const std::string& name) {
  const auto& p = config::policy_named(s, name);
  supervision_policy out;
  out.name = name;
  if (p.strategy == "one_for_all")
    out.strategy = restart_strategy::one_for_all;
  else if (p.strategy == "rest_for_one")
    out.strategy = restart_strategy::rest_for_one;
  out.intensity = p.intensity;
  out.period = p.period;
  out.backoff = {p.backoff_min, p.backoff_max, p.backoff_factor / 100.0,
                 p.backoff_jitter / 100.0, p.backoff_reset_after};
  out.buffer = static_cast<std::size_t>(p.buffer);
  out.breaker.enabled = p.breaker;
  out.breaker.max_failures = p.max_failures;
  out.breaker.call_timeout = p.call_timeout;
  out.breaker.reset_timeout = p.reset_timeout;
  out.breaker.half_open_calls = p.half_open_calls;
  out.breaker.factor = p.reset_factor / 100.0;
  out.breaker.max_reset_timeout = p.max_reset_timeout;
  out.retry.max_attempts = p.retry_attempts;
  out.retry.per_try_timeout = p.retry_per_try_timeout;
  out.retry.deadline = p.retry_deadline;
  out.retry.backoff = p.retry_backoff;
  return out;
}

} // namespace cdpd::actors
