#include "net/auth/link_token.hpp"

#include <array>
#include <charconv>

#include <sodium.h>

#include "net/auth/secrets.hpp"

namespace cdpd::net::auth {

namespace {

/// Bytes of the MAC kept in a token: 128 bits, 22 base64url characters.
constexpr std::size_t mac_bytes = 16;

/// Longest delivery id text (int64) plus the dot and the MAC.
constexpr std::size_t max_token_chars = 19 + 1 + 22;

char kind_letter(link_kind kind) {
  switch (kind) {
  case link_kind::unsubscribe:
    return 'u';
  case link_kind::open:
    return 'o';
  case link_kind::click:
    return 'c';
  }
  return '?';
}

} // namespace

link_signer::link_signer(std::string_view secret) {
  crypto_ready();
  // Derived, so the link key differs from the key it comes from.
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> derived{};
  constexpr std::string_view label = "cdpd message links v1";
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(
      &state, reinterpret_cast<const unsigned char*>(secret.data()),
      secret.size());
  crypto_auth_hmacsha256_update(
      &state, reinterpret_cast<const unsigned char*>(label.data()),
      label.size());
  crypto_auth_hmacsha256_final(&state, derived.data());
  key_.assign(reinterpret_cast<const char*>(derived.data()), derived.size());
}

std::string link_signer::mac(link_kind kind, int64_t delivery_id,
                             std::string_view url) const {
  // kind, id and URL separated by a byte that appears in none of them.
  std::string input;
  input += kind_letter(kind);
  input += '\n';
  input += std::to_string(delivery_id);
  input += '\n';
  input += url;
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> full{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(
      &state, reinterpret_cast<const unsigned char*>(key_.data()), key_.size());
  crypto_auth_hmacsha256_update(
      &state, reinterpret_cast<const unsigned char*>(input.data()),
      input.size());
  crypto_auth_hmacsha256_final(&state, full.data());
  return base64url(
      std::string_view{reinterpret_cast<const char*>(full.data()), mac_bytes});
}

std::string link_signer::sign(link_kind kind, int64_t delivery_id,
                              std::string_view url) const {
  return std::to_string(delivery_id) + "." + mac(kind, delivery_id, url);
}

std::optional<int64_t> link_signer::verify(link_kind kind,
                                           std::string_view token,
                                           std::string_view url) const {
  if (token.size() > max_token_chars)
    return std::nullopt;
  auto dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0)
    return std::nullopt;
  int64_t id = 0;
  auto digits = token.substr(0, dot);
  auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc{} || end != digits.data() + digits.size() || id <= 0 ||
      std::to_string(id) != digits) // one spelling per id: no "007"
    return std::nullopt;
  if (!equal_constant_time(token.substr(dot + 1), mac(kind, id, url)))
    return std::nullopt;
  return id;
}

} // namespace cdpd::net::auth
