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

/// The key in `value`, else in the file `file`; names the settings
/// `value_key` and `file_key` in errors. Nullopt when neither is set.
caf::expected<std::optional<std::string>>
key_from(const std::string& value, const std::string& file,
         const std::string& value_key, const std::string& file_key) {
  if (!value.empty()) {
    auto key = long_enough(value, value_key);
    if (!key)
      return key.error();
    return std::optional{std::move(*key)};
  }
  if (file.empty())
    return std::optional<std::string>{};
  std::ifstream in{file, std::ios::binary};
  if (!in)
    return make_error(errc::key_missing, file_key + ": cannot read " + file);
  std::string key{std::istreambuf_iterator<char>{in},
                  std::istreambuf_iterator<char>{}};
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r'))
    key.pop_back();
  auto checked = long_enough(std::move(key), file_key + " " + file);
  if (!checked)
    return checked.error();
  return std::optional{std::move(*checked)};
}

} // namespace

caf::expected<std::string> signing_key(const config::auth_settings& s) {
  auto key = key_from(s.jwt_secret, s.jwt_secret_file, "auth.jwt-secret",
                      "auth.jwt-secret-file");
  if (!key)
    return key.error();
  if (!*key)
    return make_error(errc::key_missing,
                      "set auth.jwt-secret (CDPD_AUTH_JWT_SECRET) or "
                      "auth.jwt-secret-file; make a key with `openssl rand "
                      "-hex 32`");
  return std::move(**key);
}

caf::expected<std::optional<std::string>>
previous_signing_key(const config::auth_settings& s) {
  return key_from(s.jwt_previous_secret, s.jwt_previous_secret_file,
                  "auth.jwt-previous-secret", "auth.jwt-previous-secret-file");
}

} // namespace cdpd::net::auth
