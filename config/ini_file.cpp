#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "config/sources.hpp"

namespace cdpd::config::internal {

namespace {

bool is_comment_start(char c) {
  return c == '#' || c == ';';
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

load_error at(std::string_view subject, std::string_view what,
              const std::string& origin) {
  return {std::string(subject) + ": " + std::string(what) + " (from " + origin +
          ")"};
}

load_error malformed(const std::string& origin) {
  // The line itself is not echoed: it may hold a password.
  return {"malformed line, expected [section], key = value or a comment "
          "(from " +
          origin + ")"};
}

/// The value part of `key = value`: a quoted string with \" and \\ escapes,
/// or text up to a comment that follows whitespace.
std::variant<std::string, load_error>
parse_value_text(std::string_view raw, std::string_view key,
                 const std::string& origin) {
  if (raw.empty() || raw[0] != '"') {
    for (std::size_t i = 0; i < raw.size(); ++i)
      if (is_comment_start(raw[i]) && (i == 0 || is_blank(raw[i - 1])))
        return std::string(trim(raw.substr(0, i)));
    return std::string(raw);
  }
  std::string out;
  for (std::size_t i = 1; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '"') {
      auto rest = trim(raw.substr(i + 1));
      if (!rest.empty() && !is_comment_start(rest[0]))
        return at(key, "text after the closing quote", origin);
      return out;
    }
    if (c == '\\') {
      if (i + 1 == raw.size() || (raw[i + 1] != '"' && raw[i + 1] != '\\'))
        return at(key, "only \\\" and \\\\ may follow \\ in a quoted value",
                  origin);
      c = raw[++i];
    }
    out += c;
  }
  return at(key, "quoted value has no closing quote", origin);
}

} // namespace

std::variant<std::vector<assignment>, load_error>
parse_ini(std::span<const option> table, std::string_view text,
          const std::string& path) {
  std::vector<assignment> out;
  std::string section;
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto eol = text.find('\n');
    auto line = trim(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view{}
                                         : text.substr(eol + 1);
    ++line_no;
    if (line.empty() || is_comment_start(line[0]))
      continue;
    auto origin = path + ":" + std::to_string(line_no);
    if (line[0] == '[') {
      auto close = line.find(']');
      if (close == std::string_view::npos)
        return malformed(origin);
      auto after = trim(line.substr(close + 1));
      if (!after.empty() && !is_comment_start(after[0]))
        return malformed(origin);
      auto name = std::string(trim(line.substr(1, close - 1)));
      bool known = false;
      for (const auto& opt : table)
        known = known || opt.section() == name;
      if (!known)
        return at("[" + name + "]", "unknown section", origin);
      section = name;
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos || trim(line.substr(0, eq)).empty())
      return malformed(origin);
    auto name = trim(line.substr(0, eq));
    if (section.empty())
      return at(name, "option outside any [section]", origin);
    auto key = section + "." + std::string(name);
    const auto* opt = find_option(table, key);
    if (opt == nullptr)
      return at(key, "unknown option", origin);
    auto value = parse_value_text(trim(line.substr(eq + 1)), key, origin);
    if (auto* err = std::get_if<load_error>(&value))
      return *err;
    out.push_back({opt, std::move(std::get<std::string>(value)), origin});
  }
  return out;
}

std::variant<std::vector<assignment>, load_error>
read_ini_file(std::span<const option> table, const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{
      std::fopen(path.c_str(), "rb"), &std::fclose};
  if (!file)
    return load_error{path + ": cannot open config file (" +
                      std::strerror(errno) + ")"};
  std::string text;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), file.get())) > 0)
    text.append(buf, n);
  if (std::ferror(file.get()))
    return load_error{path + ": cannot read config file (" +
                      std::strerror(errno) + ")"};
  return parse_ini(table, text, path);
}

} // namespace cdpd::config::internal
