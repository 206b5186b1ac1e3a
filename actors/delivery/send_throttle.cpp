#include "actors/delivery/send_throttle.hpp"

#include <algorithm>
#include <atomic>
#include <future>

#include <spdlog/spdlog.h>

namespace cdpd::actors::delivery {

namespace {

using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

/// True at most once a minute per `last` stamp, from any thread.
bool due(std::atomic<int64_t>& last) {
  auto now = steady::now().time_since_epoch().count();
  auto interval =
      std::chrono::duration_cast<steady::duration>(std::chrono::minutes{1})
          .count();
  auto prev = last.load(std::memory_order_relaxed);
  if (prev != 0 && now - prev < interval)
    return false;
  return last.compare_exchange_strong(prev, now);
}

std::atomic<int64_t> last_open_log{0};
std::atomic<int64_t> last_late_log{0};

/// `per` messages per `whole`, cut into `slices` equal parts: each part
/// allows limit = per / slices (at least 1) messages in a period of
/// limit x whole / per, rounded up so the rate never exceeds `per`.
limits::rate sliced(std::string_view name, int64_t per, milliseconds whole,
                    int64_t slices) {
  if (per <= 0)
    return {std::string{name}, 0, whole};
  auto limit = std::max<int64_t>(1, per / slices);
  auto period = (limit * whole.count() + per - 1) / per;
  return {std::string{name}, limit, milliseconds{std::max<int64_t>(1, period)}};
}

} // namespace

// GCRA allows a burst of the whole limit: N per second would let N messages
// leave at once after a quiet second, which a provider's own per-second
// throttle may refuse. A tenth of a second's worth per tenth of a second
// keeps the same rate with bursts ten times smaller; the period is rounded
// up to a whole millisecond, which slows the rate by at most 1%.
limits::rate provider_rate(int64_t per_second) {
  return sliced("provider-per-second", per_second, milliseconds{1'000}, 10);
}

// The same for campaign speeds, cut into seconds: 60 a minute sends one a
// second, not 60 at the start of every minute.
limits::rate campaign_rate(int64_t per_minute) {
  return sliced("campaign-per-minute", per_minute, milliseconds{60'000}, 60);
}

std::string provider_key(const std::string& provider) {
  return "provider:" + provider;
}

std::string campaign_key(const std::string& campaign_id) {
  return "campaign:" + campaign_id;
}

limits::verdict ask_limiter(const limits::limiter_region& region,
                            const std::string& key, const limits::rate& r,
                            milliseconds timeout) {
  auto answer = std::make_shared<std::promise<limits::verdict>>();
  auto verdict = answer->get_future();
  limits::limit_request request;
  request.key = key;
  request.rates = {r};
  // Called exactly once by the region or the limiter.
  request.done = [answer](const limits::verdict& v) { answer->set_value(v); };
  region.check(std::move(request));
  if (verdict.wait_for(timeout) != std::future_status::ready) {
    if (due(last_late_log))
      spdlog::warn("send throttle: no verdict for {} within {} ms; sending "
                   "unthrottled",
                   key, timeout.count());
    return limits::verdict{};
  }
  auto v = verdict.get();
  if (v.allowed && v.rate_name.empty() && r.limit > 0 && due(last_open_log))
    spdlog::warn("send throttle: no limiter for {}; sending unthrottled "
                 "(limits fail open)",
                 key);
  return v;
}

} // namespace cdpd::actors::delivery
