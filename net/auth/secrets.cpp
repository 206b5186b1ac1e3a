#include "net/auth/secrets.hpp"

#include <sodium.h>

#include <array>
#include <cassert>

namespace cdpd::net::auth {

bool crypto_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

std::string base64url(std::string_view data) {
  auto variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(data.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(),
                    reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), variant);
  out.resize(out.size() - 1); // the terminating NUL sodium writes
  return out;
}

std::string random_token(std::size_t bytes) {
  [[maybe_unused]] bool ready = crypto_ready();
  assert(ready);
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  auto out = base64url(raw);
  sodium_memzero(raw.data(), raw.size());
  return out;
}

std::string random_lower_alnum(std::size_t length) {
  [[maybe_unused]] bool ready = crypto_ready();
  assert(ready);
  constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  out.reserve(length);
  for (std::size_t i = 0; i < length; ++i)
    out += alphabet[randombytes_uniform(alphabet.size())];
  return out;
}

std::string to_hex(std::string_view data) {
  std::string hex(data.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(),
                 reinterpret_cast<const unsigned char*>(data.data()),
                 data.size());
  hex.pop_back();
  return hex;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0)
    return std::nullopt;
  std::string bytes(hex.size() / 2, '\0');
  std::size_t written = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()),
                     bytes.size(), hex.data(), hex.size(), nullptr, &written,
                     &end) != 0 ||
      written != bytes.size() || end != hex.data() + hex.size())
    return std::nullopt;
  return bytes;
}

std::string sha256_hex(std::string_view data) {
  [[maybe_unused]] bool ready = crypto_ready();
  assert(ready);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(),
                     reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  if (a.empty())
    return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace cdpd::net::auth
