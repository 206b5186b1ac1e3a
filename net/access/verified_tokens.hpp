#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "net/auth/jwt_codec.hpp"

/// Access tokens whose signature and claims were already checked, so that a
/// client sending the same token again costs a hash lookup, not an HMAC and
/// two JSON parses. Only what a token says is cached: revocation, the
/// account's role and whether it is active are looked up per request, after
/// this. Safe to share between threads.
namespace cdpd::net {

class verified_tokens {
public:
  /// Holds at most `capacity` tokens; when full, it starts over empty
  /// (tokens expire within minutes, so old entries are worth little).
  explicit verified_tokens(std::size_t capacity = 10'000);

  /// The claims of `token` when it was verified before and has not expired
  /// at `now`.
  std::optional<auth::token_claims> find(std::string_view token,
                                         auth::clock::time_point now) const;

  /// Remembers the claims of a token that verify() accepted.
  void add(std::string_view token, const auth::token_claims& claims);

private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  /// Hashes std::string and std::string_view alike, so a lookup on the
  /// request path does not copy the token.
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, auth::token_claims, text_hash,
                     std::equal_to<>>
      claims_;
};

} // namespace cdpd::net
