#pragma once

#include <caf/fwd.hpp>

#include "config/settings.hpp"
#include "net/http/router.hpp"

namespace prometheus {
class Registry;
} // namespace prometheus

/// The assistant's routes (issue 19; eca2-api-contract.md rows 22-25 and
/// section 3.6): POST /api/ai/segments/build, /api/ai/flows/
/// generate-from-segment, /api/ai/campaigns/generate, /api/ai/chat and
/// /api/ai/flows/generate-content. Each needs a manager, counts against
/// ratelimit.ai-generate-per-minute per caller, refuses text longer than
/// ai.max-prompt-chars with 422, and names the engine that answered
/// ("engine": "offline" or the model). Every segment definition in an
/// answer has passed the segment language's parser; what it refused is
/// listed in "dropped". A cached answer costs no rate-limit token.
namespace cdpd::net::api {

/// Adds the AI routes, counting their answers in cdpd_ai_requests_total,
/// cdpd_ai_latency_seconds, cdpd_ai_tokens_total and
/// cdpd_ai_cache_hits_total of `registry` (nullptr: not counted); answers
/// are cached for ai.cache-ttl in Redis (the registry's "redis" actor)
/// with `redis`, else in memory; `sys` must outlive the router.
void add_ai_routes(router& routes, caf::actor_system& sys,
                   const config::ai_settings& settings,
                   prometheus::Registry* registry = nullptr,
                   bool redis = false);

} // namespace cdpd::net::api
