#include "net/auth/jwt_key.hpp"

#include <fstream>
#include <iterator>

#include "net/auth/errc.hpp"

namespace cdpd::net::auth {

namespace {

caf::expected<std::string> long_enough(std::string key,
                                       const std::string& source) {
  if (key.size() < min_key_bytes)
    return make_error(errc::key_too_short,
                      source + ": the key is shorter than 32 bytes; make one "
                               "with `openssl rand -hex 32`");
  return key;
}

} // namespace

caf::expected<std::string> signing_key(const config::auth_settings& s) {
  if (!s.jwt_secret.empty())
    return long_enough(s.jwt_secret, "auth.jwt-secret");
  if (s.jwt_secret_file.empty())
    return make_error(errc::key_missing,
                      "set auth.jwt-secret (CDPD_AUTH_JWT_SECRET) or "
                      "auth.jwt-secret-file; make a key with `openssl rand "
                      "-hex 32`");
  std::ifstream in{s.jwt_secret_file, std::ios::binary};
  if (!in)
    return make_error(errc::key_missing,
                      "auth.jwt-secret-file: cannot read " + s.jwt_secret_file);
  std::string key{std::istreambuf_iterator<char>{in},
                  std::istreambuf_iterator<char>{}};
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r'))
    key.pop_back();
  return long_enough(std::move(key),
                     "auth.jwt-secret-file " + s.jwt_secret_file);
}

} // namespace cdpd::net::auth
