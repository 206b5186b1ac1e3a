#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "config/settings.hpp"

/// Which limits apply to a request: the general limits apply to every
/// request, a route class's own limit additionally to the requests of that
/// class ([ratelimit] in config/README.md).
namespace cdpd::actors::limits {

/// The route classes with limits of their own; every other route is
/// `general`.
enum class route_class : uint8_t {
  general,
  campaign_create,
  segment_evaluate,
  ai_generate,
};

/// "general", "campaign-create", "segment-evaluate", "ai-generate": the
/// name in limiter keys and metrics.
std::string_view to_string(route_class c);

/// One limit: `limit` requests per `period`, tracked under `name` (so a
/// limiter key is client + name).
struct rate {
  std::string name; ///< "general-per-hour", "campaign-create-per-minute"
  int64_t limit = 0;
  std::chrono::milliseconds period{};

  friend bool operator==(const rate&, const rate&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rate& x) {
  return f(caf::meta::type_name("cdpd::limits::rate"), x.name, x.limit,
           x.period);
}

/// The limits a request of class `c` counts against, general ones first.
/// Empty when rate limiting is disabled; limits set to 0 are left out.
std::vector<rate> rates_for(const config::ratelimit_settings& s, route_class c);

} // namespace cdpd::actors::limits
