#include <cctype>

#include "config/sources.hpp"

namespace cdpd::config::internal {

namespace {

constexpr std::string_view prefix = "CDPD_";

std::string upper_env(std::string_view text) {
  std::string out;
  for (char c : text)
    out += c == '-' || c == '.'
               ? '_'
               : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower_key(std::string_view text) {
  std::string out;
  for (char c : text)
    out += c == '_'
               ? '-'
               : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

std::string env_name(const option& opt) {
  return std::string(prefix) + upper_env(opt.section()) + "_" +
         upper_env(opt.name());
}

std::variant<env_source, load_error>
read_environment(std::span<const option> table,
                 const std::map<std::string, std::string>& env) {
  env_source out;
  for (const auto& [name, text] : env) {
    if (name.rfind(prefix, 0) != 0)
      continue;
    if (name == "CDPD_CONFIG") {
      if (!text.empty())
        out.config_path = text;
      continue;
    }
    const option* match = nullptr;
    std::string_view section;
    for (const auto& opt : table) {
      auto section_prefix =
          std::string(prefix) + upper_env(opt.section()) + "_";
      if (name.rfind(section_prefix, 0) != 0)
        continue;
      section = opt.section();
      if (env_name(opt) == name)
        match = &opt;
    }
    // CDPD_ variables of other prefixes (CDPD_TEST_PG, ...) belong to tools.
    if (section.empty())
      continue;
    if (match == nullptr) {
      auto key_part =
          std::string_view(name).substr(prefix.size() + section.size() + 1);
      return load_error{std::string(section) + "." + lower_key(key_part) +
                        ": unknown option (from " + name + ")"};
    }
    out.assignments.push_back({match, text, name});
  }
  return out;
}

} // namespace cdpd::config::internal
