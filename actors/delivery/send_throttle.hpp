#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/limits/limiter_region.hpp"

/// Send throttling through the rate-limiter actors: the provider's rate
/// (email.rate-per-second) under the key "provider:<email.provider>", and a
/// campaign's send speed (messages per minute) under "campaign:<id>". The
/// limiter hosts place keys by hash, so every dispatcher that asks the
/// same hosts shares one budget per key.
namespace cdpd::actors::delivery {

/// What the dispatchers ask before each send.
struct throttle_options {
  /// The limiter region; null: nothing is throttled.
  std::shared_ptr<const limits::limiter_region> region;
  std::string provider = "outbox"; ///< email.provider, for the key
  int64_t provider_per_second = 0; ///< 0 or less: no provider limit
  /// Speed of campaigns without their own (delivery.campaign-speed), in
  /// messages per minute; 0 or less: no limit.
  int64_t campaign_per_minute = 0;
  /// The longest wait for a verdict; then the send goes ahead (limits fail
  /// open, as the region does without hosts).
  std::chrono::milliseconds verdict_timeout{2'000};
};

/// The GCRA rate for `per_second` messages a second, named
/// "provider-per-second": a tenth of a second's worth (at least one
/// message) per matching fraction of a second. A limit of 0 or less gives a
/// rate that limits nothing.
limits::rate provider_rate(int64_t per_second);

/// The GCRA rate for `per_minute` messages a minute, named
/// "campaign-per-minute": one second's worth (at least one message) per
/// matching fraction of a minute. A limit of 0 or less gives a rate that
/// limits nothing.
limits::rate campaign_rate(int64_t per_minute);

/// The limiter key of the provider: "provider:<provider>".
std::string provider_key(const std::string& provider);

/// The limiter key of a campaign: "campaign:<id>".
std::string campaign_key(const std::string& campaign_id);

/// Asks `region` for one message under `key` and `r` and blocks the
/// calling thread (never an actor scheduler's) for the verdict, at most
/// `timeout`. A verdict that does not come in time, or that comes from
/// no limiter (no host: limits fail open), allows the message; both are
/// logged at most once a minute. Returns the verdict.
limits::verdict ask_limiter(const limits::limiter_region& region,
                            const std::string& key, const limits::rate& r,
                            std::chrono::milliseconds timeout);

} // namespace cdpd::actors::delivery
