#pragma once

#include <string>
#include <string_view>

/// The system prompts of the provider path: built into the binary from
/// actors/ai/prompts/*.txt, each replaced by <ai.prompts-dir>/<name>.txt
/// when that file exists. They list the segment language's real fields,
/// operators and value formats and ask for JSON only.
namespace cdpd::actors::ai {

struct prompt_set {
  std::string segment;  ///< segments/build
  std::string flow;     ///< flows/generate-from-segment
  std::string campaign; ///< campaigns/generate
  std::string chat;     ///< chat
  std::string content;  ///< flows/generate-content
};

/// The built-in prompt called `name` ("segment", ...); empty when none is.
std::string_view builtin_prompt(std::string_view name);

/// The built-in prompts, each replaced by `dir`/<name>.txt when it exists
/// (an empty `dir`: none is).
prompt_set load_prompts(const std::string& dir);

/// The prompt of an AI route ("segments/build", ...); empty for another.
const std::string& prompt_for(const prompt_set& prompts,
                              std::string_view route);

} // namespace cdpd::actors::ai
