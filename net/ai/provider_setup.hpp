#pragma once

#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "actors/ai/provider_connector.hpp"
#include "config/settings.hpp"

/// The provider connector from the `ai.*` settings, with this folder's
/// HTTP client as its attempt.
namespace cdpd::net::ai {

/// Whether the settings name a provider (ai.base-url, set or derived from
/// a key by the config loader); without one the offline engine answers.
bool provider_configured(const config::ai_settings& s);

/// The model asked: ai.model, else gpt-4o-mini.
std::string model_of(const config::ai_settings& s);

/// The connector's options: the key (ai.api-key, else the first line of
/// ai.api-key-file), the model, limits and prompts (ai.prompts-dir), one
/// attempt bounded by what is left of ai.timeout, and retries as many as
/// `connector`'s retry attempts with its backoff doubling from at least
/// 250 ms. Fails (a message naming the key) when the key file cannot be
/// read.
caf::expected<actors::ai::connector_options>
connector_options_from(const config::ai_settings& s,
                       const actors::supervision_policy& connector);

/// The connector as a supervised child (provider_connector_child).
caf::expected<actors::child_spec>
provider_child(const config::ai_settings& s,
               const actors::supervision_policy& connector);

} // namespace cdpd::net::ai
