#include "net/ai/provider_setup.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include <caf/sec.hpp>

#include "net/ai/chat_client.hpp"

namespace cdpd::net::ai {

bool provider_configured(const config::ai_settings& s) {
  return !s.base_url.empty();
}

std::string model_of(const config::ai_settings& s) {
  return s.model.empty() ? "gpt-4o-mini" : s.model;
}

caf::expected<actors::ai::connector_options>
connector_options_from(const config::ai_settings& s,
                       const actors::supervision_policy& connector) {
  actors::ai::connector_options out;
  out.endpoint.base_url = s.base_url;
  out.endpoint.api_key = s.api_key;
  if (!s.api_key_file.empty()) {
    std::ifstream in{s.api_key_file, std::ios::binary};
    if (!in || !std::getline(in, out.endpoint.api_key))
      return caf::make_error(caf::sec::invalid_argument,
                             "ai.api-key-file: cannot read " + s.api_key_file);
    while (!out.endpoint.api_key.empty() &&
           (out.endpoint.api_key.back() == '\r' ||
            out.endpoint.api_key.back() == ' '))
      out.endpoint.api_key.pop_back();
  }
  out.endpoint.model = model_of(s);
  out.endpoint.max_tokens = s.max_tokens;
  out.endpoint.temperature = std::strtod(s.temperature.c_str(), nullptr);
  out.attempt = chat_completion;
  out.retry.max_attempts = std::max(connector.retry.max_attempts, 1);
  out.retry.backoff = std::max(connector.retry.backoff, actors::millis{250});
  out.retry.deadline = s.timeout;
  out.prompts = actors::ai::load_prompts(s.prompts_dir);
  return out;
}

caf::expected<actors::child_spec>
provider_child(const config::ai_settings& s,
               const actors::supervision_policy& connector) {
  auto options = connector_options_from(s, connector);
  if (!options)
    return std::move(options.error());
  return actors::ai::provider_connector_child(std::move(*options), connector);
}

} // namespace cdpd::net::ai
