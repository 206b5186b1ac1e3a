#pragma once

#include "actors/supervision/policy.hpp"

namespace cdpd::actors {

/// The delay before restart number `attempt` (0 for the first restart after
/// a quiet period): base = min(max, min * factor^attempt), then
/// min(max, base * (1 + jitter * random01)). `random01` is in [0, 1); the
/// supervisor draws it, tests pass fixed values.
millis backoff_delay(const backoff_policy& policy, int attempt,
                     double random01);

} // namespace cdpd::actors
