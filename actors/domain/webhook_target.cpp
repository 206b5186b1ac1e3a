#include "actors/domain/webhook_target.hpp"

#include <cstdint>
#include <cstring>
#include <memory>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>

namespace cdpd::actors::domain {

namespace {

struct curlu_deleter {
  void operator()(CURLU* h) const { curl_url_cleanup(h); }
};

struct curl_text_deleter {
  void operator()(char* p) const { curl_free(p); }
};

using curl_text = std::unique_ptr<char, curl_text_deleter>;

/// A part of a parsed URL, or empty when it is absent.
std::string url_part(CURLU* url, CURLUPart what, unsigned flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(url, what, &raw, flags) != CURLUE_OK || raw == nullptr)
    return {};
  curl_text owned{raw};
  return std::string{raw};
}

bool in_v4(uint32_t addr, uint32_t net, int bits) {
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (addr & mask) == (net & mask);
}

constexpr uint32_t v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}

address_kind classify_v4(uint32_t a) {
  if (in_v4(a, v4(0, 0, 0, 0), 8))
    return address_kind::unspecified;
  if (in_v4(a, v4(127, 0, 0, 0), 8))
    return address_kind::loopback;
  if (in_v4(a, v4(169, 254, 0, 0), 16))
    return address_kind::link_local;
  if (in_v4(a, v4(10, 0, 0, 0), 8) || in_v4(a, v4(172, 16, 0, 0), 12) ||
      in_v4(a, v4(192, 168, 0, 0), 16) || in_v4(a, v4(100, 64, 0, 0), 10))
    return address_kind::private_net;
  if (in_v4(a, v4(224, 0, 0, 0), 4))
    return address_kind::multicast;
  // IETF protocol assignments, benchmarking, the documentation nets and
  // 240/4 (with the broadcast address) never belong to a receiver.
  if (in_v4(a, v4(192, 0, 0, 0), 24) || in_v4(a, v4(198, 18, 0, 0), 15) ||
      in_v4(a, v4(192, 0, 2, 0), 24) || in_v4(a, v4(198, 51, 100, 0), 24) ||
      in_v4(a, v4(203, 0, 113, 0), 24) || in_v4(a, v4(240, 0, 0, 0), 4))
    return address_kind::reserved;
  return address_kind::global;
}

address_kind classify_v6(const in6_addr& a) {
  const uint8_t* b = a.s6_addr;
  static const uint8_t zero[16] = {};
  if (std::memcmp(b, zero, 16) == 0)
    return address_kind::unspecified;
  if (IN6_IS_ADDR_LOOPBACK(&a))
    return address_kind::loopback;
  if (IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_V4COMPAT(&a)) {
    uint32_t addr = (uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) |
                    (uint32_t{b[14]} << 8) | b[15];
    return classify_v4(addr);
  }
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
    return address_kind::link_local;
  if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0))
    return address_kind::private_net;
  if (b[0] == 0xff)
    return address_kind::multicast;
  // NAT64 (64:ff9b::/96) reaches IPv4 addresses that were not classified,
  // and 2001:db8::/32 is documentation only.
  if ((b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) ||
      (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8))
    return address_kind::reserved;
  return address_kind::global;
}

std::string refusal_for(address_kind kind, const std::string& host,
                        const std::string& address) {
  std::string text = "host " + host;
  if (address != host)
    text += " resolves to " + address + ",";
  text += std::string(" a ") + to_string(kind) +
          " address; only public addresses are allowed unless "
          "webhooks.allow-private is set";
  return text;
}

std::string address_text(const sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf,
              sizeof buf);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr,
              buf, sizeof buf);
  return buf;
}

} // namespace

address_kind classify_address(const sockaddr* address) {
  if (address == nullptr)
    return address_kind::reserved;
  if (address->sa_family == AF_INET)
    return classify_v4(
        ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  if (address->sa_family == AF_INET6)
    return classify_v6(
        reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr);
  return address_kind::reserved;
}

const char* to_string(address_kind kind) {
  switch (kind) {
  case address_kind::global:
    return "public";
  case address_kind::unspecified:
    return "unspecified";
  case address_kind::loopback:
    return "loopback";
  case address_kind::private_net:
    return "private";
  case address_kind::link_local:
    return "link-local";
  case address_kind::multicast:
    return "multicast";
  case address_kind::reserved:
    return "reserved";
  }
  return "reserved";
}

std::string check_webhook_url(const std::string& url,
                              const webhook_rules& rules,
                              webhook_url_parts& parts) {
  if (url.empty())
    return "URL is empty";
  if (url.size() > 2048)
    return "URL is longer than 2048 characters";
  std::unique_ptr<CURLU, curlu_deleter> h{curl_url()};
  if (!h)
    return "URL could not be parsed";
  // No scheme guessing: "example.com/hook" is refused, not taken as http.
  if (curl_url_set(h.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
    return "not a valid absolute URL";
  auto scheme = url_part(h.get(), CURLUPART_SCHEME);
  if (scheme == "http") {
    if (!rules.allow_http)
      return "URL must be https:// (http:// only when webhooks.allow-http is "
             "set)";
  } else if (scheme != "https") {
    return "URL must be https://" +
           std::string(rules.allow_http ? " or http://" : "");
  }
  if (!url_part(h.get(), CURLUPART_USER).empty() ||
      !url_part(h.get(), CURLUPART_PASSWORD).empty())
    return "URL must not carry credentials";
  if (!url_part(h.get(), CURLUPART_FRAGMENT).empty())
    return "URL must not have a fragment";
  auto host = url_part(h.get(), CURLUPART_HOST);
  if (host.empty())
    return "URL has no host";
  if (host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  auto port = url_part(h.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  parts.scheme = scheme;
  parts.host = host;
  parts.port = port.empty() ? 0 : std::stoi(port);
  if (!rules.allow_private) {
    sockaddr_in v4addr{};
    sockaddr_in6 v6addr{};
    address_kind kind = address_kind::global;
    if (inet_pton(AF_INET, host.c_str(), &v4addr.sin_addr) == 1) {
      v4addr.sin_family = AF_INET;
      kind = classify_address(reinterpret_cast<const sockaddr*>(&v4addr));
    } else if (inet_pton(AF_INET6, host.c_str(), &v6addr.sin6_addr) == 1) {
      v6addr.sin6_family = AF_INET6;
      kind = classify_address(reinterpret_cast<const sockaddr*>(&v6addr));
    }
    if (kind != address_kind::global)
      return refusal_for(kind, host, host);
  }
  return {};
}

std::string check_webhook_target(const std::string& url,
                                 const webhook_rules& rules) {
  webhook_url_parts parts;
  if (auto why = check_webhook_url(url, rules, parts); !why.empty())
    return why;
  if (rules.allow_private)
    return {};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(parts.host.c_str(), nullptr, &hints, &found);
  if (rc != 0 || found == nullptr)
    return "host " + parts.host + " does not resolve (" + gai_strerror(rc) +
           ")";
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned{found,
                                                           &freeaddrinfo};
  for (auto* ai = found; ai != nullptr; ai = ai->ai_next) {
    auto kind = classify_address(ai->ai_addr);
    if (kind != address_kind::global)
      return refusal_for(kind, parts.host, address_text(ai->ai_addr));
  }
  return {};
}

} // namespace cdpd::actors::domain
