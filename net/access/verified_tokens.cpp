#include "net/access/verified_tokens.hpp"

namespace cdpd::net {

verified_tokens::verified_tokens(std::size_t capacity) : capacity_(capacity) {}

std::optional<auth::token_claims>
verified_tokens::find(std::string_view token,
                      auth::clock::time_point now) const {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = claims_.find(token);
  if (i == claims_.end() || now >= i->second.expires_at)
    return std::nullopt;
  return i->second;
}

void verified_tokens::add(std::string_view token,
                          const auth::token_claims& claims) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (claims_.size() >= capacity_)
    claims_.clear();
  claims_.emplace(std::string{token}, claims);
}

} // namespace cdpd::net
