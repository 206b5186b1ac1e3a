#pragma once

#include <cstddef>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/ai/prompts.hpp"
#include "actors/ai/provider_call.hpp"
#include "actors/ai/provider_retry.hpp"
#include "actors/supervision/supervisor.hpp"

/// The provider connector: an actor in front of an OpenAI-compatible chat
/// completion API, supervised under the "connector" policy. Callers reach
/// it by its registry name through its child proxy, whose circuit breaker
/// (listed in /admin/breakers) fails fast while the provider is down.
///
/// Protocol: `(ai_complete_atom, std::string route, std::string user)` ->
/// std::string, a JSON object {content, model, tokens_in, tokens_out,
/// attempts}; the system prompt is the route's (prompts.hpp). Failures
/// are ai::errc errors (ai_errc.hpp). Each call runs on a detached worker
/// of its own (the HTTP client blocks), with call_with_retries, so one
/// slow answer holds up no other.
namespace cdpd::actors::ai {

/// The connector's registry name.
constexpr char provider_connector_name[] = "ai";

struct connector_options {
  provider_endpoint endpoint;
  attempt_fn attempt;
  retry_plan retry;
  prompt_set prompts;
  /// Calls running at once; more are refused (provider_unavailable)
  /// rather than queued behind a slow provider.
  std::size_t max_in_flight = 16;
};

/// Spawns a connector (unsupervised; see provider_connector_child).
caf::actor
spawn_provider_connector(caf::actor_system& sys,
                         std::shared_ptr<const connector_options> options);

/// The connector as a supervised child named provider_connector_name, with
/// `policy` (the "connector" policy) adapted to it: its breaker bounds a
/// call by the retry deadline plus a second, counts only the failures
/// counts_against_breaker names, and the proxy does not retry (the
/// connector does, knowing which statuses deserve it).
child_spec provider_connector_child(connector_options options,
                                    supervision_policy policy);

} // namespace cdpd::actors::ai
