#include "config/url_rules.hpp"

#include <algorithm>

namespace cdpd::config {

namespace {

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

constexpr std::string_view redis_form =
    "redis://[[user]:password@]host[:port][/db]";

std::string not_redis(std::string_view why) {
  return "is not " + std::string(redis_form) + " (" + std::string(why) + ")";
}

} // namespace

std::string check_postgres_url(std::string_view text) {
  if (text.empty() || starts_with(text, "postgresql://") ||
      starts_with(text, "postgres://") ||
      text.find('=') != std::string_view::npos)
    return {};
  return "is not a postgresql:// or postgres:// URL or a key=value conninfo";
}

std::string check_redis_url(std::string_view text) {
  constexpr std::string_view scheme = "redis://";
  if (text.empty())
    return {};
  if (!starts_with(text, scheme))
    return not_redis("must start with redis://");
  auto rest = text.substr(scheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (slash != std::string_view::npos && !all_digits(rest.substr(slash + 1)))
    return not_redis("the database must be a number");
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    if (authority.substr(0, at).find(':') == std::string_view::npos)
      return not_redis("user info needs :password");
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (starts_with(authority, "[")) {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return not_redis("unclosed [ in the host");
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':')
      return not_redis("unexpected text after the host");
    port = after.empty() ? after : after.substr(1);
    if (after == ":")
      return not_redis("empty port");
  } else if (auto colon = authority.find(':');
             colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty())
      return not_redis("empty port");
  }
  if (host.empty())
    return not_redis("no host");
  if (!port.empty()) {
    if (!all_digits(port) || port.size() > 5 ||
        std::stoi(std::string(port)) < 1 ||
        std::stoi(std::string(port)) > 65535)
      return not_redis("the port must be in 1..65535");
  }
  return {};
}

std::string check_not_empty(std::string_view text) {
  return text.empty() ? "must not be empty" : "";
}

} // namespace cdpd::config
