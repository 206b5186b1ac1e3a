#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

#include "actors/limits/gcra.hpp"
#include "actors/limits/limit_messages.hpp"
#include "actors/limits/limiter_metrics.hpp"
#include "actors/limits/limiter_region.hpp"

/// The limiter of one key: one GCRA state per rate name, a verdict per
/// limit_query, and passivation once it has been idle with a fresh state
/// (protocol in actors/limits/limit_messages.hpp).
namespace cdpd::actors::limits {

/// The GCRA states of one key, by rate name.
using rate_states = std::map<std::string, gcra_state, std::less<>>;

/// Checks a request of `cost` against every rate (those with a limit or
/// period <= 0 are skipped) on copies of `states`, and stores the copies
/// only when every rate allows it and `peek` is false. The figures are
/// those of the allowing rate with the fewest remaining (the first on a
/// tie), or of the refusing rate with the longest retry-after; a peek
/// reports what the same request would get. No applicable rate: allowed,
/// with an empty rate name and zero figures.
verdict decide(rate_states& states, const std::vector<rate>& rates,
               int64_t cost, bool peek, clock::time_point now);

/// True when every state is back to a fresh one (TAT <= now), so dropping
/// them changes no future verdict.
bool all_fresh(const rate_states& states, clock::time_point now);

/// The latest TAT of `states` (the time from which all are fresh); the
/// epoch when there are none.
clock::time_point fresh_at(const rate_states& states);

/// What a limiter actor needs from its host.
struct limiter_config {
  std::string key;
  limiter_host_actor host; ///< receives the passivation request
  std::chrono::milliseconds idle_timeout{60'000};
  std::shared_ptr<limiter_metrics> metrics; ///< may be null
};

/// The state of one limiter actor.
struct limiter_state {
  limiter_config config;
  rate_states rates;
  uint64_t handled = 0; ///< requests received, for the passivation check
  clock::time_point last_request{};
  static inline const char* name = "limiter";
};

/// The behaviour of a limiter actor: answers `(limit_atom, limit_query)`
/// with its verdict, asks its host to stop it with `(caf::idle_atom, key,
/// handled)` after `idle_timeout` without requests and with a fresh state,
/// and quits on `(caf::ok_atom)`.
limiter_key_actor::behavior_type
limiter_actor(limiter_key_actor::stateful_pointer<limiter_state> self,
              limiter_config config);

} // namespace cdpd::actors::limits
