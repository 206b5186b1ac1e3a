#include "actors/limits/gcra.hpp"

#include <algorithm>

namespace cdpd::actors::limits {

decision check(gcra_state& state, clock::time_point now, int64_t limit,
               clock::duration period, int64_t cost) {
  decision out;
  if (limit <= 0 || period <= clock::duration::zero()) {
    out.remaining = limit <= 0 ? 0 : limit;
    return out;
  }
  // The emission interval: one request's share of the period. Rounding it
  // down keeps the burst at exactly `limit`; the period shrinks by at most
  // `limit` nanoseconds.
  auto interval = period / limit;
  auto burst = interval * limit;
  auto remaining_at = [&](clock::time_point tat) {
    return std::max<int64_t>(0, (now + burst - tat) / interval);
  };
  auto tat = std::max(state.tat, now);
  if (cost < 0) {
    // A refund gives back what was charged and is still outstanding, never
    // more than a fresh burst.
    state.tat = std::max(now, tat + interval * cost);
    out.remaining = remaining_at(state.tat);
    out.reset = state.tat - now;
    return out;
  }
  if (cost > limit) {
    out.allowed = false;
    out.remaining = remaining_at(tat);
    out.reset = tat - now;
    out.retry_after = period;
    return out;
  }
  auto new_tat = tat + interval * cost;
  auto allow_at = new_tat - burst;
  if (now < allow_at) {
    out.allowed = false;
    out.remaining = remaining_at(tat);
    out.reset = tat - now;
    out.retry_after = allow_at - now;
    return out;
  }
  state.tat = new_tat;
  out.remaining = remaining_at(new_tat);
  out.reset = new_tat - now;
  return out;
}

int64_t ceil_seconds(clock::duration d) {
  auto s = std::chrono::ceil<std::chrono::seconds>(d);
  return std::max<int64_t>(0, s.count());
}

} // namespace cdpd::actors::limits
