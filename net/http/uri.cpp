#include "net/http/uri.hpp"

#include <cctype>

#include "config/text.hpp"

namespace cdpd::net {

target_parts split_target(std::string_view target) {
  if (auto hash = target.find('#'); hash != std::string_view::npos)
    target = target.substr(0, hash);
  auto question = target.find('?');
  if (question == std::string_view::npos)
    return {target, {}};
  return {target.substr(0, question), target.substr(question + 1)};
}

std::optional<std::string> percent_decode(std::string_view text,
                                          bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size())
        return std::nullopt;
      int hi = config::hex_value(text[i + 1]);
      int lo = config::hex_value(text[i + 2]);
      if (hi < 0 || lo < 0)
        return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::map<std::string, std::string>>
parse_query(std::string_view query) {
  std::map<std::string, std::string> result;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{}
                                          : query.substr(amp + 1);
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    auto value = eq == std::string_view::npos
                     ? std::optional<std::string>{std::string{}}
                     : percent_decode(pair.substr(eq + 1), true);
    if (!name || !value)
      return std::nullopt;
    result.emplace(std::move(*name), std::move(*value));
  }
  return result;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

} // namespace cdpd::net
