#include "actors/limits/rate_plan.hpp"

namespace cdpd::actors::limits {

namespace {

using std::chrono::hours;
using std::chrono::minutes;

void add(std::vector<rate>& out, std::string_view name, int64_t limit,
         std::chrono::milliseconds period) {
  if (limit > 0)
    out.push_back({std::string{name}, limit, period});
}

} // namespace

std::string_view to_string(route_class c) {
  switch (c) {
  case route_class::general:
    return "general";
  case route_class::campaign_create:
    return "campaign-create";
  case route_class::segment_evaluate:
    return "segment-evaluate";
  case route_class::ai_generate:
    return "ai-generate";
  }
  return "general";
}

std::vector<rate> rates_for(const config::ratelimit_settings& s,
                            route_class c) {
  std::vector<rate> out;
  if (!s.enabled)
    return out;
  add(out, "general-per-hour", s.general_per_hour, hours{1});
  add(out, "general-per-minute", s.general_per_minute, minutes{1});
  switch (c) {
  case route_class::general:
    break;
  case route_class::campaign_create:
    add(out, "campaign-create-per-minute", s.campaign_create_per_minute,
        minutes{1});
    break;
  case route_class::segment_evaluate:
    add(out, "segment-evaluate-per-minute", s.segment_evaluate_per_minute,
        minutes{1});
    break;
  case route_class::ai_generate:
    add(out, "ai-generate-per-minute", s.ai_generate_per_minute, minutes{1});
    break;
  }
  return out;
}

} // namespace cdpd::actors::limits
