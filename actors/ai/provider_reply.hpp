#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

/// Reading what an OpenAI-compatible provider answers: models wrap their
/// JSON in code fences or prose even when asked for JSON only.
namespace cdpd::actors::ai {

/// The JSON object in a model's message, read tolerantly: surrounding
/// whitespace trimmed; inside code fences, the first fenced part holding a
/// "{" (a leading "json" tag dropped); then from the first "{" to the last
/// "}". None when no object parses (never throws).
std::optional<nlohmann::json> extract_json_object(std::string_view content);

} // namespace cdpd::actors::ai
