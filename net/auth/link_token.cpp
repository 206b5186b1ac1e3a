#include "net/auth/link_token.hpp"

#include <array>
#include <charconv>
#include <chrono>

#include <sodium.h>

#include "net/auth/secrets.hpp"

namespace cdpd::net::auth {

namespace {

/// Bytes of the MAC kept in a token: 128 bits, 22 base64url characters.
constexpr std::size_t mac_bytes = 16;

/// Longest delivery id and expiry texts (int64), two dots and the MAC.
constexpr std::size_t max_token_chars = 19 + 1 + 19 + 1 + 22;

/// A positive int64 written in its one canonical spelling (no "007").
std::optional<int64_t> canonical_number(std::string_view digits) {
  int64_t value = 0;
  auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size() || value <= 0 ||
      std::to_string(value) != digits)
    return std::nullopt;
  return value;
}

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

link_signer::link_signer(std::string_view secret)
    : link_signer(raw_key{derive_key(secret)}) {}

link_signer::link_signer(raw_key key) : key_(std::move(key.bytes)) {}

link_signer link_signer::with_key(std::string key) {
  return link_signer{raw_key{std::move(key)}};
}

std::string link_signer::derive_key(std::string_view secret) {
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
  return {reinterpret_cast<const char*>(derived.data()), derived.size()};
}

std::string link_signer::mac(link_kind kind, int64_t delivery_id,
                             std::string_view url,
                             std::optional<int64_t> expires) const {
  // kind, id, expiry and URL separated by a byte that appears in none of
  // them; a token without expiry keeps the original input, whose kind
  // letter is followed by '\n' where one with expiry has 'e'.
  std::string input;
  input += kind_letter(kind);
  if (expires) {
    input += 'e';
    input += std::to_string(*expires);
  }
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
                              std::string_view url,
                              std::optional<int64_t> expires) const {
  auto id = std::to_string(delivery_id) + ".";
  if (expires)
    id += std::to_string(*expires) + ".";
  return id + mac(kind, delivery_id, url, expires);
}

std::optional<int64_t> link_signer::verify(link_kind kind,
                                           std::string_view token,
                                           std::string_view url) const {
  if (token.size() > max_token_chars)
    return std::nullopt;
  auto dot = token.find('.');
  if (dot == std::string_view::npos)
    return std::nullopt;
  auto id = canonical_number(token.substr(0, dot));
  auto rest = token.substr(dot + 1);
  std::optional<int64_t> expires;
  if (auto second = rest.find('.'); second != std::string_view::npos) {
    expires = canonical_number(rest.substr(0, second));
    if (!expires)
      return std::nullopt;
    rest = rest.substr(second + 1);
  } else if (kind != link_kind::unsubscribe) {
    return std::nullopt;
  }
  if (!id || !equal_constant_time(rest, mac(kind, *id, url, expires)))
    return std::nullopt;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  if (expires && *expires <= now)
    return std::nullopt;
  return id;
}

} // namespace cdpd::net::auth
