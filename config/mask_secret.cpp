#include <cctype>
#include <string_view>

#include "config/loader.hpp"

namespace cdpd::config {

namespace {

constexpr std::string_view stars = "***";

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c));
}

/// Where the authority of `text` begins when it starts with `scheme://`,
/// else npos. A conninfo value may itself contain "://", so the scheme must
/// open the text.
std::size_t authority_begin(std::string_view text) {
  auto sep = text.find("://");
  if (sep == 0 || sep == std::string_view::npos)
    return std::string_view::npos;
  for (char c : text.substr(0, sep))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' &&
        c != '.')
      return std::string_view::npos;
  return sep + 3;
}

/// Masks the password in the user info and in a `password=` query parameter
/// of a URL (`scheme://user:password@host/...?password=...`).
std::string mask_url(const std::string& url, std::size_t authority_begin) {
  auto authority_end = url.find_first_of("/?#", authority_begin);
  if (authority_end == std::string::npos)
    authority_end = url.size();
  std::string out = url.substr(0, authority_begin);
  auto authority = std::string_view(url).substr(
      authority_begin, authority_end - authority_begin);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    auto userinfo = authority.substr(0, at);
    auto colon = userinfo.find(':');
    if (colon != std::string_view::npos && colon + 1 < userinfo.size()) {
      out += userinfo.substr(0, colon + 1);
      out += stars;
      out += authority.substr(at);
    } else {
      out += authority;
    }
  } else {
    out += authority;
  }
  auto rest = std::string_view(url).substr(authority_end);
  auto query = rest.find('?');
  if (query == std::string_view::npos)
    return out + std::string(rest);
  out += rest.substr(0, query + 1);
  auto params = rest.substr(query + 1);
  std::string_view fragment;
  if (auto hash = params.find('#'); hash != std::string_view::npos) {
    fragment = params.substr(hash);
    params = params.substr(0, hash);
  }
  bool first = true;
  while (true) {
    auto amp = params.find('&');
    auto param = params.substr(0, amp);
    if (!first)
      out += '&';
    first = false;
    if (param.substr(0, 9) == "password=")
      out += "password=" + std::string(stars);
    else
      out += param;
    if (amp == std::string_view::npos)
      break;
    params = params.substr(amp + 1);
  }
  return out + std::string(fragment);
}

/// Masks the value of `password` in a libpq `key = value ...` conninfo.
/// Returns false when the text does not follow the conninfo grammar.
bool mask_conninfo(std::string_view text, std::string& out) {
  std::size_t i = 0;
  auto n = text.size();
  auto copy_spaces = [&] {
    while (i < n && is_space(text[i]))
      out += text[i++];
  };
  while (true) {
    copy_spaces();
    if (i == n)
      return true;
    auto key_begin = i;
    while (i < n && text[i] != '=' && !is_space(text[i]))
      ++i;
    auto key = text.substr(key_begin, i - key_begin);
    out += key;
    copy_spaces();
    if (i == n || text[i] != '=' || key.empty())
      return false;
    out += text[i++];
    copy_spaces();
    auto value_begin = i;
    if (i < n && text[i] == '\'') {
      for (++i; i < n && text[i] != '\''; ++i)
        if (text[i] == '\\')
          ++i;
      if (i >= n)
        return false;
      ++i;
    } else {
      for (; i < n && !is_space(text[i]); ++i)
        if (text[i] == '\\')
          ++i;
      i = i > n ? n : i;
    }
    if (key == "password")
      out += stars;
    else
      out += text.substr(value_begin, i - value_begin);
  }
}

} // namespace

std::string mask_secret(const std::string& url) {
  if (auto begin = authority_begin(url); begin != std::string_view::npos)
    return mask_url(url, begin);
  if (url.find('=') == std::string::npos)
    return url;
  std::string out;
  if (mask_conninfo(url, out))
    return out;
  // Unparseable but possibly secret: show nothing of it.
  return url.find("password") == std::string::npos ? url : std::string(stars);
}

} // namespace cdpd::config
