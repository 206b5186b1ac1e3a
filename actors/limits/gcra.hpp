#pragma once

#include <chrono>
#include <cstdint>

/// The generic cell rate algorithm (GCRA): a rate limit of `limit` requests
/// per `period`, allowing a burst of `limit`, whose whole state per key is
/// one time value, the theoretical arrival time (TAT). Limiter actors keep
/// one gcra_state per limited key; the functions here are pure.
namespace cdpd::actors::limits {

using clock = std::chrono::steady_clock;

/// The state of one limited key. A default-constructed state (TAT in the
/// past) has its full burst available.
struct gcra_state {
  clock::time_point tat{};
};

/// The answer to one request, with what the RateLimit-* and Retry-After
/// headers need.
struct decision {
  bool allowed = true;
  /// Requests of cost 1 that would still be allowed right now.
  int64_t remaining = 0;
  /// Time until the full burst is available again (RateLimit-Reset).
  clock::duration reset{};
  /// For a refused request: time until the same request would be allowed
  /// (Retry-After); zero when allowed.
  clock::duration retry_after{};
};

/// Decides whether a request of `cost` at `now` fits `limit` requests per
/// `period`, and records it in `state` when it does (a refused request
/// changes nothing). A burst from a fresh state gets exactly `limit` cost-1
/// requests through. `limit` <= 0 means no limit: always allowed. A cost
/// above `limit` is never allowed (retry_after is then `period`). A negative
/// cost is a refund: it is always allowed and gives back up to that many
/// outstanding requests (the state never gets more than a fresh burst).
decision check(gcra_state& state, clock::time_point now, int64_t limit,
               clock::duration period, int64_t cost = 1);

/// Whole seconds, rounded up, as HTTP headers give durations (1.2 s -> 2).
int64_t ceil_seconds(clock::duration d);

} // namespace cdpd::actors::limits
