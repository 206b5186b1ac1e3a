#include "net/auth/api_key.hpp"

#include "net/auth/secrets.hpp"

namespace cdpd::net::auth {

namespace {

constexpr std::string_view scheme = "cdpd_";
constexpr std::size_t prefix_length = 8;
constexpr std::size_t secret_bytes = 32;

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_base64url(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

} // namespace

new_api_key generate_api_key() {
  new_api_key out;
  out.prefix = random_lower_alnum(prefix_length);
  out.key = std::string(scheme) + out.prefix + "_" + random_token(secret_bytes);
  out.hash = api_key_hash(out.key);
  return out;
}

std::optional<std::string> api_key_prefix(std::string_view key) {
  if (key.size() != api_key_length || key.substr(0, scheme.size()) != scheme ||
      key[scheme.size() + prefix_length] != '_')
    return std::nullopt;
  auto prefix = key.substr(scheme.size(), prefix_length);
  for (char c : prefix)
    if (!is_lower_alnum(c))
      return std::nullopt;
  for (char c : key.substr(scheme.size() + prefix_length + 1))
    if (!is_base64url(c))
      return std::nullopt;
  return std::string(prefix);
}

std::string api_key_hash(std::string_view key) {
  return sha256_hex(key);
}

bool api_key_matches(std::string_view presented, std::string_view stored_hash) {
  return equal_constant_time(api_key_hash(presented), stored_hash);
}

} // namespace cdpd::net::auth
