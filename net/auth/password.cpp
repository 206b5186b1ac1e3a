#include "net/auth/password.hpp"

#include <sodium.h>

#include "net/auth/errc.hpp"
#include "net/auth/secrets.hpp"

namespace cdpd::net::auth {

namespace {

const unsigned long long ops_limit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
const std::size_t mem_limit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

/// A hash of a random password, made once; verifying against it costs what
/// verifying against a real account's hash costs.
const std::string& dummy_hash() {
  static const std::string hash = [] {
    auto made = hash_password(random_token(18));
    return made ? *made : std::string{};
  }();
  return hash;
}

} // namespace

caf::expected<std::string> hash_password(std::string_view password) {
  if (!crypto_ready())
    return make_error(errc::crypto_failed, "libsodium failed to initialise");
  if (password.size() > max_password_bytes)
    return make_error(errc::crypto_failed,
                      "password longer than " +
                          std::to_string(max_password_bytes) + " bytes");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), ops_limit,
                        mem_limit) != 0)
    return make_error(errc::crypto_failed,
                      "Argon2id hashing failed (out of memory)");
  return std::string(out);
}

bool verify_password(std::string_view password, std::string_view hash) {
  if (!crypto_ready() || password.size() > max_password_bytes || hash.empty() ||
      hash.size() >= crypto_pwhash_STRBYTES)
    return false;
  // crypto_pwhash_str_verify reads a NUL-terminated string.
  std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(),
                                  password.size()) == 0;
}

bool verify_against_dummy(std::string_view password) {
  // The dummy's password is random and forgotten, so this never matches;
  // only the time it takes matters.
  verify_password(password.substr(0, max_password_bytes), dummy_hash());
  return false;
}

bool needs_rehash(std::string_view hash) {
  if (!crypto_ready() || hash.size() >= crypto_pwhash_STRBYTES)
    return true;
  std::string terminated(hash);
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), ops_limit,
                                        mem_limit) != 0;
}

std::string generate_password() {
  return random_token(18);
}

} // namespace cdpd::net::auth
