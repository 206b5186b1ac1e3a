#pragma once

#include <cctype>
#include <optional>
#include <string>

#include "net/http/caller.hpp"

namespace cdpd::net::api {

/// The account id of a caller that proved itself with an access token (a
/// bearer token or the session cookie); nullopt for API keys, anonymous
/// callers and routers without an access guard.
inline std::optional<std::string> caller_account(const caller& who) {
  if (who.via != caller::proof::bearer && who.via != caller::proof::cookie)
    return std::nullopt;
  // Account ids are canonical UUIDs; anything else names no account.
  const auto& id = who.subject;
  if (id.size() != 36)
    return std::nullopt;
  for (std::size_t i = 0; i < id.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !std::isxdigit(static_cast<unsigned char>(id[i])))
      return std::nullopt;
  }
  return id;
}

} // namespace cdpd::net::api
