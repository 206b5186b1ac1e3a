#pragma once

#include <string>

#include <sys/socket.h>

/// Which webhook endpoint URLs cdpd sends to. An endpoint is https (http
/// only when allowed), names a host without credentials, and its host
/// resolves to public addresses only unless private ones are allowed:
/// otherwise anyone who may register a webhook could make cdpd POST to its
/// own network (cloud metadata at 169.254.169.254, a database on loopback).
/// The delivery worker checks the address it connects to again, so a name
/// that resolves elsewhere later is refused at send time too.
namespace cdpd::actors::domain {

/// What the settings allow (webhooks.allow-http, webhooks.allow-private).
struct webhook_rules {
  bool allow_http = false;
  bool allow_private = false;
};

/// The parts of an endpoint URL the checks need.
struct webhook_url_parts {
  std::string scheme; ///< "https" or "http"
  std::string host;   ///< without IPv6 brackets
  int port = 0;
};

/// The kind of an IP address, for the SSRF rule.
enum class address_kind {
  global,      ///< a public address
  unspecified, ///< 0.0.0.0/8, ::
  loopback,    ///< 127.0.0.0/8, ::1
  private_net, ///< 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, ...
  link_local,  ///< 169.254/16, fe80::/10
  multicast,   ///< 224/4, ff00::/8
  reserved,    ///< 240/4 and other special-purpose ranges
};

/// The kind of an IPv4 or IPv6 socket address (IPv4-mapped IPv6 addresses
/// count as their IPv4 address); reserved for other families.
address_kind classify_address(const sockaddr* address);

/// "loopback", "private", "link-local", ... for messages.
const char* to_string(address_kind kind);

/// Parses and checks the form of `url` (no network): empty when it is
/// acceptable, else why not (bad URL, scheme, credentials in it, a
/// fragment, an IP literal that is not public). `parts` is filled on
/// success.
std::string check_webhook_url(const std::string& url,
                              const webhook_rules& rules,
                              webhook_url_parts& parts);

/// check_webhook_url, then resolves the host (blocking: call it from a
/// worker thread) and refuses it when it does not resolve or any of its
/// addresses is not public and private hosts are not allowed. Empty when
/// acceptable, else why not.
std::string check_webhook_target(const std::string& url,
                                 const webhook_rules& rules);

} // namespace cdpd::actors::domain
