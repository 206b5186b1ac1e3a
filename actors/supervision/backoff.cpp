#include "actors/supervision/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace cdpd::actors {

millis backoff_delay(const backoff_policy& policy, int attempt,
                     double random01) {
  auto cap = static_cast<double>(policy.max.count());
  // Grow step by step so a large attempt count cannot overflow.
  auto base = static_cast<double>(policy.min.count());
  for (int i = 0; i < attempt && base < cap; ++i)
    base *= policy.factor;
  base = std::min(base, cap);
  auto jittered = base * (1.0 + policy.jitter * std::clamp(random01, 0.0, 1.0));
  return millis{static_cast<millis::rep>(std::floor(std::min(jittered, cap)))};
}

} // namespace cdpd::actors
