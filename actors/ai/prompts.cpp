#include "actors/ai/prompts.hpp"

#include <fstream>
#include <sstream>

namespace cdpd::actors::ai {

namespace {

std::string read_or_builtin(const std::string& dir, const char* name) {
  if (!dir.empty()) {
    std::ifstream in{dir + "/" + name + ".txt", std::ios::binary};
    if (in) {
      std::ostringstream text;
      text << in.rdbuf();
      return text.str();
    }
  }
  return std::string{builtin_prompt(name)};
}

} // namespace

prompt_set load_prompts(const std::string& dir) {
  prompt_set out;
  out.segment = read_or_builtin(dir, "segment");
  out.flow = read_or_builtin(dir, "flow");
  out.campaign = read_or_builtin(dir, "campaign");
  out.chat = read_or_builtin(dir, "chat");
  out.content = read_or_builtin(dir, "content");
  return out;
}

const std::string& prompt_for(const prompt_set& prompts,
                              std::string_view route) {
  static const std::string none;
  if (route == "segments/build")
    return prompts.segment;
  if (route == "flows/generate-from-segment")
    return prompts.flow;
  if (route == "campaigns/generate")
    return prompts.campaign;
  if (route == "chat")
    return prompts.chat;
  if (route == "flows/generate-content")
    return prompts.content;
  return none;
}

} // namespace cdpd::actors::ai
