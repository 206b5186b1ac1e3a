#include "actors/ai/provider_reply.hpp"

#include <cctype>
#include <string>

namespace cdpd::actors::ai {

namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() &&
         std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

/// The first fenced part (between "```" pairs) that holds a "{".
std::optional<std::string_view> fenced_object(std::string_view text) {
  std::size_t at = 0;
  for (;;) {
    auto open = text.find("```", at);
    if (open == std::string_view::npos)
      return std::nullopt;
    auto close = text.find("```", open + 3);
    auto part = text.substr(open + 3, close == std::string_view::npos
                                          ? std::string_view::npos
                                          : close - open - 3);
    if (part.find('{') != std::string_view::npos) {
      part = trimmed(part);
      if (part.size() >= 4 &&
          (part.substr(0, 4) == "json" || part.substr(0, 4) == "JSON"))
        part.remove_prefix(4);
      return part;
    }
    if (close == std::string_view::npos)
      return std::nullopt;
    at = close + 3;
  }
}

} // namespace

std::optional<nlohmann::json> extract_json_object(std::string_view content) {
  auto text = trimmed(content);
  if (auto fenced = fenced_object(text))
    text = *fenced;
  auto first = text.find('{');
  auto last = text.rfind('}');
  if (first == std::string_view::npos || last == std::string_view::npos ||
      last < first)
    return std::nullopt;
  auto parsed = nlohmann::json::parse(text.substr(first, last - first + 1),
                                      nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return std::nullopt;
  return parsed;
}

} // namespace cdpd::actors::ai
