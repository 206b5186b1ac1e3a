#include "storage/redis_url.hpp"

#include <charconv>

#include "config/text.hpp"
#include "storage/errc.hpp"

namespace cdpd::storage {

namespace {

constexpr std::string_view scheme = "redis://";

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size())
      return false;
    int hi = config::hex_value(in[i + 1]);
    int lo = config::hex_value(in[i + 2]);
    if (hi < 0 || lo < 0)
      return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

bool parse_int(std::string_view text, int min, int max, int& out) {
  if (text.empty())
    return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && out >= min &&
         out <= max;
}

} // namespace

caf::expected<redis_endpoint> parse_redis_url(const std::string& url) {
  auto bad = [&](const std::string& why) {
    return make_error(errc::invalid_url,
                      "bad redis.url \"" + url + "\": " + why +
                          " (expected redis://[[user]:password@]host[:port]"
                          "[/db])");
  };
  std::string_view rest{url};
  if (rest.substr(0, scheme.size()) != scheme)
    return bad("it must start with redis://");
  rest.remove_prefix(scheme.size());
  redis_endpoint ep;
  // The last '@' ends the user info, so a raw '@' or '/' in a password works.
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    auto userinfo = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    auto colon = userinfo.find(':');
    if (colon == std::string_view::npos)
      return bad("put the password after ':' (redis://:secret@host)");
    if (!percent_decode(userinfo.substr(0, colon), ep.username) ||
        !percent_decode(userinfo.substr(colon + 1), ep.password))
      return bad("broken percent-encoding in user or password");
  }
  if (rest.find('?') != std::string_view::npos)
    return bad("query parameters are not supported");
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  auto path = slash == std::string_view::npos ? std::string_view{}
                                              : rest.substr(slash + 1);
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return bad("missing ']' after the IPv6 address");
    ep.host = std::string{authority.substr(1, close - 1)};
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return bad("unexpected text after ']'");
      port_text = after.substr(1);
      if (port_text.empty())
        return bad("empty port");
    }
  } else {
    auto colon = authority.find(':');
    ep.host = std::string{authority.substr(0, colon)};
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty())
        return bad("empty port");
    }
  }
  if (ep.host.empty())
    return bad("the host is missing");
  if (!port_text.empty() && !parse_int(port_text, 1, 65535, ep.port))
    return bad("the port must be a number from 1 to 65535");
  if (!path.empty() && !parse_int(path, 0, 1'000'000, ep.db))
    return bad("the database must be a number after '/'");
  return ep;
}

} // namespace cdpd::storage
